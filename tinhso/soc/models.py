"""Stored alerts (with their evidence) and decisions (ban, rate-limit, challenge)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.querysets import RestrictedQuerySet
from tinhso.soc.choices import DecisionKind, Scope, Severity


def _it_admin_only(user) -> Q | bool | None:
    from tinhso.core.choices import Role

    return None if getattr(user, "role", None) == Role.IT_ADMIN else False


class Alert(models.Model):
    """A rule fired: which rule, against whom, and the events that made it fire."""

    rule = models.CharField(_("luật"), max_length=64)
    severity = models.CharField(_("mức độ"), max_length=16, choices=Severity.choices)
    source_ip = models.GenericIPAddressField(_("địa chỉ nguồn"), null=True, blank=True)
    user = models.CharField(_("người dùng"), max_length=150, blank=True)
    summary = models.CharField(_("tóm tắt"), max_length=255)
    evidence = models.JSONField(_("bằng chứng"), default=list)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)

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
