from django.db import models
from django.utils.translation import gettext_lazy as _


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
