"""Paying through the simulator and the IPN: the happy path and every refusal."""

import urllib.parse

import pytest
from django.test import Client

from tinhso.core.models import AuditEvent
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.choices import DossierStatus
from tinhso.dossiers.models import DossierEvent
from tinhso.dossiers.tests.factories import at
from tinhso.payments.choices import CallbackVerdict, PaymentStatus
from tinhso.payments.gateways.simulator import SimulatorGateway
from tinhso.payments.gateways.vnpay import sign, signed_query
from tinhso.payments.models import PaymentCallback, SimulatedTransaction

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def gateway_answer(payment, **changes):
    """Callback parameters as the simulator signs them, with ``changes`` applied first."""
    gateway = SimulatorGateway()
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Thanh toan",
        "vnp_PayDate": "20260309100000",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": gateway.tmn_code,
        "vnp_TransactionNo": "26030912345678",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": payment.reference,
        **changes,
    }
    params["vnp_SecureHash"] = sign(params, gateway.hash_secret)
    return params


def ipn(params):
    return Client().get("/api/v1/payments/ipn", params)


def pay_in_simulator(client, payment, action="pay"):
    start = client.post(f"/ca-nhan/thanh-toan/{payment.reference}/")
    assert start.status_code == 302
    page = client.get(start["Location"])
    assert page.status_code == 200
    query = urllib.parse.urlsplit(start["Location"]).query
    return client.post("/gia-lap-cong-thanh-toan/", {"query": query, "action": action})


def assert_unchanged(payment):
    payment.refresh_from_db()
    payment.dossier.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.dossier.status == DossierStatus.FINANCIAL_OBLIGATION


def test_citizen_pays_in_the_simulator_and_the_dossier_goes_back_to_processing(
    world, clock, requested
):
    # given the citizen signed in, when they pay on Tuesday 09:00 in the simulated gateway
    clock.set(at(2026, 3, 10, 9))
    client = signed_in(world.citizen_user)
    done = pay_in_simulator(client, requested)
    # then they come back to the return page which says it worked
    assert done.status_code == 302
    assert done["Location"].startswith("/ca-nhan/thanh-toan/ket-qua/?")
    page = client.get(done["Location"])
    assert "Thanh toán thành công" in page.content.decode()
    # and the request is paid, the dossier processed again with its deadline moved by a day
    requested.refresh_from_db()
    assert requested.status == PaymentStatus.PAID
    assert requested.gateway == "simulator"
    assert requested.transaction_no == SimulatedTransaction.objects.get().transaction_no
    dossier = requested.dossier
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.due_at == at(2026, 3, 16, 16)
    assert DossierEvent.objects.filter(dossier=dossier, action="confirm_payment").count() == 1
    callback = PaymentCallback.objects.get()
    assert callback.verdict == CallbackVerdict.APPLIED
    assert callback.params["vnp_TxnRef"] == requested.reference


def test_cancelling_in_the_simulator_leaves_the_request_pending(world, clock, requested):
    client = signed_in(world.citizen_user)
    done = pay_in_simulator(client, requested, action="cancel")
    page = client.get(done["Location"])
    assert "chưa thành công" in page.content.decode()
    assert_unchanged(requested)
    assert PaymentCallback.objects.get().verdict == CallbackVerdict.FAILED_PAYMENT


def test_ipn_applies_once_and_answers_a_replay_with_already_confirmed(requested):
    params = gateway_answer(requested)
    assert ipn(params).json() == {"RspCode": "00", "Message": "Confirm Success"}
    # when the same callback arrives again
    again = ipn(params)
    # then nothing more happens and the gateway hears "already confirmed"
    assert again.json()["RspCode"] == "02"
    assert DossierEvent.objects.filter(action="confirm_payment").count() == 1
    assert list(PaymentCallback.objects.order_by("id").values_list("verdict", flat=True)) == [
        CallbackVerdict.APPLIED,
        CallbackVerdict.REPLAY,
    ]


def test_forged_signature_changes_nothing_and_is_recorded(requested):
    params = gateway_answer(requested)
    params["vnp_SecureHash"] = "0" * 128
    assert ipn(params).json()["RspCode"] == "97"
    assert_unchanged(requested)
    callback = PaymentCallback.objects.get()
    assert callback.verdict == CallbackVerdict.BAD_SIGNATURE
    assert callback.params["vnp_SecureHash"] == "0" * 128
    assert AuditEvent.objects.filter(action="payment.callback_refused").exists()


def test_callback_signed_with_another_secret_is_refused(requested):
    params = gateway_answer(requested)
    params["vnp_SecureHash"] = sign(params, "not-the-simulator-secret")
    assert ipn(params).json()["RspCode"] == "97"
    assert_unchanged(requested)


