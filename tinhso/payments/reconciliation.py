"""Daily reconciliation: the platform's paid requests against the gateway's statement.

A day is a calendar day in Vietnam (GMT+7). A line is "matched" when the same
reference is paid on both sides with the same amount; otherwise it is a
mismatch: paid on the platform but missing from the statement, on the
statement but not paid on the platform (e.g. a callback refused as late), or
with different amounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tinhso.payments.choices import PaymentStatus
from tinhso.payments.gateways.vnpay import VN_TZ
from tinhso.payments.models import PaymentRequest

MATCHED = "matched"
MISSING_ON_GATEWAY = "missing_on_gateway"
MISSING_ON_PLATFORM = "missing_on_platform"
AMOUNT_DIFFERS = "amount_differs"


@dataclass
class ReconciliationLine:
    reference: str
    kind: str
    platform_amount: int | None = None
    gateway_amount: int | None = None
    transaction_no: str = ""
    dossier_code: str = ""


@dataclass
class Reconciliation:
    date: dt.date
    gateway: str
    lines: list[ReconciliationLine] = field(default_factory=list)

    @property
    def mismatches(self) -> list[ReconciliationLine]:
        return [line for line in self.lines if line.kind != MATCHED]

    @property
    def platform_total(self) -> int:
        return sum(line.platform_amount or 0 for line in self.lines)

    @property
    def gateway_total(self) -> int:
        return sum(line.gateway_amount or 0 for line in self.lines)


def parse_date(text) -> dt.date:
    from tinhso.payments.errors import InvalidDate

    try:
        return dt.date.fromisoformat(str(text or "").strip()[:10])
    except ValueError:
        raise InvalidDate() from None


def reconcile(date: dt.date, *, gateway=None) -> Reconciliation:
    from tinhso.payments.gateways import get_gateway

    gateway = gateway or get_gateway()
    start = dt.datetime.combine(date, dt.time(0), tzinfo=VN_TZ)
    end = start + dt.timedelta(days=1)
    platform = {
        p.reference: p
        for p in PaymentRequest.objects.select_related("dossier").filter(
            status=PaymentStatus.PAID, paid_at__gte=start, paid_at__lt=end
        )
    }
    statement = {line.reference: line for line in gateway.statement(date)}
    # A statement line of this day may match a request the platform recorded paid
    # on another day (a callback after midnight): look those up too.
    others = {
        p.reference: p
        for p in PaymentRequest.objects.select_related("dossier").filter(
            reference__in=[r for r in statement if r not in platform], status=PaymentStatus.PAID
        )
    }
    report = Reconciliation(date=date, gateway=gateway.name)
    for reference in sorted(set(platform) | set(statement)):
        payment = platform.get(reference) or others.get(reference)
        line = statement.get(reference)
        if line is None:
            kind = MISSING_ON_GATEWAY
        elif payment is None:
            kind = MISSING_ON_PLATFORM
        elif payment.amount != line.amount:
            kind = AMOUNT_DIFFERS
        else:
            kind = MATCHED
        report.lines.append(
            ReconciliationLine(
                reference=reference,
                kind=kind,
                platform_amount=payment.amount if payment else None,
                gateway_amount=line.amount if line else None,
                transaction_no=(line.transaction_no if line else payment.transaction_no),
                dossier_code=(payment.dossier.code or "") if payment else "",
            )
        )
    return report
