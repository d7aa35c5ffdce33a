"""Reads of the core domain, one module per concept. Every scoped read starts from ``restrict``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError

from tinhso.core.exceptions import NotFound


def get_object_for(user, model, *, action: str = "view", **lookup):
    """The row matching ``lookup`` if ``user`` may ``action`` on it, else NotFound.

    Missing and out-of-scope raise the same error, so nobody learns that a row
    exists by guessing its key.
    """
    try:
        return model.objects.restrict(user, action).get(**lookup)
    except (
        model.DoesNotExist,
        model.MultipleObjectsReturned,
        ValueError,
        TypeError,
        DjangoValidationError,  # a malformed key, e.g. for a UUID field
    ):
        raise NotFound() from None