def test_wrong_amount_changes_nothing(requested):
    params = gateway_answer(requested, vnp_Amount=str((requested.amount - 1000) * 100))
    assert ipn(params).json()["RspCode"] == "04"
    assert_unchanged(requested)
    assert PaymentCallback.objects.get().verdict == CallbackVerdict.WRONG_AMOUNT


def test_unknown_reference_changes_nothing(requested):
    params = gateway_answer(requested, vnp_TxnRef="TS260309FFFFFFFFFF")
    assert ipn(params).json()["RspCode"] == "01"
    assert_unchanged(requested)
    assert PaymentCallback.objects.get().verdict == CallbackVerdict.UNKNOWN_ORDER


def test_late_callback_for_a_cancelled_request_changes_nothing(world, requested):
    dossier_act(
        actor=world.specialist,
        dossier=requested.dossier,
        action="cancel_payment",
        reason="Miễn lệ phí",
    )
    assert ipn(gateway_answer(requested)).json()["RspCode"] == "02"
    requested.refresh_from_db()
    requested.dossier.refresh_from_db()
    assert requested.status == PaymentStatus.CANCELLED
    assert requested.paid_at is None
    assert requested.dossier.status == DossierStatus.PROCESSING
    assert PaymentCallback.objects.get().verdict == CallbackVerdict.NOT_PENDING


def test_callback_after_the_request_expired_changes_nothing(clock, requested):
    clock.set(at(2026, 3, 13, 9, 1))  # 72 hours and a minute after the request
    assert ipn(gateway_answer(requested)).json()["RspCode"] == "02"
    assert_unchanged(requested)


def test_ipn_by_post_with_json_and_garbage_never_fails(requested):
    client = Client()
    answer = client.post(
        "/api/v1/payments/ipn", gateway_answer(requested), content_type="application/json"
    )
    assert answer.json()["RspCode"] == "00"
    for body in ("not json", "[1, 2]", '{"vnp_TxnRef": {"a": 1}}'):
        answer = client.post("/api/v1/payments/ipn", body, content_type="application/json")
        assert answer.status_code == 200
        assert answer.json()["RspCode"] == "97"


def test_a_citizen_cannot_pay_someone_elses_request(world, requested):
    client = signed_in(world.other_citizen_user)
    assert client.post(f"/ca-nhan/thanh-toan/{requested.reference}/").status_code == 404
    assert client.post("/ca-nhan/thanh-toan/TS000000NOTHING/").status_code == 404
    officer = signed_in(world.specialist)
    assert officer.post(f"/ca-nhan/thanh-toan/{requested.reference}/").status_code in (
        302,
        403,
        404,
    )
    assert not SimulatedTransaction.objects.exists()


def test_simulator_refuses_an_order_not_signed_by_the_platform(world, requested):
    gateway = SimulatorGateway()
    params = {
        "vnp_Amount": "100",
        "vnp_TmnCode": gateway.tmn_code,
        "vnp_TxnRef": requested.reference,
    }
    forged = signed_query(params, "guessed-secret")
    client = signed_in(world.citizen_user)
    assert client.get(f"/gia-lap-cong-thanh-toan/?{forged}").status_code == 400
    answer = client.post("/gia-lap-cong-thanh-toan/", {"query": forged, "action": "pay"})
    assert answer.status_code == 400
    assert not SimulatedTransaction.objects.exists()
    assert_unchanged(requested)


def test_return_page_with_a_forged_signature_says_so_and_changes_nothing(requested):
    params = gateway_answer(requested)
    params["vnp_Amount"] = "100"
    page = Client().get("/ca-nhan/thanh-toan/ket-qua/", params)
    assert page.status_code == 400
    assert "không hợp lệ" in page.content.decode()
    assert_unchanged(requested)
    assert not PaymentCallback.objects.exists()


def test_paying_a_request_no_longer_pending_is_refused(world, requested):
    ipn(gateway_answer(requested))
    client = signed_in(world.citizen_user)
    answer = client.post(f"/ca-nhan/thanh-toan/{requested.reference}/")
    assert answer.status_code == 409
    assert "không còn chờ thanh toán" in answer.content.decode()


def test_citizen_page_shows_the_pay_button_while_payment_is_requested(world, requested):
    client = signed_in(world.citizen_user)
    page = client.get(f"/ca-nhan/ho-so/{requested.dossier.code}/").content.decode()
    assert f'action="/ca-nhan/thanh-toan/{requested.reference}/"' in page
    assert "250.000" in page or "250,000" in page
    ipn(gateway_answer(requested))
    page = client.get(f"/ca-nhan/ho-so/{requested.dossier.code}/").content.decode()
    assert f'action="/ca-nhan/thanh-toan/{requested.reference}/"' not in page


def test_office_page_offers_the_payment_actions(world, requested):
    client = signed_in(world.specialist)
    page = client.get(f"/quan-tri/ho-so/{requested.dossier.code}/")
    assert page.status_code == 200
    assert "cancel_payment" in page.content.decode()
