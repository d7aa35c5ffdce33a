"""The local gateway simulator's own books (the bank side), read by its statement."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.money import format_money


class SimulatedTransaction(models.Model):
    """One transaction as the simulated gateway records it, independent of the platform.

    Reconciliation compares the platform's paid requests with these rows, so
    they are written by the simulator only, never by the callback handling.
    """

    reference = models.CharField(_("mã thanh toán"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    transaction_no = models.CharField(_("mã giao dịch tại cổng"), max_length=64, unique=True)
    response_code = models.CharField(_("mã kết quả"), max_length=4)
    bank_code = models.CharField(_("ngân hàng"), max_length=32, default="NCB")
    order_info = models.CharField(_("nội dung thanh toán"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("thời điểm giao dịch"))

    class Meta:
        verbose_name = _("giao dịch giả lập")
        verbose_name_plural = _("giao dịch giả lập")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.transaction_no} {self.reference}: {format_money(self.amount)}"
