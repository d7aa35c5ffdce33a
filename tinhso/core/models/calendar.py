from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import CalendarDayKind


class CalendarDay(models.Model):
    """A day the province declares different from the rule.

    Either a make-up working day or an extra day off.

    Public holidays come from the ``holidays`` package; rows here override it and
    the weekend (for instance a Saturday worked in exchange for a bridge day).
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=CalendarDayKind.choices)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ngày làm việc đặc biệt")
        verbose_name_plural = _("ngày làm việc đặc biệt")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"
