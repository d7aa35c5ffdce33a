"""Public-investment projects, their owners over time, decisions and total-investment versions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.querysets import RestrictedQuerySet
from tinhso.investment.choices import (
    DecisionKind,
    ProjectGroup,
    ProjectPhase,
    ProjectTier,
    Sector,
)


def project_scope_q(user, prefix: str = "") -> Q | bool | None:
    """The projects (or rows of a project, with ``prefix`` "project__") ``user`` reaches.

    A project owner (``Role.PROJECT_OWNER``), a specialist or a head reaches the
    projects their organisation owns; a leader the projects located in their units
    and the subtree below (province: all; commune: the commune's) and those owned
    by an organisation serving those units; an IT administrator has no investment
    role (decided by ``ROLE_ACTIONS`` before this is asked).
    """
    from tinhso.core.choices import Role
    from tinhso.core.permissions import organisation_ids, scope_filter

    if user.role == Role.LEADER:
        return scope_filter(user, unit=f"{prefix}unit_id", organisation=f"{prefix}owner_id")
    organisations = organisation_ids(user)
    if organisations is None:
        return None
    if not organisations:
        return False
    return Q(**{f"{prefix}owner_id__in": organisations})


class ProjectScoped(models.Model):
    """Rows that belong to one project and share its scope."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return project_scope_q(user, "project__")


class Project(models.Model):
    """A public-investment project (dự án đầu tư công).

    ``group`` is the group in force: ``group_override`` when set (with
    ``group_override_reason``), else the group derived from ``sector`` and
    ``total_investment`` by ``tinhso.investment.rules.project_group``.
    ``total_investment`` is the amount of the latest ``TotalInvestmentVersion``
    (whole đồng). ``version`` is the optimistic lock: every service that
    changes the project or its rows increments it, and a write sent with an
    older ``expected_version`` is refused (409 ``stale_version``).
    """

    code = models.CharField(_("mã dự án"), max_length=32, unique=True)
    name = models.CharField(_("tên dự án"), max_length=500)
    tier = models.CharField(_("cấp quản lý"), max_length=16, choices=ProjectTier.choices)
    owner = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("chủ đầu tư"),
        on_delete=models.PROTECT,
        related_name="investment_projects",
    )
    sector = models.CharField(_("lĩnh vực"), max_length=32, choices=Sector.choices)
    group = models.CharField(_("nhóm dự án"), max_length=8, choices=ProjectGroup.choices)
    group_override = models.CharField(
        _("nhóm dự án xác định riêng"), max_length=8, choices=ProjectGroup.choices, blank=True
    )
    group_override_reason = models.TextField(_("lý do xác định nhóm riêng"), blank=True)
    total_investment = models.BigIntegerField(_("tổng mức đầu tư (đồng)"), default=0)
    unit = models.ForeignKey(
        "core.AdministrativeUnit",
        verbose_name=_("địa điểm"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    latitude = models.DecimalField(
        _("vĩ độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("kinh độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    phase = models.CharField(
        _("giai đoạn"),
        max_length=16,
        choices=ProjectPhase.choices,
        default=ProjectPhase.PREPARATION,
    )
    start_year = models.PositiveSmallIntegerField(_("năm khởi công"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("năm hoàn thành"), null=True, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    updated_at = models.DateTimeField(_("thời điểm cập nhật"), default=timezone.now)
    # When the owner last reported anything (disbursement, progress): the
    # "no update for N days" alert reads it.
    last_reported_at = models.DateTimeField(_("lần cập nhật gần nhất"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dự án đầu tư công")
        verbose_name_plural = _("dự án đầu tư công")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["owner", "code"], name="inv_project_owner_idx"),
            models.Index(fields=["unit"], name="inv_project_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return project_scope_q(user)


class ProjectDecision(ProjectScoped):
    """A decision on a project: investment policy, investment, adjustment or extension."""

    project = models.ForeignKey(
        Project, verbose_name=_("dự án"), on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(_("loại quyết định"), max_length=16, choices=DecisionKind.choices)
    number = models.CharField(_("số quyết định"), max_length=64)
    date = models.DateField(_("ngày ban hành"))
    signer = models.CharField(_("người ký"), max_length=255, blank=True)
    file = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("tệp quyết định"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.BigIntegerField(_("giá trị (đồng)"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("quyết định của dự án")
        verbose_name_plural = _("quyết định của dự án")
        ordering = ["project", "date", "id"]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})"


class ProjectOwnership(ProjectScoped):
    """Who owned the project from when to when (the current owner has ``valid_to`` empty)."""

    project = models.ForeignKey(
        Project, verbose_name=_("dự án"), on_delete=models.CASCADE, related_name="ownerships"
    )
    owner = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("chủ đầu tư"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    decision = models.ForeignKey(
        ProjectDecision,
        verbose_name=_("quyết định giao chủ đầu tư"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("chủ đầu tư theo thời gian")
        verbose_name_plural = _("chủ đầu tư theo thời gian")
        ordering = ["project", "valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.owner_id} {self.valid_from}–{self.valid_to or ''}"


class TotalInvestmentVersion(ProjectScoped):
    """The project's total investment as approved (or adjusted) by a decision."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        related_name="total_investment_versions",
    )
    amount = models.BigIntegerField(_("tổng mức đầu tư (đồng)"))
    decision = models.ForeignKey(
        ProjectDecision,
        verbose_name=_("quyết định"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phiên bản tổng mức đầu tư")
        verbose_name_plural = _("phiên bản tổng mức đầu tư")
        ordering = ["project", "valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.amount:,} đ ({self.valid_from})"
