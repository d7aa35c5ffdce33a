"""Process templates: the ordered steps a dossier of a procedure goes through."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import OrganisationKind, Role
from tinhso.procedures.choices import StepKind


class ProcessTemplate(models.Model):
    """The process (quy trình nội bộ) of a procedure, or of one of its cases.

    A dossier follows its case's template when there is one, else the
    procedure's (``selectors.template_for``). ``services.template_validate``
    checks the steps against the legal time.
    """

    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.CASCADE,
        related_name="templates",
    )
    case = models.ForeignKey(
        "procedures.ProcedureCase",
        verbose_name=_("trường hợp"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="templates",
    )
    name = models.CharField(_("tên quy trình"), max_length=255)

    class Meta:
        verbose_name = _("quy trình xử lý")
        verbose_name_plural = _("quy trình xử lý")
        ordering = ["procedure", "case", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(case__isnull=True),
                name="procedures_template_procedure",
            ),
            models.UniqueConstraint(
                fields=["procedure", "case"],
                condition=Q(case__isnull=False),
                name="procedures_template_case",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of a template: who acts (role, agency kind) and in how many working hours.

    ``agency_kind`` blank means the procedure's competent agency. ``on_approve``
    null means the next step by order; ``on_refuse`` null means the dossier ends
    as refused.
    """

    template = models.ForeignKey(
        ProcessTemplate, verbose_name=_("quy trình"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.SlugField(_("mã bước"), max_length=64)
    name = models.CharField(_("tên bước"), max_length=255)
    role = models.CharField(_("vai trò xử lý"), max_length=20, choices=Role.choices)
    agency_kind = models.CharField(
        _("loại cơ quan xử lý"), max_length=32, choices=OrganisationKind.choices, blank=True
    )
    duration_hours = models.DecimalField(
        _("thời gian (giờ làm việc)"), max_digits=8, decimal_places=2
    )
    kind = models.CharField(_("loại bước"), max_length=16, choices=StepKind.choices)
    on_approve = models.ForeignKey(
        "self",
        verbose_name=_("bước tiếp theo khi đồng ý"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    on_refuse = models.ForeignKey(
        "self",
        verbose_name=_("bước tiếp theo khi từ chối"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="procedures_step_order"),
            models.UniqueConstraint(fields=["template", "code"], name="procedures_step_code"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
