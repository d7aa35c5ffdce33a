"""The monthly disbursement summary the measures read instead of every disbursement row."""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from tinhso.investment.models.disbursements import Disbursement
from tinhso.investment.models.projects import ProjectScoped


class DisbursementMonth(ProjectScoped):
    """What was disbursed on one plan line in one calendar month.

    ``month`` is the month's first day. ``amount`` is the signed sum (recoveries
    are negative) of the rows not rejected, reported by the owner or confirmed by
    the State Treasury, and ``count`` their number; ``confirmed_amount`` and
    ``confirmed_count`` the part the treasury confirmed. Rejected rows count
    nowhere, as in the measures. One row per line and month keeps the table
    small (about 40,000 rows for 500,000 disbursements). Derived data: the write
    paths keep it equal to a recomputation from ``Disbursement``
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
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    count = models.IntegerField(_("số dòng giải ngân"))
    confirmed_amount = models.BigIntegerField(_("số tiền kho bạc đã xác nhận (đồng)"), default=0)
    confirmed_count = models.IntegerField(_("số dòng kho bạc đã xác nhận"), default=0)

    class Meta:
        verbose_name = _("giải ngân theo tháng")
        verbose_name_plural = _("giải ngân theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_line", "month"], name="inv_disb_month_line_unique"
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
