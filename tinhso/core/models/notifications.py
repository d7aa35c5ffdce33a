from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import NotificationChannel, NotificationStatus


class Notification(models.Model):
    """One message to one recipient on one channel, and what became of it.

    Created by ``tinhso.core.notifications.notify`` in the caller's transaction and
    sent after it commits; a failed send is kept with its error. ``related_type``
    and ``related_id`` name what the message is about (``dossiers.dossier``, its id).
    """

    recipient_user_id = models.BigIntegerField(
        _("mã người nhận"), null=True, blank=True, db_index=True
    )
    recipient_email = models.EmailField(_("thư điện tử người nhận"), blank=True)
    recipient_phone = models.CharField(_("điện thoại người nhận"), max_length=32, blank=True)
    channel = models.CharField(_("kênh"), max_length=16, choices=NotificationChannel.choices)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    # Zalo ZNS sends an approved template with parameters rather than free text.
    template = models.CharField(_("mẫu tin"), max_length=64, blank=True)
    params = models.JSONField(_("tham số mẫu tin"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    error = models.TextField(_("lỗi"), blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=128, blank=True)
    related_type = models.CharField(_("loại đối tượng liên quan"), max_length=64, blank=True)
    related_id = models.CharField(_("mã đối tượng liên quan"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["related_type", "related_id"], name="notification_related_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"
