"""The VNPAY-shaped gateway: signing, the payment URL, callback verification."""

import datetime as dt
import urllib.parse
import zoneinfo

from tinhso.payments.gateways.vnpay import VnpayGateway, hash_data, sign, signed_query

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# A callback as VNPAY's sandbox sent it (sandbox terminal and secret, public test values).
SANDBOX_SECRET = "6HEKW2H6YES2FSOKLKKRQ0JS3QF1M4H6"
SANDBOX_CALLBACK = {
    "vnp_Amount": "14108000",
    "vnp_BankCode": "NCB",
    "vnp_BankTranNo": "VNP14980726",
    "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Thanh toán đơn hàng #6834803ff5166e338d7103a8",
    "vnp_PayDate": "20250526215346",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "L8M3EKX2",
    "vnp_TransactionNo": "14980726",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "6834803ff5166e338d7103a8",
    "vnp_SecureHash": (
        "3264dbf4850cb57d0cd597716260bf0722810f49b7abb144254f7f77adf08a1a"
        "6f496ab19e18c16266153c8caee87497fea7fa3507e61bcf9786dcff0d71b532"
    ),
}


def gateway():
    return VnpayGateway(
        tmn_code="L8M3EKX2",
        hash_secret=SANDBOX_SECRET,
        pay_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        clock=lambda: dt.datetime(2026, 3, 9, 9, 5, 7, tzinfo=TZ),
    )


def test_signature_matches_a_real_sandbox_callback():
    # given a callback signed by VNPAY's sandbox, when verified, then it is valid and read right
    result = gateway().verify_callback(SANDBOX_CALLBACK)
    assert result.valid
    assert result.success
    assert result.amount == 141_080  # vnp_Amount is VND × 100
    assert result.reference == "6834803ff5166e338d7103a8"
    assert result.transaction_no == "14980726"
    assert result.paid_at == dt.datetime(2025, 5, 26, 21, 53, 46, tzinfo=TZ)


def test_any_changed_field_or_other_secret_fails_verification():
    for key, value in (("vnp_Amount", "14108100"), ("vnp_TxnRef", "x"), ("vnp_ResponseCode", "24")):
        assert not gateway().verify_callback({**SANDBOX_CALLBACK, key: value}).valid
    resigned = dict(SANDBOX_CALLBACK)
    resigned["vnp_SecureHash"] = sign(resigned, "another-secret")
    assert not gateway().verify_callback(resigned).valid
    assert (
        not gateway()
        .verify_callback({k: v for k, v in SANDBOX_CALLBACK.items() if k != "vnp_SecureHash"})
        .valid
    )


def test_hash_data_is_sorted_form_encoded_and_leaves_out_the_hash():
    data = hash_data({"vnp_b": "a b", "vnp_a": "đ&=", "vnp_SecureHash": "x", "vnp_c": ""})
    assert data == "vnp_a=%C4%91%26%3D&vnp_b=a+b"


class FakeRequest:
    reference = "TS260309ABCDEF0123"
    amount = 250_000
    expires_at = dt.datetime(2026, 3, 12, 9, 0, tzinfo=TZ)

    class dossier:
        code = "000.00.50.H24-260306-0001"


def test_payment_url_carries_the_protocol_fields_and_a_valid_signature():
    url = gateway().create_payment_url(
        FakeRequest(), "https://tinhso.example/ca-nhan/thanh-toan/ket-qua/"
    )
    base, query = url.split("?", 1)
    assert base == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    params = dict(urllib.parse.parse_qsl(query))
    assert params["vnp_Version"] == "2.1.0"
    assert params["vnp_Command"] == "pay"
    assert params["vnp_TmnCode"] == "L8M3EKX2"
    assert params["vnp_Amount"] == "25000000"
    assert params["vnp_CurrCode"] == "VND"
    assert params["vnp_TxnRef"] == "TS260309ABCDEF0123"
    assert params["vnp_CreateDate"] == "20260309090507"
    assert params["vnp_ExpireDate"] == "20260312090000"
    assert params["vnp_ReturnUrl"] == "https://tinhso.example/ca-nhan/thanh-toan/ket-qua/"
    assert params["vnp_SecureHash"] == sign(params, SANDBOX_SECRET)
    assert signed_query(params, SANDBOX_SECRET).endswith(params["vnp_SecureHash"])


def test_ipn_answers_use_the_gateway_codes():
    assert gateway().ipn_answer("00") == {"RspCode": "00", "Message": "Confirm Success"}
    assert gateway().ipn_answer("97") == {"RspCode": "97", "Message": "Invalid signature"}
