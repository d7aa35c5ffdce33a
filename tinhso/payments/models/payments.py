"""Payment requests (financial obligations of a dossier) and the gateway's callbacks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.money import format_money
from tinhso.payments.choices import CallbackVerdict, PaymentStatus


class PaymentRequest(models.Model):
    """A request to the citizen to pay the fees of one dossier (nghĩa vụ tài chính).

    ``amount`` is in whole đồng (VND has no minor unit). ``items`` lists the fee
    lines ``[{"name", "amount"}]``; an amount set by the officer has one line and
    a ``reason``. ``reference`` is the order reference sent to the gateway
    (``vnp_TxnRef``), unique on the platform. ``status_before`` is the dossier
    status the dossier returns to once paid.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="payment_requests",
    )
    reference = models.CharField(_("mã thanh toán"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    items = models.JSONField(_("các khoản thu"), default=list, blank=True)
    reason = models.TextField(_("lý do điều chỉnh số tiền"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
    )
    status_before = models.CharField(_("trạng thái hồ sơ trước khi yêu cầu"), max_length=32)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("thời điểm yêu cầu"))
    expires_at = models.DateTimeField(_("hạn thanh toán"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thời điểm thanh toán"), null=True, blank=True)
    gateway = models.CharField(_("cổng thanh toán"), max_length=32, blank=True)
    transaction_no = models.CharField(_("mã giao dịch tại cổng"), max_length=64, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=32, blank=True)
    receipt_number = models.CharField(_("số biên lai"), max_length=40, blank=True)
    receipt_form = models.CharField(_("ký hiệu mẫu biên lai"), max_length=20, blank=True)
    receipt_serial = models.CharField(_("ký hiệu biên lai"), max_length=20, blank=True)
    receipt_issuer = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("tổ chức thu phí, lệ phí"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    receipt_file = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("tệp biên lai đã ký"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay cho yêu cầu đã hết hạn"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    expired_at = models.DateTimeField(_("thời điểm hết hạn thực tế"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu thanh toán")
        verbose_name_plural = _("yêu cầu thanh toán")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "paid_at"], name="payments_status_paid"),
            models.Index(fields=["status", "expires_at"], name="payments_status_expires"),
        ]
        constraints = [
            # One number per collecting agency and receipt serial (the serial carries the year).
            models.UniqueConstraint(
                fields=["receipt_issuer", "receipt_serial", "receipt_number"],
                condition=~models.Q(receipt_number=""),
                name="payments_receipt_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {format_money(self.amount)}"


class PaymentCallback(models.Model):
    """One callback (IPN) or return from the gateway, kept whatever it said.

    ``params`` are the raw parameters as received; ``verdict`` what the platform
    made of them; ``response_code`` the code answered to the gateway.
    """

    payment = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("yêu cầu thanh toán"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    reference = models.CharField(_("mã thanh toán"), max_length=100, blank=True)
    source = models.CharField(_("nguồn"), max_length=16, default="ipn")
    params = models.JSONField(_("tham số nhận được"), default=dict)
    verdict = models.CharField(
        _("kết quả kiểm tra"), max_length=16, choices=CallbackVerdict.choices
    )
    response_code = models.CharField(_("mã trả lời"), max_length=4, blank=True)
    received_at = models.DateTimeField(_("thời điểm nhận"))

    class Meta:
        verbose_name = _("phản hồi từ cổng thanh toán")
        verbose_name_plural = _("phản hồi từ cổng thanh toán")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference or '?'}: {self.verdict}"
