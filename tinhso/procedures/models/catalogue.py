"""The catalogue of administrative procedures (thủ tục hành chính, TTHC)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import OrganisationKind
from tinhso.core.money import format_money
from tinhso.core.querysets import RestrictedQuerySet
from tinhso.procedures.choices import FeeKind, ProcedureLevel, ServiceLevel, TimeUnit


class Field(models.Model):
    """A field of State management (lĩnh vực) that groups procedures: "Hộ tịch", "Đất đai"."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    search_key = models.CharField(max_length=255, db_index=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from tinhso.core.text import fold, normalise

        self.name = normalise(self.name)
        self.search_key = fold(self.name)[:255]
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        # The catalogue is public; changing it is for IT administrators
        # (decided by core.permissions before this is asked).
        return None


class Procedure(models.Model):
    """One administrative procedure of the catalogue, identified by its national code.

    ``national_code`` is the code the national procedure database
    (csdl.dichvucong.gov.vn) gives, "1.001193" or "2.000488": one catalogue per
    deployment, so it is unique on its own. Times are legal maximums counted
    from valid receipt; ``time_unit`` says how (working days, working hours or
    calendar days where the law says so). ``online_processing_time`` is set only
    when submitting online shortens it.
    """

    national_code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_key = models.CharField(max_length=600, db_index=True, editable=False)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=ProcedureLevel.choices)
    agency_kind = models.CharField(
        _("loại cơ quan có thẩm quyền"), max_length=32, choices=OrganisationKind.choices
    )
    implementing_agency = models.CharField(_("cơ quan thực hiện"), max_length=500, blank=True)
    service_level = models.CharField(
        _("mức độ dịch vụ công"), max_length=20, choices=ServiceLevel.choices
    )
    processing_time = models.DecimalField(_("thời hạn giải quyết"), max_digits=8, decimal_places=2)
    time_unit = models.CharField(
        _("đơn vị thời hạn"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
    )
    online_processing_time = models.DecimalField(
        _("thời hạn giải quyết trực tuyến"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    applicants = models.TextField(_("đối tượng thực hiện"), blank=True)
    steps_note = models.TextField(_("trình tự thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    receiving_note = models.TextField(_("cách thức thực hiện, nơi tiếp nhận"), blank=True)
    fee_note = models.TextField(_("phí, lệ phí"), blank=True)
    result_type = models.TextField(_("kết quả thực hiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    is_demo = models.BooleanField(_("dữ liệu minh hoạ"), default=False)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["national_code"]

    def __str__(self) -> str:
        return f"{self.national_code} {self.name}"

    def save(self, *args, **kwargs):
        from tinhso.core.text import fold, normalise

        self.name = normalise(self.name)
        self.search_key = fold(f"{self.name} {self.national_code}")[:600]
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return None

    @property
    def is_online(self) -> bool:
        """Whether a dossier can be submitted online (full or partial online)."""
        return self.service_level in (ServiceLevel.FULL_ONLINE, ServiceLevel.PARTIAL_ONLINE)

    def legal_duration(self, case: ProcedureCase | None = None) -> tuple[Decimal, str]:
        """The legal processing time as ``(amount, unit)``, the case's when it sets one."""
        if case is not None:
            if case.procedure_id != self.pk:
                raise ValueError("the case belongs to another procedure")
            if case.processing_time is not None:
                return Decimal(case.processing_time), case.time_unit or self.time_unit
        return Decimal(self.processing_time), self.time_unit

    def fees(self, case: ProcedureCase | None = None) -> list[Fee]:
        """The fee items due: a case's own items replace the procedure's when it has any."""
        items = list(self.fee_items.all())
        if case is not None:
            own = [item for item in items if item.case_id == case.pk]
            if own:
                return own
        return [item for item in items if item.case_id is None]

    def components_for(self, case: ProcedureCase | None = None) -> list[Component]:
        """The components to submit: those for every case plus the case's own."""
        return [
            item
            for item in self.components.all()
            if item.case_id is None or (case is not None and item.case_id == case.pk)
        ]


class ProcedureCase(models.Model):
    """A variant of a procedure (trường hợp) that may change its time, fees or components.

    A null ``processing_time`` keeps the procedure's; a blank ``time_unit`` keeps
    the procedure's unit.
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="cases"
    )
    code = models.SlugField(_("mã trường hợp"), max_length=64)
    name = models.CharField(_("tên trường hợp"), max_length=500)
    processing_time = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices, blank=True
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("trường hợp")
        verbose_name_plural = _("trường hợp")
        ordering = ["procedure", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "code"], name="procedures_case_code")
        ]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """One fee (phí) or charge (lệ phí) item, in VND; ``case`` null = for every case."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="fee_items"
    )
    case = models.ForeignKey(
        ProcedureCase,
        verbose_name=_("trường hợp"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fee_items",
    )
    name = models.CharField(_("tên khoản thu"), max_length=500)
    kind = models.CharField(
        _("loại"), max_length=8, choices=FeeKind.choices, default=FeeKind.CHARGE
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {format_money(self.amount)}"


class Component(models.Model):
    """A paper of the dossier (thành phần hồ sơ), for every case or for one (``case``).

    ``code`` is a stable slug, unique per procedure: dossiers name their files by it.
    ``reusable`` marks a paper the citizen may take from their stored papers
    (kho dữ liệu cá nhân) instead of uploading it again.
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="components"
    )
    case = models.ForeignKey(
        ProcedureCase,
        verbose_name=_("trường hợp"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="components",
    )
    code = models.SlugField(_("mã thành phần"), max_length=64)
    name = models.CharField(_("tên giấy tờ"), max_length=1000)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    template_file = models.FileField(
        _("mẫu đơn, tờ khai"), upload_to="procedures/templates/", max_length=255, blank=True
    )
    template_name = models.CharField(_("tên mẫu"), max_length=255, blank=True)
    reusable = models.BooleanField(_("dùng lại từ kho giấy tờ"), default=False)
    accepted_types = models.CharField(
        _("định dạng chấp nhận"), max_length=64, default="pdf,jpg,jpeg,png"
    )
    max_size_mb = models.PositiveSmallIntegerField(_("dung lượng tối đa (MB)"), default=10)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "code"], name="procedures_component_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def extensions(self) -> list[str]:
        """Accepted file extensions, lower case, without dots."""
        return [
            part.strip().lower().lstrip(".")
            for part in self.accepted_types.split(",")
            if part.strip()
        ]
