from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sequence(models.Model):
    """A named counter: ``tinhso.core.sequences.next_value(scope=...)`` hands out its values.

    ``scope`` says what is counted, e.g. ``dossier:000.00.50.H24:261122`` for the
    dossiers an agency received on one day. ``value`` is the last value handed out.
    """

    scope = models.CharField(_("phạm vi"), max_length=200, unique=True)
    value = models.BigIntegerField(_("giá trị"), default=0)

    class Meta:
        verbose_name = _("bộ đếm")
        verbose_name_plural = _("bộ đếm")
        ordering = ["scope"]

    def __str__(self) -> str:
        return f"{self.scope}={self.value}"
