"""A local stand-in for the payment gateway, speaking exactly the VNPAY protocol.

The demo and the tests pay through it: its page (``/gia-lap-cong-thanh-toan/``,
``tinhso.payments.views``) plays the bank's page, then signs the result with the
simulator's own secret and delivers it the way the real gateway does: the IPN
(server to server, here an in-process call of the same handler the
``/api/v1/payments/ipn`` endpoint runs) and the browser's redirect to the return
URL. Its books (``SimulatedTransaction``) give ``query`` and ``statement``.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.urls import reverse

from tinhso.payments.gateways.base import QueryResult, StatementLine
from tinhso.payments.gateways.vnpay import VN_TZ, VnpayGateway

TMN_CODE = "TINHSO01"


def simulator_secret() -> str:
    """From ``TINHSO_PAYMENT_SIMULATOR_SECRET``, else derived from ``SECRET_KEY``."""
    explicit = getattr(settings, "TINHSO_PAYMENT_SIMULATOR_SECRET", "")
    if explicit:
        return explicit
    return hashlib.sha256(f"payment-simulator:{settings.SECRET_KEY}".encode()).hexdigest()


class SimulatorGateway(VnpayGateway):
    name = "simulator"

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("tmn_code", TMN_CODE)
        kwargs.setdefault("hash_secret", simulator_secret())
        kwargs.setdefault("pay_url", reverse("payments:simulator"))
        super().__init__(**kwargs)

    def query(self, reference: str) -> QueryResult:
        from tinhso.payments.models import SimulatedTransaction

        row = SimulatedTransaction.objects.filter(reference=reference).first()
        if row is None:
            return QueryResult(reference=reference, found=False)
        return QueryResult(
            reference=reference,
            found=True,
            success=row.response_code == "00",
            amount=row.amount,
            transaction_no=row.transaction_no,
        )

    def statement(self, date: dt.date) -> list[StatementLine]:
        """The day's successful transactions (GMT+7 calendar day)."""
        from tinhso.payments.models import SimulatedTransaction

        start = dt.datetime.combine(date, dt.time(0), tzinfo=VN_TZ)
        end = start + dt.timedelta(days=1)
        rows = SimulatedTransaction.objects.filter(
            response_code="00", created_at__gte=start, created_at__lt=end
        ).order_by("created_at", "id")
        return [StatementLine(r.reference, r.amount, r.transaction_no, r.created_at) for r in rows]
