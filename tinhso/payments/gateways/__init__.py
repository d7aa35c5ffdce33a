"""The configured payment gateway: ``TINHSO_PAYMENT_GATEWAY`` = simulator | vnpay | dotted path."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from tinhso.payments.gateways.base import (
    CallbackResult,
    PaymentGateway,
    QueryResult,
    StatementLine,
)

__all__ = ["CallbackResult", "PaymentGateway", "QueryResult", "StatementLine", "get_gateway"]


def get_gateway() -> PaymentGateway:
    choice = getattr(settings, "TINHSO_PAYMENT_GATEWAY", "simulator") or "simulator"
    if choice == "simulator":
        from tinhso.payments.gateways.simulator import SimulatorGateway

        return SimulatorGateway()
    if choice == "vnpay":
        from tinhso.payments.gateways.vnpay import VnpayGateway

        return VnpayGateway(
            tmn_code=settings.TINHSO_VNPAY_TMN_CODE,
            hash_secret=settings.TINHSO_VNPAY_HASH_SECRET,
            pay_url=settings.TINHSO_VNPAY_PAY_URL,
            api_url=settings.TINHSO_VNPAY_API_URL,
        )
    return import_string(choice)()
