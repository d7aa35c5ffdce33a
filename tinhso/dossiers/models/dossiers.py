"""One-stop dossiers (hồ sơ), their files, history and supplement requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import Role
from tinhso.core.querysets import RestrictedQuerySet
from tinhso.core.workflow import WorkflowEventBase, WorkflowSubject
from tinhso.dossiers.choices import Channel, DossierStatus


class Dossier(WorkflowSubject):
    """One application by a citizen or a business for one procedure.

    ``receiving_organisation`` is the centre or commune committee that received
    it: any of the province ("phi địa giới", Decree 118/2025/NĐ-CP).
    ``competent_organisation`` is the agency that decides it, found by routing
    (``tinhso.dossiers.routing``). ``unit`` is the administrative unit the
    dossier concerns; leaders' scopes are read from it. ``code`` stays null
    until the code is assigned at submission (``{agency}-{yyMMdd}-{NNNN}``).
    The workflow fields (status, step, deadlines, version) come from
    ``tinhso.core.workflow.WorkflowSubject``.
    """

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    case = models.ForeignKey(
        "procedures.ProcedureCase",
        verbose_name=_("trường hợp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    applicant = models.ForeignKey(
        "core.Citizen",
        verbose_name=_("người nộp hồ sơ"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant_phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("hình thức nộp"), max_length=16, choices=Channel.choices)
    receiving_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("nơi tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    competent_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("cơ quan có thẩm quyền"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "core.AdministrativeUnit",
        verbose_name=_("đơn vị hành chính"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    returned_late = models.BooleanField(_("trả muộn"), null=True, blank=True)
    supplement_count = models.PositiveIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    refusal_reason = models.TextField(_("lý do từ chối, dừng"), blank=True)
    idempotency_key = models.CharField(_("khoá chống gửi trùng"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="dossier_idempotency",
            ),
        ]
        indexes = [
            # The inbox: open dossiers at a step of a role in an organisation, by step due.
            models.Index(
                fields=["current_organisation", "current_role", "status", "step_due_at"],
                name="dossier_inbox_idx",
            ),
            models.Index(fields=["assignee", "status"], name="dossier_assignee_idx"),
            models.Index(
                fields=["competent_organisation", "status", "due_at"],
                name="dossier_competent_idx",
            ),
            models.Index(
                fields=["receiving_organisation", "status", "due_at"],
                name="dossier_receiving_idx",
            ),
            models.Index(fields=["applicant", "submitted_at"], name="dossier_applicant_idx"),
            models.Index(fields=["unit", "status"], name="dossier_unit_idx"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        """Which dossiers ``user`` reaches (docs/workflow.md, "Who sees what").

        IT administrators get none: they run the platform, not dossiers (their
        role has no dossier action in ``ROLE_ACTIONS``, so this is not asked).
        """
        from tinhso.core.permissions import organisation_ids, scope_filter

        if user.role == Role.CITIZEN:
            own = Q(submitted_by_id=user.pk)
            if user.citizen_id:
                own |= Q(applicant_id=user.citizen_id)
            return own
        if user.role == Role.LEADER:
            return scope_filter(user, unit="unit_id")
        organisations = organisation_ids(user)
        if organisations is None:
            return None
        if not organisations:
            return False
        condition = Q(competent_organisation_id__in=organisations) | Q(
            current_organisation_id__in=organisations
        )
        if user.role == Role.DESK_OFFICER:
            condition |= Q(receiving_organisation_id__in=organisations)
        return condition


class DossierFile(models.Model):
    """A file submitted for one component of a dossier (at submission or as a supplement)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="files"
    )
    component = models.ForeignKey(
        "procedures.Component",
        verbose_name=_("thành phần hồ sơ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stored_file = models.ForeignKey(
        "core.StoredFile", verbose_name=_("tệp"), on_delete=models.PROTECT, related_name="+"
    )
    supplement = models.ForeignKey(
        "dossiers.SupplementRequest",
        verbose_name=_("bổ sung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="files",
    )
    created_at = models.DateTimeField(_("nộp lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")
        ordering = ["dossier", "component__order", "id"]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.component.code}"


class DossierEvent(WorkflowEventBase):
    """One row of a dossier's history (every action, with who, when and why)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")
        ordering = ["dossier", "at", "id"]


class SupplementRequest(models.Model):
    """A request to the applicant to add or correct papers; the clock stands still until answered."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="supplements"
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("lý do"))
    items = models.JSONField(_("nội dung cần bổ sung"), default=list, blank=True)
    status_before = models.CharField(
        _("trạng thái trước khi yêu cầu"), max_length=32, choices=DossierStatus.choices
    )
    resolved_at = models.DateTimeField(_("bổ sung lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người bổ sung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("ghi chú khi bổ sung"), blank=True)

    class Meta:
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")
        ordering = ["dossier", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.requested_at:%d/%m/%Y}"
