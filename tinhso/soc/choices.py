from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    IP = "ip", _("Địa chỉ IP")
    RANGE = "range", _("Dải địa chỉ")
    USER = "user", _("Người dùng")


class DecisionKind(models.TextChoices):
    BAN = "ban", _("Chặn")
    RATE_LIMIT = "rate_limit", _("Giới hạn tần suất")
    CHALLENGE = "challenge", _("Yêu cầu xác minh")


class Severity(models.TextChoices):
    LOW = "low", _("Thấp")
    MEDIUM = "medium", _("Trung bình")
    HIGH = "high", _("Cao")
    CRITICAL = "critical", _("Nghiêm trọng")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Đang mở")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident", "Đã tiếp nhận")
    CLOSED = "closed", _("Đã đóng")


class CloseReason(models.TextChoices):
    FALSE_POSITIVE = "false_positive", _("Cảnh báo nhầm")
    RESOLVED = "resolved", _("Đã xử lý xong")
    DUPLICATE = "duplicate", _("Trùng sự cố khác")
    ACCEPTED_RISK = "accepted_risk", _("Chấp nhận rủi ro")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    WEBHOOK = "webhook", _("Webhook")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
