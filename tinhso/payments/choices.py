"""Choices of payments (stored values English, labels Vietnamese)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    CANCELLED = "cancelled", _("Đã hủy")
    EXPIRED = "expired", _("Hết hạn")


class CallbackVerdict(models.TextChoices):
    """What the platform made of one gateway callback (kept for every callback)."""

    APPLIED = "applied", _("Đã ghi nhận thanh toán")
    FAILED_PAYMENT = "failed_payment", _("Giao dịch không thành công")
    BAD_SIGNATURE = "bad_signature", _("Sai chữ ký")
    UNKNOWN_ORDER = "unknown_order", _("Không tìm thấy yêu cầu thanh toán")
    WRONG_AMOUNT = "wrong_amount", _("Sai số tiền")
    REPLAY = "replay", _("Đã xử lý trước đó")
    NOT_PENDING = "not_pending", _("Yêu cầu thanh toán không còn hiệu lực")
    EXPIRED = "expired", _("Yêu cầu thanh toán đã hết hạn")
