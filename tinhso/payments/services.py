"""Payment writes: open a request for a dossier's fees, apply a verified callback, cancel.

The dossier side (status, clock, history, notification) is the workflow's:
``tinhso.dossiers.actions`` ``request_payment``, ``confirm_payment`` and
``cancel_payment`` call into here inside their transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tinhso.core.audit import audit_record
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.errors import InvalidAmount, NoFees
from tinhso.payments.models import PaymentRequest

MAX_AMOUNT = 10_000_000_000  # 10 billion đồng: far above any administrative fee


def fee_items(dossier) -> list[dict]:
    """The fee lines of the dossier's procedure for its case (``Procedure.fees``)."""
    return [
        {"name": fee.name, "kind": fee.kind, "amount": int(fee.amount)}
        for fee in dossier.procedure.fees(dossier.case)
        if fee.amount
    ]


def parse_amount(value) -> int | None:
    """An officer's amount: None when not given, else a positive whole number of đồng."""
    if value is None or value == "":
        return None
    text = str(value).replace(".", "").replace(",", "").replace(" ", "")
    if isinstance(value, bool) or not text.isdigit():
        raise InvalidAmount()
    amount = int(text)
    if amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidAmount()
    return amount


def planned_items(dossier, *, amount: int | None, reason: str = "") -> list[dict]:
    """The lines of a new request: the procedure's fees, or the officer's one amount."""
    if amount is not None:
        return [{"name": reason, "kind": "set", "amount": amount}]
    items = fee_items(dossier)
    if not items:
        raise NoFees()
    return items


def new_reference(at: dt.datetime) -> str:
    """``TS`` + yyMMdd + 10 hex characters: unique, alphanumeric (gateways accept it)."""
    local = timezone.localtime(at)
    return f"TS{local:%y%m%d}{secrets.token_hex(5).upper()}"


def payment_request_open(
    *, actor, dossier, at: dt.datetime, amount: int | None = None, reason: str = ""
) -> PaymentRequest:
    """Create the pending request (the caller changes the dossier); audited."""
    items = planned_items(dossier, amount=amount, reason=reason)
    total = sum(item["amount"] for item in items)
    if total <= 0 or total > MAX_AMOUNT:
        raise InvalidAmount()
    hours = getattr(settings, "TINHSO_PAYMENT_EXPIRY_HOURS", 72)
    with transaction.atomic():
        payment = PaymentRequest.objects.create(
            dossier=dossier,
            reference=new_reference(at),
            amount=total,
            items=items,
            reason=reason if amount is not None else "",
            status_before=dossier.status,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            requested_at=at,
            expires_at=at + dt.timedelta(hours=hours),
        )
        audit_record(
            actor=actor,
            action="payment.request",
            obj=payment,
            changes={"dossier": dossier.code, "amount": total, "reference": payment.reference},
        )
    return payment


def pending_for(dossier) -> PaymentRequest | None:
    return (
        PaymentRequest.objects.select_for_update()
        .filter(dossier=dossier, status=PaymentStatus.PENDING)
        .order_by("-requested_at", "-id")
        .first()
    )


def payment_request_cancel(*, actor, dossier, reason: str = "") -> PaymentRequest | None:
    """Cancel the dossier's pending request, if any (the caller changes the dossier)."""
    payment = pending_for(dossier)
    if payment is None:
        return None
    payment.status = PaymentStatus.CANCELLED
    payment.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="payment.cancel",
        obj=payment,
        changes={"status": [PaymentStatus.PENDING, PaymentStatus.CANCELLED], "note": reason},
    )
    return payment


