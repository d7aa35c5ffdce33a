"""The payment errors: stable codes, Vietnamese messages (docs/errors.md)."""

from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import Conflict, NotFound, ValidationError


class NoFees(ValidationError):
    code = "no_fees"
    default_message = _("Thủ tục này không có khoản phí, lệ phí nào; hãy nhập số tiền và lý do.")


class InvalidAmount(ValidationError):
    code = "invalid_amount"
    default_message = _("Số tiền phải là số nguyên dương (đồng), không quá 10 tỷ đồng.")


class PaymentNotPending(Conflict):
    code = "payment_not_pending"
    default_message = _("Yêu cầu thanh toán này không còn chờ thanh toán.")


class ReceiptNotReady(NotFound):
    code = "receipt_not_ready"
    default_message = _("Chưa có biên lai: yêu cầu thanh toán chưa được thanh toán.")


class InvalidDate(ValidationError):
    code = "invalid_date"
    default_message = _("Ngày không hợp lệ, cần dạng YYYY-MM-DD.")
