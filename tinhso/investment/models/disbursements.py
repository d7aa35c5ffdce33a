"""Disbursements reported by project owners and confirmed by the State Treasury."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.investment.choices import DisbursementKind, DisbursementStatus
from tinhso.investment.models.projects import ProjectScoped


class Disbursement(ProjectScoped):
    """One disbursement (giải ngân) against one plan line.

    ``amount`` is signed, in whole đồng: advances and payments are positive, a
    recovery (money recovered or a payment reduced) is stored negative, so a
    plain ``Sum("amount")`` is the disbursed value. ``project`` repeats the plan
    line's project so the province's totals need no join. Rejected rows count
    nowhere.
    """

    plan_line = models.ForeignKey(
        "investment.PlanLine",
        verbose_name=_("dòng kế hoạch vốn"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    date = models.DateField(_("ngày giải ngân"))
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    kind = models.CharField(
        _("loại"), max_length=16, choices=DisbursementKind.choices, default=DisbursementKind.PAYMENT
    )
    treasury_reference = models.CharField(_("số chứng từ kho bạc"), max_length=64, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=24,
        choices=DisbursementStatus.choices,
        default=DisbursementStatus.REPORTED,
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True)

    class Meta:
        verbose_name = _("giải ngân")
        verbose_name_plural = _("giải ngân")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["project", "date"], name="inv_disb_project_date_idx"),
            models.Index(fields=["plan_line", "status"], name="inv_disb_line_idx"),
            # Dates first, then what the measures' month under way sums (rows
            # between the month's first day and the day asked, per line): on
            # PostgreSQL an index-only scan, without reading the table.
            models.Index(
                fields=["date", "plan_line", "status", "amount"], name="inv_disb_date_line_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.amount:,} đ"
