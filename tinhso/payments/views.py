"""Payment pages: the citizen's pay button target, the return page, the gateway simulator."""

from __future__ import annotations

import datetime as dt
import urllib.parse

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.core import calendar
from tinhso.core.exceptions import TinhsoError
from tinhso.core.links import public_url
from tinhso.core.views import official_required
from tinhso.dossiers.views import citizen_required
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.errors import PaymentNotPending
from tinhso.payments.gateways import get_gateway
from tinhso.payments.models import PaymentRequest
from tinhso.payments.selectors import payment_get_for_payer


@never_cache
@citizen_required
@require_POST
def pay(request, reference: str):
    """Send the citizen to the gateway's page for their own pending request.

    An expired request (or one past its time) of a dossier still awaiting
    payment is renewed first (``payment_request_renew``): the citizen pays a
    new order with a new reference and expiry; the old order stays refused.
    """
    from tinhso.payments.services import is_past_expiry, payment_request_renew

    payment = payment_get_for_payer(request.user, reference)
    now = calendar.now()
    try:
        if payment.status == PaymentStatus.EXPIRED or (
            payment.status == PaymentStatus.PENDING and is_past_expiry(payment, now)
        ):
            # The order lapsed while the dossier still awaits payment: a fresh one.
            payment = payment_request_renew(actor=request.user, payment=payment, at=now)
        elif payment.status != PaymentStatus.PENDING:
            raise PaymentNotPending()
    except PaymentNotPending as error:
        return render(
            request,
            "payments/result.html",
            {"payment": payment, "ok": False, "message": str(error.message)},
            status=409,
        )
    return_url = public_url(reverse("payments:return"))
    return HttpResponseRedirect(get_gateway().create_payment_url(payment, return_url))


@never_cache
def payment_return(request):
    """Where the gateway sends the browser back: shows the result; changes nothing.

    The platform's state changes only on the server-to-server IPN; this page
    checks the signature and reads the request's status.
    """
    result = get_gateway().verify_callback(dict(request.GET.items()))
    payment = None
    if result.valid:
        payment = (
            PaymentRequest.objects.select_related("dossier")
            .filter(reference=result.reference)
            .first()
        )
    if not result.valid or payment is None:
        message = _("Kết quả thanh toán không hợp lệ (sai chữ ký hoặc không rõ giao dịch).")
        ok = False
    elif payment.status == PaymentStatus.PAID:
        message = _("Thanh toán thành công. Hồ sơ được tiếp tục xử lý.")
        ok = True
    elif not result.success:
        message = _("Giao dịch chưa thành công hoặc đã bị hủy; bạn có thể thanh toán lại.")
        ok = False
    else:
        message = _("Đang chờ cổng thanh toán xác nhận giao dịch.")
        ok = False
    return render(
        request,
        "payments/result.html",
        {"payment": payment, "ok": ok, "message": message},
        status=200 if result.valid else 400,
    )


# --- the gateway simulator ------------------------------------------------------------


def _simulator_on() -> bool:
    return (getattr(settings, "TINHSO_PAYMENT_GATEWAY", "simulator") or "simulator") == "simulator"


