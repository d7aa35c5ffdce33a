"""The monthly disbursement summary the measures read instead of every disbursement row."""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from tinhso.investment.models.disbursements import Disbursement
from tinhso.investment.models.projects import ProjectScoped


class DisbursementMonth(ProjectScoped):
    """What was disbursed on one plan line in one calendar month, by treasury confirmation.

    ``month`` is the month's first day. ``confirmed`` separates the rows the State
    Treasury confirmed from those only reported by the owner; rejected rows count
    nowhere, as in the measures. ``amount`` is the signed sum (recoveries are
    negative) and ``count`` the number of disbursement rows. Derived data: the
    write paths keep it equal to a recomputation from ``Disbursement``
    (``tinhso.investment.summaries.refresh_plan_lines``), and ``tinhso
    investment_summary_rebuild`` recomputes it whole.
    """

    plan_line = models.ForeignKey(
        "investment.PlanLine",
        verbose_name=_("dòng kế hoạch vốn"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("tháng (ngày đầu tháng)"))
    confirmed = models.BooleanField(_("kho bạc đã xác nhận"))
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    count = models.IntegerField(_("số dòng giải ngân"))

    class Meta:
        verbose_name = _("giải ngân theo tháng")
        verbose_name_plural = _("giải ngân theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_line", "month", "confirmed"], name="inv_disb_month_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "month"], name="inv_disb_month_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_line_id} {self.month:%m/%Y}: {self.amount:,} đ"


@receiver(post_delete, sender=Disbursement, dispatch_uid="investment_summary_on_delete")
def _on_disbursement_delete(sender, instance, **kwargs) -> None:
    """A deleted disbursement (no service deletes one; any ORM delete) leaves its line exact."""
    from tinhso.investment.summaries import refresh_plan_lines

    refresh_plan_lines([instance.plan_line_id])
