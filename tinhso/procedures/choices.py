"""Choices of the procedure catalogue (stored values are English, labels Vietnamese)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureLevel(models.TextChoices):
    """Where a procedure is carried out since the two-tier reform (1 July 2025)."""

    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class ServiceLevel(models.TextChoices):
    """Online public-service level (Decree 42/2022/NĐ-CP, art. 11)."""

    FULL_ONLINE = "full_online", _("Dịch vụ công trực tuyến toàn trình")
    PARTIAL_ONLINE = "partial_online", _("Dịch vụ công trực tuyến một phần")
    INFORMATION_ONLY = "information_only", _("Chỉ cung cấp thông tin")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class StepKind(models.TextChoices):
    RECEIVE = "receive", _("Tiếp nhận")
    PROCESS = "process", _("Xử lý")
    APPROVE = "approve", _("Phê duyệt")
    RETURN = "return", _("Trả kết quả")
