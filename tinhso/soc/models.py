"""Stored alerts (with their evidence) and decisions (ban, rate-limit, challenge)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.querysets import RestrictedQuerySet
from tinhso.soc.choices import (
    CloseReason,
    DecisionKind,
    IncidentStatus,
    NoticeChannel,
    NoticeStatus,
    Scope,
    Severity,
)

SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


def _it_admin_only(user) -> Q | bool | None:
    from tinhso.core.choices import Role

    return None if getattr(user, "role", None) == Role.IT_ADMIN else False


class Incident(models.Model):
    """The alerts against one address or one user, grouped while they keep coming.

    An alert joins the incident collecting for its key (``open_key``) when that incident
    was last seen within TINHSO_SOC_INCIDENT_WINDOW_MINUTES; otherwise the old one stops
    collecting (it stays open for the analyst) and a new one starts. ``open_key`` is unique
    (NULLs apart), so two alerts racing for the same key make one incident.
    """

    title = models.CharField(_("tiêu đề"), max_length=255)
    severity = models.CharField(_("mức độ"), max_length=16, choices=Severity.choices)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=IncidentStatus.choices,
        default=IncidentStatus.OPEN,
        db_index=True,
    )
    key_scope = models.CharField(_("loại đối tượng"), max_length=8, choices=Scope.choices)
    key = models.CharField(_("địa chỉ hoặc người dùng"), max_length=150, db_index=True)
    open_key = models.CharField(
        _("khóa gom nhóm"), max_length=160, null=True, blank=True, unique=True, editable=False
    )
    first_seen = models.DateTimeField(_("xuất hiện lần đầu"), db_index=True)
    last_seen = models.DateTimeField(_("xuất hiện lần cuối"), db_index=True)
    alert_count = models.PositiveIntegerField(_("số cảnh báo"), default=0)
    rules = models.JSONField(_("các luật"), default=list)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người phụ trách"),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tiếp nhận"),
    )
    acknowledged_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đóng"),
    )
    closed_at = models.DateTimeField(_("thời điểm đóng"), null=True, blank=True)
    close_reason = models.CharField(
        _("lý do đóng"), max_length=16, choices=CloseReason.choices, blank=True
    )
    close_note = models.TextField(_("ghi chú khi đóng"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("sự cố")
        verbose_name_plural = _("sự cố")
        indexes = [models.Index(fields=["status", "last_seen"])]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return _it_admin_only(user)

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 0)


class Alert(models.Model):
    """A rule fired: which rule, against whom, and the events that made it fire."""

    rule = models.CharField(_("luật"), max_length=64)
    severity = models.CharField(_("mức độ"), max_length=16, choices=Severity.choices)
    source_ip = models.GenericIPAddressField(_("địa chỉ nguồn"), null=True, blank=True)
    user = models.CharField(_("người dùng"), max_length=150, blank=True)
    summary = models.CharField(_("tóm tắt"), max_length=255)
    evidence = models.JSONField(_("bằng chứng"), default=list)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("sự cố"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cảnh báo")
        verbose_name_plural = _("cảnh báo")

    def __str__(self) -> str:
        return f"{self.rule} {self.source_ip or self.user}"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return _it_admin_only(user)


class Decision(models.Model):
    """Ban, rate-limit or challenge an address, a range or a user until ``expires_at``."""

    scope = models.CharField(_("phạm vi"), max_length=8, choices=Scope.choices)
    value = models.CharField(_("giá trị"), max_length=150, db_index=True)
    kind = models.CharField(_("loại"), max_length=16, choices=DecisionKind.choices)
    reason = models.CharField(_("lý do"), max_length=255)
    rule = models.CharField(_("luật"), max_length=64, blank=True)
    evidence = models.JSONField(_("bằng chứng"), default=list)
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    ttl_seconds = models.PositiveIntegerField(_("thời hạn (giây)"))
    offence = models.PositiveSmallIntegerField(_("lần vi phạm"), default=1)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn"), db_index=True)
    revoked_at = models.DateTimeField(_("thời điểm gỡ"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quyết định xử lý")
        verbose_name_plural = _("quyết định xử lý")
        indexes = [models.Index(fields=["scope", "value", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope}:{self.value} → {self.expires_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return _it_admin_only(user)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Notice(models.Model):
    """One message about an incident (new, or more severe) waiting for, or past, delivery.

    Written in the alert's transaction (an outbox); delivered outside it by a background
    thread or ``tinhso soc_notify``, retried with a growing delay up to
    TINHSO_SOC_NOTIFY_ATTEMPTS times, then marked failed with the last error.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="notices", verbose_name=_("sự cố")
    )
    channel = models.CharField(_("kênh"), max_length=16, choices=NoticeChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=1000)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    payload = models.JSONField(_("dữ liệu gửi"), default=dict)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=NoticeStatus.choices,
        default=NoticeStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("lần thử tiếp"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thông báo sự cố")
        verbose_name_plural = _("thông báo sự cố")

    def __str__(self) -> str:
        return f"{self.channel} {self.subject}"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return _it_admin_only(user)
