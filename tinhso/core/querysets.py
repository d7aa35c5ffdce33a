"""Scoped querysets: every read of scoped data starts from ``restrict(user, action)``.

A model opts in by using ``RestrictedQuerySet.as_manager()`` and defining a
classmethod ``scope_q(user, action)`` returning a ``Q`` for the rows the user may
act on, ``None`` for "all rows", or ``False`` for "none". Whether the user's role
may perform ``action`` on the model at all is decided by ``core.permissions``.
(The pattern is NetBox's RestrictedQuerySet.)
"""

from __future__ import annotations

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from tinhso.core.permissions import scope_q

        condition = scope_q(self.model, user, action)
        if condition is False:
            return self.none()
        if condition is None:
            return self
        return self.filter(condition)
