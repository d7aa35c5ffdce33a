"""Capital plans (medium-term and annual) and their lines per project and source."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.querysets import RestrictedQuerySet
from tinhso.investment.choices import AssignedBy, FundingSource, PlanKind, PlanLineKind
from tinhso.investment.models.projects import ProjectScoped


class CapitalPlan(models.Model):
    """A capital plan of a province or commune (kế hoạch đầu tư công).

    Medium-term plans cover five years (2021–2025, 2026–2030: ``year_from`` to
    ``year_to``); an annual plan has ``year_from == year_to``. The lines carry
    the amounts.
    """

    kind = models.CharField(_("loại kế hoạch"), max_length=16, choices=PlanKind.choices)
    year_from = models.PositiveSmallIntegerField(
        _("từ năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    year_to = models.PositiveSmallIntegerField(
        _("đến năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    unit = models.ForeignKey(
        "core.AdministrativeUnit",
        verbose_name=_("địa phương"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("tên kế hoạch"), max_length=255)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch vốn")
        verbose_name_plural = _("kế hoạch vốn")
        ordering = ["-year_from", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "year_from", "year_to"], name="inv_plan_unique"
            )
        ]

    def __str__(self) -> str:
        if self.year_from == self.year_to:
            return f"{self.name} ({self.year_from})"
        return f"{self.name} ({self.year_from}–{self.year_to})"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        # A plan is a province's or commune's public document; its lines are scoped.
        return None


class PlanLine(ProjectScoped):
    """An amount of a capital plan for one project from one source.

    ``assigned_by`` says whose plan the amount belongs to: amounts the Prime
    Minister assigned to the province (the first denominator of the
    disbursement rate) or that the province or commune added (the province's own
    plan, the second denominator, counts every line). ``amount`` is signed only
    for an ``adjustment`` (a reduction is negative). ``year`` is the budget year
    of an annual line (empty on medium-term lines); ``deadline`` the last day
    disbursement may count (Law 58/2024 art. 68: 31 January of the next year,
    or a later date by an extension decision).
    """

    plan = models.ForeignKey(
        CapitalPlan, verbose_name=_("kế hoạch vốn"), on_delete=models.PROTECT, related_name="lines"
    )
    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.PROTECT,
        related_name="plan_lines",
    )
    source = models.CharField(_("nguồn vốn"), max_length=24, choices=FundingSource.choices)
    assigned_by = models.CharField(_("cấp giao"), max_length=16, choices=AssignedBy.choices)
    kind = models.CharField(
        _("loại giao vốn"),
        max_length=16,
        choices=PlanLineKind.choices,
        default=PlanLineKind.INITIAL,
    )
    amount = models.BigIntegerField(_("số vốn (đồng)"))
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định giao vốn"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định giao vốn"), null=True, blank=True)
    deadline = models.DateField(_("hạn giải ngân"), null=True, blank=True)
    extension_decision_number = models.CharField(
        _("số quyết định kéo dài"), max_length=64, blank=True
    )
    extension_decision_date = models.DateField(_("ngày quyết định kéo dài"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)

    class Meta:
        verbose_name = _("dòng kế hoạch vốn")
        verbose_name_plural = _("dòng kế hoạch vốn")
        ordering = ["project", "year", "id"]
        indexes = [
            models.Index(fields=["year", "project"], name="inv_planline_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year or ''} {self.source}: {self.amount:,} đ"
