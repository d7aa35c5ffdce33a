"""A gateway speaking VNPAY's payment protocol (version 2.1.0).

The shape, as VNPAY's merchant integration documents it:

- Payment URL: ``{pay_url}?{query}&vnp_SecureHash={hash}`` with ``vnp_Version``
  2.1.0, ``vnp_Command`` pay, ``vnp_TmnCode`` (the merchant's terminal code),
  ``vnp_Amount`` = VND × 100, ``vnp_CurrCode`` VND, ``vnp_TxnRef`` (our
  reference, unique), ``vnp_OrderInfo``, ``vnp_OrderType``, ``vnp_Locale`` vn,
  ``vnp_ReturnUrl``, ``vnp_IpAddr``, ``vnp_CreateDate`` and ``vnp_ExpireDate``
  (GMT+7, yyyyMMddHHmmss).
- ``vnp_SecureHash`` = HMAC-SHA512 with the hash secret over the parameters
  sorted by name, joined ``name=value`` with ``&``, values URL-encoded as a
  form (spaces as ``+``), ``vnp_SecureHash``/``vnp_SecureHashType`` left out.
- Return URL and IPN carry ``vnp_Amount``, ``vnp_BankCode``, ``vnp_BankTranNo``,
  ``vnp_CardType``, ``vnp_OrderInfo``, ``vnp_PayDate``, ``vnp_ResponseCode``
  (00 = success, 24 = cancelled by the customer, …), ``vnp_TmnCode``,
  ``vnp_TransactionNo``, ``vnp_TransactionStatus`` (00 = success),
  ``vnp_TxnRef`` and ``vnp_SecureHash``, signed the same way.
- The merchant answers the IPN with JSON ``{"RspCode", "Message"}``: 00
  Confirm Success, 01 Order not found, 02 Order already confirmed, 04 Invalid
  amount, 97 Invalid signature, 99 Unknown error.
- Status query (``querydr``): a JSON POST signed over the ``|``-joined fields.

The national payment platform (Nền tảng thanh toán trực tuyến, PayGov, on the
National Public Service Portal) follows the same pattern: a signed redirect
to its page, a signed server-to-server notification the agency system
verifies and confirms, and a reconciliation file; an adapter for it implements
the same ``PaymentGateway`` interface.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.parse
import urllib.request
import zoneinfo

from tinhso.payments.gateways.base import (
    CallbackResult,
    PaymentGateway,
    QueryResult,
    StatementLine,
)

VN_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
VERSION = "2.1.0"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")

IPN_MESSAGES = {
    "00": "Confirm Success",
    "01": "Order not found",
    "02": "Order already confirmed",
    "04": "Invalid amount",
    "97": "Invalid signature",
    "99": "Unknown error",
}


def vnp_time(moment: dt.datetime) -> str:
    """GMT+7, yyyyMMddHHmmss."""
    return moment.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def parse_vnp_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=VN_TZ)
    except (TypeError, ValueError):
        return None


def hash_data(params: dict[str, str]) -> str:
    """The signed string: sorted ``name=urlencoded(value)`` pairs, hash fields left out."""
    pairs = sorted(
        (str(k), str(v)) for k, v in params.items() if k not in HASH_FIELDS and v not in ("", None)
    )
    return "&".join(f"{k}={urllib.parse.quote_plus(v)}" for k, v in pairs)


def sign(params: dict[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), hash_data(params).encode("utf-8"), hashlib.sha512).hexdigest()


def signed_query(params: dict[str, str], secret: str) -> str:
    query = urllib.parse.urlencode(sorted((k, v) for k, v in params.items() if v not in ("", None)))
    return f"{query}&vnp_SecureHash={sign(params, secret)}"


def signature_ok(params: dict[str, str], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash") or "")
    if not given or not secret:
        return False
    return hmac.compare_digest(given.lower(), sign(params, secret))


def order_info(request) -> str:
    """``vnp_OrderInfo``: plain ASCII-friendly text naming the dossier (no special signs)."""
    return f"Thanh toan phi le phi ho so {request.dossier.code} ma {request.reference}"


class VnpayGateway(PaymentGateway):
    name = "vnpay"

    def __init__(
        self,
        *,
        tmn_code: str,
        hash_secret: str,
        pay_url: str,
        api_url: str = "",
        ip_address: str = "127.0.0.1",
        clock=None,
    ) -> None:
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.pay_url = pay_url
        self.api_url = api_url
        self.ip_address = ip_address
        self._clock = clock

    def now(self) -> dt.datetime:
        if self._clock is not None:
            return self._clock()
        from tinhso.core import calendar

        return calendar.now()

    def payment_params(self, request, return_url: str) -> dict[str, str]:
        now = self.now()
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(int(request.amount) * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": request.reference,
            "vnp_OrderInfo": order_info(request),
            "vnp_OrderType": "billpayment",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": self.ip_address,
            "vnp_CreateDate": vnp_time(now),
        }
        if request.expires_at:
            params["vnp_ExpireDate"] = vnp_time(request.expires_at)
        return params

    def create_payment_url(self, request, return_url: str) -> str:
        params = self.payment_params(request, return_url)
        return f"{self.pay_url}?{signed_query(params, self.hash_secret)}"

    def verify_callback(self, params: dict[str, str]) -> CallbackResult:
        params = {str(k): str(v) for k, v in params.items()}
        if not signature_ok(params, self.hash_secret) or params.get("vnp_TmnCode") != (
            self.tmn_code
        ):
            return CallbackResult(valid=False, reference=params.get("vnp_TxnRef", "")[:40])
        raw = params.get("vnp_Amount", "")
        amount = int(raw) // 100 if raw.isdigit() and int(raw) % 100 == 0 else None
        code = params.get("vnp_ResponseCode", "")
        return CallbackResult(
            valid=True,
            reference=params.get("vnp_TxnRef", "")[:40],
            amount=amount,
            success=code == "00" and params.get("vnp_TransactionStatus", "00") == "00",
            transaction_no=params.get("vnp_TransactionNo", "")[:64],
            bank_code=params.get("vnp_BankCode", "")[:32],
            response_code=code[:4],
            paid_at=parse_vnp_time(params.get("vnp_PayDate", "")),
        )

    def ipn_answer(self, code: str) -> dict[str, str]:
        return {"RspCode": code, "Message": IPN_MESSAGES.get(code, IPN_MESSAGES["99"])}

    def query_body(self, reference: str, transaction_date: dt.datetime) -> dict[str, str]:
        """The signed ``querydr`` request (fields joined by ``|`` in VNPAY's order)."""
        body = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": reference,
            "vnp_OrderInfo": f"Truy van giao dich {reference}",
            "vnp_TransactionDate": vnp_time(transaction_date),
            "vnp_CreateDate": vnp_time(self.now()),
            "vnp_IpAddr": self.ip_address,
        }
        data = "|".join(
            body[k]
            for k in (
                "vnp_RequestId",
                "vnp_Version",
                "vnp_Command",
                "vnp_TmnCode",
                "vnp_TxnRef",
                "vnp_TransactionDate",
                "vnp_CreateDate",
                "vnp_IpAddr",
                "vnp_OrderInfo",
            )
        )
        body["vnp_SecureHash"] = hmac.new(
            self.hash_secret.encode(), data.encode("utf-8"), hashlib.sha512
        ).hexdigest()
        return body

    def query(self, reference: str) -> QueryResult:  # pragma: no cover - needs the real gateway
        from tinhso.payments.models import PaymentRequest

        request = PaymentRequest.objects.filter(reference=reference).first()
        if not self.api_url.startswith("https://"):
            raise ValueError("TINHSO_VNPAY_API_URL must be an https:// address")
        when = request.requested_at if request else self.now()
        body = json.dumps(self.query_body(reference, when)).encode()
        http = urllib.request.Request(  # noqa: S310 (https checked above)
            self.api_url, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(http, timeout=15) as response:  # noqa: S310
            answer = json.loads(response.read())
        raw = str(answer.get("vnp_Amount") or "")
        return QueryResult(
            reference=reference,
            found=answer.get("vnp_ResponseCode") == "00",
            success=answer.get("vnp_TransactionStatus") == "00",
            amount=int(raw) // 100 if raw.isdigit() else None,
            transaction_no=str(answer.get("vnp_TransactionNo") or ""),
        )

    def statement(self, date: dt.date) -> list[StatementLine]:  # pragma: no cover
        """VNPAY sends statements as files (merchant portal/SFTP), not through an API.

        A deployment drops the day's file where ``TINHSO_PAYMENT_STATEMENT_DIR``
        points (CSV: reference, amount, transaction number, pay date); read here.
        """
        import csv
        from pathlib import Path

        from django.conf import settings

        folder = Path(getattr(settings, "TINHSO_PAYMENT_STATEMENT_DIR", "") or ".")
        path = folder / f"vnpay-{date:%Y%m%d}.csv"
        if not path.exists():
            return []
        lines = []
        with path.open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if len(row) < 4 or not row[1].isdigit():
                    continue
                paid = parse_vnp_time(row[3])
                if paid is None:
                    continue
                lines.append(StatementLine(row[0], int(row[1]), row[2], paid))
        return lines
