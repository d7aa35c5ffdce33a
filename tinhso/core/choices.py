from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Huyện, quận, thị xã")
    COMMUNE = "commune", _("Xã, phường, đặc khu")


class UnitVersion(models.TextChoices):
    """A published list of units; a code only means something with its version."""

    PRE_2025 = "2025-01", _("Trước 01/7/2025 (ba cấp)")
    POST_2025 = "2025-07", _("Từ 01/7/2025 (hai cấp)")


class MergeKind(models.TextChoices):
    FULL = "full", _("Nhập toàn bộ")
    PARTIAL = "partial", _("Nhập một phần")


class OrganisationKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", _("Ủy ban nhân dân tỉnh, thành phố")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    COMMUNE_COMMITTEE = "commune_committee", _("Ủy ban nhân dân xã, phường, đặc khu")
    PUBLIC_SERVICE_CENTRE = "public_service_centre", _("Trung tâm Phục vụ hành chính công")
    PROJECT_BOARD = "project_board", _("Ban quản lý dự án")
    OTHER = "other", _("Cơ quan, đơn vị khác")


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Công dân, doanh nghiệp")
    DESK_OFFICER = "desk_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    HEAD = "head", _("Lãnh đạo đơn vị")
    LEADER = "leader", _("Lãnh đạo tỉnh, xã")
    IT_ADMIN = "it_admin", _("Quản trị hệ thống")
    PROJECT_OWNER = "project_owner", _("Chủ đầu tư")


class CalendarDayKind(models.TextChoices):
    WORKING = "working", _("Ngày làm việc bù")
    DAY_OFF = "day_off", _("Ngày nghỉ")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
