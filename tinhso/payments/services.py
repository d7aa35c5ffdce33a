"""Payment writes: open a request for a dossier's fees, apply a verified callback, cancel,
expire the unpaid ones and renew an expired one while the dossier still awaits payment.

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
from tinhso.core.links import public_url
from tinhso.core.money import format_money
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


def expiry_hours() -> int:
    """How long a request (and its gateway order, ``vnp_ExpireDate``) stays payable."""
    return max(1, int(getattr(settings, "TINHSO_PAYMENT_EXPIRY_HOURS", 72) or 72))


def payment_request_open(
    *, actor, dossier, at: dt.datetime, amount: int | None = None, reason: str = ""
) -> PaymentRequest:
    """Create the pending request (the caller changes the dossier); audited."""
    items = planned_items(dossier, amount=amount, reason=reason)
    total = sum(item["amount"] for item in items)
    if total <= 0 or total > MAX_AMOUNT:
        raise InvalidAmount()
    hours = expiry_hours()
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
    """Cancel the dossier's pending request, if any (the caller changes the dossier).

    With no pending request but an expired one (the applicant let it lapse), the
    expired request is returned unchanged: the dossier goes back to the status
    it had before the request.
    """
    payment = pending_for(dossier)
    if payment is None:
        return (
            PaymentRequest.objects.filter(dossier=dossier, status=PaymentStatus.EXPIRED)
            .order_by("-requested_at", "-id")
            .first()
        )
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
    from tinhso.payments.receipts import receipt_number_assign

    with transaction.atomic():
        payment.status = PaymentStatus.PAID
        payment.paid_at = at
        payment.gateway = gateway[:32]
        payment.transaction_no = transaction_no[:64]
        payment.bank_code = bank_code[:32]
        receipt_number_assign(payment, at=at)
        fields = [
            "status",
            "paid_at",
            "gateway",
            "transaction_no",
            "bank_code",
            "receipt_issuer",
            "receipt_form",
            "receipt_serial",
            "receipt_number",
        ]
        payment.save(update_fields=fields)
        audit_record(
            actor=None,
            action="payment.paid",
            obj=payment,
            changes={
                "status": [PaymentStatus.PENDING, PaymentStatus.PAID],
                "transaction_no": payment.transaction_no,
                "amount": payment.amount,
                "receipt": f"{payment.receipt_serial} {payment.receipt_number}",
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
            elif payment.status == PaymentStatus.EXPIRED or (
                payment.status == PaymentStatus.PENDING and is_past_expiry(payment, at)
            ):
                verdict, code = V.EXPIRED, "02"
            elif payment.status != PaymentStatus.PENDING:
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
            changes = {"verdict": verdict, "reference": callback.reference}
            if verdict in (V.EXPIRED, V.NOT_PENDING) and result.success:
                # Money taken at the bank on an order the platform no longer accepts:
                # the reconciliation lists it (missing on the platform) for a refund.
                changes["paid_at_gateway"] = True
                changes["transaction_no"] = result.transaction_no
            audit_record(
                actor=None,
                action="payment.callback_refused",
                obj=callback,
                changes=changes,
            )
    return callback, gateway.ipn_answer(code)


# --- expiry and renewal ------------------------------------------------------------


def is_past_expiry(payment: PaymentRequest, at: dt.datetime) -> bool:
    return payment.expires_at is not None and at > payment.expires_at


def _expire(payment: PaymentRequest, *, at: dt.datetime, notify: bool = True) -> None:
    """Mark a locked pending request expired, audit it, tell the applicant (after commit)."""
    from tinhso.dossiers.choices import DossierStatus

    payment.status = PaymentStatus.EXPIRED
    payment.expired_at = at
    payment.save(update_fields=["status", "expired_at"])
    audit_record(
        actor=None,
        action="payment.expire",
        obj=payment,
        changes={
            "status": [PaymentStatus.PENDING, PaymentStatus.EXPIRED],
            "dossier": payment.dossier.code,
            "expires_at": payment.expires_at.isoformat() if payment.expires_at else None,
        },
    )
    if notify and payment.dossier.status == DossierStatus.FINANCIAL_OBLIGATION:
        _notify_expired(payment)


def _notify_expired(payment: PaymentRequest) -> None:
    from django.utils.translation import gettext as _

    from tinhso.dossiers.events import notify_applicant

    dossier = payment.dossier
    due = timezone.localtime(payment.expires_at).strftime("%H:%M %d/%m/%Y")
    notify_applicant(
        dossier,
        subject=_("Hồ sơ %(code)s: yêu cầu thanh toán đã hết hạn") % {"code": dossier.code},
        body="\n".join(
            [
                _(
                    "Yêu cầu thanh toán %(reference)s (%(amount)s) của hồ sơ %(code)s "
                    "đã hết hạn lúc %(due)s mà chưa được thanh toán."
                )
                % {
                    "reference": payment.reference,
                    "amount": format_money(payment.amount),
                    "code": dossier.code,
                    "due": due,
                },
                _(
                    "Hồ sơ vẫn chờ bạn thực hiện nghĩa vụ tài chính: mở trang hồ sơ "
                    "%(path)s và bấm “Thanh toán trực tuyến”, hệ thống sẽ tạo mã thanh toán mới."
                )
                % {"path": public_url(f"/ca-nhan/ho-so/{dossier.code}/")},
            ]
        ),
    )


def payment_requests_expire(*, now: dt.datetime, batch: int = 500) -> int:
    """Expire every pending request whose time is up; returns how many were expired.

    Idempotent and safe to run from cron every few minutes, even twice at once:
    each request is locked and checked again in its own transaction (on
    PostgreSQL a row another process holds, e.g. a callback paying it right
    now, is skipped and looked at on the next run). The dossier does not
    change (it still awaits payment); the applicant is told they can pay
    with a new order (``payment_request_renew``).
    """
    done = 0
    while True:
        ids = list(
            PaymentRequest.objects.filter(status=PaymentStatus.PENDING, expires_at__lt=now)
            .order_by("expires_at", "id")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        progressed = 0
        for pk in ids:
            with transaction.atomic():
                payment = (
                    PaymentRequest.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("dossier", "dossier__procedure", "dossier__applicant")
                    .filter(pk=pk, status=PaymentStatus.PENDING, expires_at__lt=now)
                    .first()
                )
                if payment is None:
                    continue
                _expire(payment, at=now)
                done += 1
                progressed += 1
        if progressed == 0 or len(ids) < batch:
            return done


def payment_request_renew(*, actor, payment: PaymentRequest, at: dt.datetime) -> PaymentRequest:
    """A new gateway order for an expired request while the dossier still awaits payment.

    The new request carries the same fee lines, amount and return status, a new
    reference and a new expiry, and points to the one it replaces; the old
    order stays expired (its late callbacks are refused and recorded). A
    request past its time but not yet expired by the scheduled job is expired
    here first. Asking twice gives the same new request back. Anything else
    (paid, cancelled, the dossier no longer awaiting payment) is refused with
    ``PaymentNotPending``.
    """
    from tinhso.dossiers.choices import DossierStatus
    from tinhso.dossiers.models import Dossier
    from tinhso.payments.errors import PaymentNotPending

    with transaction.atomic():
        # Request first, then dossier: the order a paying callback takes them in.
        payment = PaymentRequest.objects.select_for_update().get(pk=payment.pk)
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "applicant")
            .get(pk=payment.dossier_id)
        )
        payment.dossier = dossier
        if dossier.status != DossierStatus.FINANCIAL_OBLIGATION:
            raise PaymentNotPending()
        current = (
            PaymentRequest.objects.filter(dossier=dossier, status=PaymentStatus.PENDING)
            .order_by("-requested_at", "-id")
            .first()
        )
        if current is not None and current.pk != payment.pk and not is_past_expiry(current, at):
            return current  # already renewed (a second click, another tab)
        if payment.status == PaymentStatus.PENDING and is_past_expiry(payment, at):
            _expire(payment, at=at, notify=False)  # the applicant is here, renewing it
        if payment.status != PaymentStatus.EXPIRED:
            raise PaymentNotPending()
        if PaymentRequest.objects.filter(dossier=dossier, status=PaymentStatus.PAID).exists():
            raise PaymentNotPending()
        renewed = PaymentRequest.objects.create(
            dossier=dossier,
            reference=new_reference(at),
            amount=payment.amount,
            items=payment.items,
            reason=payment.reason,
            status_before=payment.status_before,
            requested_by=payment.requested_by,
            requested_at=at,
            expires_at=at + dt.timedelta(hours=expiry_hours()),
            replaces=payment,
        )
        audit_record(
            actor=actor,
            action="payment.renew",
            obj=renewed,
            changes={
                "dossier": dossier.code,
                "amount": renewed.amount,
                "reference": renewed.reference,
                "replaces": payment.reference,
            },
        )
    return renewed
