"""Alerts on projects: raised by ``alerts_evaluate``, routed to the owner, acknowledged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.investment.choices import AlertKind, AlertSeverity
from tinhso.investment.models.projects import ProjectScoped


class Alert(ProjectScoped):
    """A warning about one project for one period (``period``: "2025-09", "2025-W37" ...).

    At most one open alert (``closed_at`` empty) per project, kind and period,
    so evaluating again changes nothing. An alert closes when its condition no
    longer holds; acknowledging it records who saw it and leaves it open.
    ``evidence`` holds the figures the message was built from.
    """

    project = models.ForeignKey(
        "investment.Project",
        verbose_name=_("dự án"),
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    kind = models.CharField(_("loại cảnh báo"), max_length=32, choices=AlertKind.choices)
    period = models.CharField(_("kỳ"), max_length=16)
    severity = models.CharField(
        _("mức độ"), max_length=16, choices=AlertSeverity.choices, default=AlertSeverity.WARNING
    )
    message = models.TextField(_("nội dung"))
    evidence = models.JSONField(_("số liệu"), default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm phát hiện"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận đã xem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True)
    acknowledged_note = models.CharField(_("ghi chú khi xác nhận"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("thời điểm đóng"), null=True, blank=True)

    class Meta:
        verbose_name = _("cảnh báo")
        verbose_name_plural = _("cảnh báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "period"],
                condition=Q(closed_at__isnull=True),
                name="inv_alert_open_unique",
            )
        ]
        indexes = [models.Index(fields=["closed_at", "kind"], name="inv_alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.period}"