def payment_mark_paid(
    *, payment: PaymentRequest, at: dt.datetime, gateway: str, transaction_no: str, bank_code: str
) -> PaymentRequest:
    """A verified, matching callback: the request is paid and the dossier goes back to work.

    The caller holds the request's row lock and has checked it is pending; the
    dossier's ``confirm_payment`` action runs as the system (actor None).
    """
    from tinhso.dossiers.actions import dossier_act

    with transaction.atomic():
        payment.status = PaymentStatus.PAID
        payment.paid_at = at
        payment.gateway = gateway[:32]
        payment.transaction_no = transaction_no[:64]
        payment.bank_code = bank_code[:32]
        payment.receipt_number = f"BL{timezone.localtime(at):%Y}-{payment.pk:08d}"
        fields = ["status", "paid_at", "gateway", "transaction_no", "bank_code", "receipt_number"]
        payment.save(update_fields=fields)
        audit_record(
            actor=None,
            action="payment.paid",
            obj=payment,
            changes={
                "status": [PaymentStatus.PENDING, PaymentStatus.PAID],
                "transaction_no": payment.transaction_no,
                "amount": payment.amount,
            },
        )
        dossier_act(actor=None, dossier=payment.dossier, action="confirm_payment", payment=payment)
    return payment


# --- callbacks -------------------------------------------------------------------

MAX_PARAMS = 40
MAX_VALUE = 500


def _raw(params) -> dict[str, str]:
    """The parameters as received, bounded (kept on the callback row)."""
    items = list(params.items())[:MAX_PARAMS]
    return {str(k)[:64]: str(v)[:MAX_VALUE] for k, v in items}


def payment_callback_handle(*, params, source: str = "ipn", gateway=None):
    """Verify one gateway callback and apply it at most once; every callback is recorded.

    Returns ``(callback, answer)``: the ``PaymentCallback`` row and the body the
    gateway expects. Only a correctly signed callback for a known, pending,
    unexpired request with the exact amount and a successful transaction
    changes anything (the request is paid, the dossier goes back to work).
    """
    from tinhso.core import calendar
    from tinhso.core.exceptions import TinhsoError
    from tinhso.payments.choices import CallbackVerdict as V
    from tinhso.payments.gateways import get_gateway
    from tinhso.payments.models import PaymentCallback

    gateway = gateway or get_gateway()
    raw = _raw(params)
    result = gateway.verify_callback(raw)
    at = calendar.now()
    payment = None
    with transaction.atomic():
        if not result.valid:
            verdict, code = V.BAD_SIGNATURE, "97"
        else:
            payment = (
                PaymentRequest.objects.select_for_update()
                .select_related("dossier")
                .filter(reference=result.reference)
                .first()
            )
            if payment is None:
                verdict, code = V.UNKNOWN_ORDER, "01"
            elif result.amount != payment.amount:
                verdict, code = V.WRONG_AMOUNT, "04"
            elif payment.status == PaymentStatus.PAID:
                verdict, code = V.REPLAY, "02"
            elif payment.status != PaymentStatus.PENDING or (
                payment.expires_at is not None and at > payment.expires_at
            ):
                verdict, code = V.NOT_PENDING, "02"
            elif not result.success:
                verdict, code = V.FAILED_PAYMENT, "00"
            else:
                verdict, code = V.APPLIED, "00"
        if verdict == V.APPLIED:
            try:
                with transaction.atomic():
                    payment_mark_paid(
                        payment=payment,
                        at=at,
                        gateway=gateway.name,
                        transaction_no=result.transaction_no,
                        bank_code=result.bank_code,
                    )
            except TinhsoError:
                payment.refresh_from_db()
                verdict, code = V.NOT_PENDING, "02"
        callback = PaymentCallback.objects.create(
            payment=payment,
            reference=(result.reference or raw.get("vnp_TxnRef", ""))[:100],
            source=source[:16],
            params=raw,
            verdict=verdict,
            response_code=code,
            received_at=at,
        )
        if verdict != V.APPLIED:
            audit_record(
                actor=None,
                action="payment.callback_refused",
                obj=callback,
                changes={"verdict": verdict, "reference": callback.reference},
            )
    return callback, gateway.ipn_answer(code)
