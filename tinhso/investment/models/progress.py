"""Targets and progress: the monthly target curve, physical progress, bid packages,
contracts and obstacles."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.querysets import RestrictedQuerySet
from tinhso.investment.choices import BidMethod, CurveScope, ObstacleCause
from tinhso.investment.models.projects import ProjectScoped, project_scope_q

# Month 13 of a curve is 31 January of the next year (the end of the
# disbursement period of an annual plan, Law 58/2024 art. 68).
JAN_NEXT = 13


class TargetCurve(models.Model):
    """One point of a cumulative disbursement target curve (percent of the plan).

    ``scope`` is the province (``unit`` set, ``project`` empty) or one project
    (``project`` set). ``month`` is 1..12 for the end of that month of ``year``
    and 13 (``JAN_NEXT``) for 31 January of the next year. The province's 2025
    curve is 3, 8, 19, 28, 37, 50, 57, 62, 71, 77, 81, 93 and 99.7 at 31 January.
    """

    scope = models.CharField(_("phạm vi"), max_length=16, choices=CurveScope.choices)
    unit = models.ForeignKey(
        "core.AdministrativeUnit",
        verbose_name=_("địa phương"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="target_points",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    month = models.PositiveSmallIntegerField(
        _("tháng"), validators=[MinValueValidator(1), MaxValueValidator(JAN_NEXT)]
    )
    percent = models.DecimalField(
        _("tỷ lệ lũy kế (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục tiêu giải ngân lũy kế")
        verbose_name_plural = _("mục tiêu giải ngân lũy kế")
        ordering = ["scope", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month"],
                condition=Q(scope="province"),
                name="inv_curve_province_unique",
            ),
            models.UniqueConstraint(
                fields=["project", "year", "month"],
                condition=Q(scope="project"),
                name="inv_curve_project_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}/{self.month}: {self.percent}%"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        condition = project_scope_q(user, "project__")
        if condition is None:
            return None
        province = Q(scope=CurveScope.PROVINCE)
        return province if condition is False else province | condition


class ProgressSnapshot(ProjectScoped):
    """The physical progress of a project on a date (percent of the works done), with photos."""

    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        related_name="progress_snapshots",
    )
    date = models.DateField(_("ngày"))
    physical_percent = models.DecimalField(
        _("khối lượng thực hiện (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.TextField(_("ghi chú"), blank=True)
    photos = models.ManyToManyField(
        "core.StoredFile", verbose_name=_("ảnh hiện trường"), blank=True, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now)

    class Meta:
        verbose_name = _("tiến độ thực hiện")
        verbose_name_plural = _("tiến độ thực hiện")
        ordering = ["project", "-date", "-id"]
        indexes = [models.Index(fields=["project", "date"], name="inv_progress_idx")]

    def __str__(self) -> str:
        return f"{self.date}: {self.physical_percent}%"


class BidPackage(ProjectScoped):
    """A bid package (gói thầu) of the project's contractor-selection plan."""

    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        related_name="bid_packages",
    )
    name = models.CharField(_("tên gói thầu"), max_length=500)
    value = models.BigIntegerField(_("giá gói thầu (đồng)"))
    method = models.CharField(
        _("hình thức lựa chọn nhà thầu"), max_length=16, choices=BidMethod.choices
    )
    selection_start = models.DateField(_("thời gian bắt đầu lựa chọn"), null=True, blank=True)
    duration_days = models.PositiveIntegerField(
        _("thời gian thực hiện (ngày)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("gói thầu")
        verbose_name_plural = _("gói thầu")
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.name


class Contract(ProjectScoped):
    """The contract signed for a bid package."""

    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        related_name="contracts",
    )
    bid_package = models.ForeignKey(
        BidPackage, verbose_name=_("gói thầu"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("số hợp đồng"), max_length=64, blank=True)
    contractor = models.CharField(_("nhà thầu"), max_length=500)
    value = models.BigIntegerField(_("giá hợp đồng (đồng)"))
    signed_on = models.DateField(_("ngày ký"))
    end_date = models.DateField(_("ngày kết thúc"))

    class Meta:
        verbose_name = _("hợp đồng")
        verbose_name_plural = _("hợp đồng")
        ordering = ["project", "signed_on", "id"]
        indexes = [models.Index(fields=["end_date"], name="inv_contract_end_idx")]

    def __str__(self) -> str:
        return f"{self.number or self.pk}: {self.contractor}"


class ContractModification(ProjectScoped):
    """A change to a contract (an appendix): value change, new end date."""

    project = models.ForeignKey(
        "investment.Project", verbose_name=_("dự án"), on_delete=models.CASCADE, related_name="+"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("hợp đồng"), on_delete=models.CASCADE, related_name="modifications"
    )
    date = models.DateField(_("ngày"))
    description = models.TextField(_("nội dung điều chỉnh"))
    value_change = models.BigIntegerField(_("giá trị tăng, giảm (đồng)"), default=0)
    new_end_date = models.DateField(_("ngày kết thúc mới"), null=True, blank=True)

    class Meta:
        verbose_name = _("điều chỉnh hợp đồng")
        verbose_name_plural = _("điều chỉnh hợp đồng")
        ordering = ["contract", "date", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.date}"


class Obstacle(ProjectScoped):
    """A problem holding the project back (vướng mắc), who must solve it and by when."""

    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        related_name="obstacles",
    )
    description = models.TextField(_("nội dung vướng mắc"))
    cause = models.CharField(_("nguyên nhân"), max_length=16, choices=ObstacleCause.choices)
    responsible_party = models.CharField(_("đơn vị chịu trách nhiệm xử lý"), max_length=255)
    due_date = models.DateField(_("hạn xử lý"), null=True, blank=True)
    resolution = models.TextField(_("kết quả xử lý"), blank=True)
    resolved_at = models.DateTimeField(_("thời điểm xử lý xong"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now)

    class Meta:
        verbose_name = _("vướng mắc")
        verbose_name_plural = _("vướng mắc")
        ordering = ["project", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.description[:80]