@never_cache
@require_http_methods(["GET", "POST"])
def simulator(request):
    """The simulated bank page: shows the signed order, then pays or cancels it."""
    from tinhso.payments.gateways.simulator import SimulatorGateway
    from tinhso.payments.gateways.vnpay import parse_vnp_time, signature_ok

    if not _simulator_on():
        raise Http404()
    gateway = SimulatorGateway()
    query = request.POST.get("query", "") if request.method == "POST" else request.GET.urlencode()
    params = dict(urllib.parse.parse_qsl(query[:4000], keep_blank_values=True))
    amount = params.get("vnp_Amount", "")
    if (
        not signature_ok(params, gateway.hash_secret)
        or params.get("vnp_TmnCode") != gateway.tmn_code
        or not amount.isdigit()
        or not params.get("vnp_TxnRef")
    ):
        return render(
            request,
            "payments/simulator.html",
            {"invalid": True, "message": _("Yêu cầu thanh toán không hợp lệ (sai chữ ký).")},
            status=400,
        )
    expires = parse_vnp_time(params.get("vnp_ExpireDate", ""))
    if expires is not None and gateway.now() > expires:
        # Like the real gateway: an order past its vnp_ExpireDate takes no money.
        return render(
            request,
            "payments/simulator.html",
            {"invalid": True, "message": _("Đơn hàng đã hết hạn thanh toán.")},
            status=400,
        )
    if request.method == "GET":
        return render(
            request,
            "payments/simulator.html",
            {"params": params, "amount": int(amount) // 100, "query": query},
        )
    paid = request.POST.get("action") == "pay"
    response = simulate_payment(gateway, params, paid=paid)
    return_url = params.get("vnp_ReturnUrl", "")
    if not url_has_allowed_host_and_scheme(return_url, allowed_hosts={request.get_host()}):
        return_url = reverse("payments:return")
    else:
        return_url = urllib.parse.urlsplit(return_url).path
    return redirect(f"{return_url}?{response}")


def simulate_payment(gateway, params: dict[str, str], *, paid: bool) -> str:
    """Record the bank-side transaction, deliver the signed IPN, return the signed query.

    The IPN is delivered in-process to the same handler as ``/api/v1/payments/ipn``.
    """
    import secrets

    from tinhso.payments.gateways.vnpay import signed_query, vnp_time
    from tinhso.payments.models import SimulatedTransaction
    from tinhso.payments.services import payment_callback_handle

    now = gateway.now()
    code = "00" if paid else "24"
    row = SimulatedTransaction.objects.filter(reference=params["vnp_TxnRef"][:40]).first()
    if row is None:
        row = SimulatedTransaction.objects.create(
            reference=params["vnp_TxnRef"][:40],
            amount=int(params["vnp_Amount"]) // 100,
            transaction_no=f"{now:%y%m%d}{secrets.randbelow(10**8):08d}",
            response_code=code,
            order_info=params.get("vnp_OrderInfo", "")[:255],
            created_at=now,
        )
    elif row.response_code != "00" and paid:
        row.response_code, row.created_at = code, now
        row.save(update_fields=["response_code", "created_at"])
    answer = {
        "vnp_Amount": str(row.amount * 100),
        "vnp_BankCode": row.bank_code,
        "vnp_BankTranNo": f"VNP{row.transaction_no}",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": row.order_info,
        "vnp_PayDate": vnp_time(row.created_at),
        "vnp_ResponseCode": code if row.response_code != "00" else "00",
        "vnp_TmnCode": gateway.tmn_code,
        "vnp_TransactionNo": row.transaction_no,
        "vnp_TransactionStatus": "00" if row.response_code == "00" else "02",
        "vnp_TxnRef": row.reference,
    }
    query = signed_query(answer, gateway.hash_secret)
    payment_callback_handle(
        params=dict(urllib.parse.parse_qsl(query)), source="ipn", gateway=gateway
    )
    return query


# --- e-receipts and reconciliation ----------------------------------------------------


def _receipt_response(request, reference: str):
    from django.http import HttpResponse

    from tinhso.payments.receipts import receipt_pdf
    from tinhso.payments.selectors import payment_get_for

    pdf, filename = receipt_pdf(payment_get_for(request.user, reference))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@citizen_required
def my_receipt(request, reference: str):
    return _receipt_response(request, reference)


@official_required
def office_receipt(request, reference: str):
    return _receipt_response(request, reference)


@never_cache
@official_required
def reconciliation(request):
    """Leaders: a day's platform payments against the gateway's statement, mismatches first."""
    from tinhso.core.choices import Role
    from tinhso.core.exceptions import PermissionDenied
    from tinhso.core.responses import error_response
    from tinhso.core.views import _backoffice_nav
    from tinhso.payments.reconciliation import parse_date, reconcile
    from tinhso.payments.selectors import visible_dossier_codes

    if request.user.role != Role.LEADER:
        return error_response(request, PermissionDenied())
    text = request.GET.get("ngay") or (calendar.now().date() - dt.timedelta(days=1)).isoformat()
    error = None
    report = None
    try:
        report = reconcile(parse_date(text))
    except TinhsoError as exc:
        error = exc.message
    if report is not None:
        visible = visible_dossier_codes(request.user, [line.dossier_code for line in report.lines])
        report.lines = [
            line for line in report.lines if not line.dossier_code or line.dossier_code in visible
        ]
        report.lines.sort(key=lambda line: (line.kind == "matched", line.reference))
    return render(
        request,
        "payments/reconciliation.html",
        {
            "report": report,
            "date_text": text[:10],
            "error": error,
            "backoffice_nav": _backoffice_nav("ho-so"),
        },
        status=200 if error is None else 400,
    )
