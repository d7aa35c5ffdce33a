"""Payment requests not paid in time: expiry, a new order for the citizen, late callbacks."""

import datetime as dt
import urllib.parse

import pytest
from django.core.management import call_command

from tinhso.core.models import AuditEvent, Notification
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.choices import DossierStatus
from tinhso.dossiers.tests.factories import at
from tinhso.payments.choices import CallbackVerdict, PaymentStatus
from tinhso.payments.gateways.simulator import SimulatorGateway
from tinhso.payments.gateways.vnpay import vnp_time
from tinhso.payments.models import PaymentCallback, PaymentRequest
from tinhso.payments.services import payment_requests_expire
from tinhso.payments.tests.test_payments_callbacks import gateway_answer, ipn, signed_in

pytestmark = pytest.mark.django_db

# ``requested`` is asked Monday 9 March 2026 09:00; 72 hours later is Thursday 09:00.
DUE = at(2026, 3, 12, 9)
AFTER = DUE + dt.timedelta(minutes=1)


def expire(clock, when=AFTER):
    clock.set(when)
    return payment_requests_expire(now=when)


def start_payment(client, payment):
    """The citizen's pay button: the redirect to the gateway, and its parameters."""
    answer = client.post(f"/ca-nhan/thanh-toan/{payment.reference}/")
    assert answer.status_code == 302, answer.status_code
    query = urllib.parse.urlsplit(answer["Location"]).query
    return dict(urllib.parse.parse_qsl(query))


def test_request_expiry_and_the_gateway_order_expiry_agree(world, clock, requested, settings):
    assert requested.expires_at == DUE
    params = SimulatorGateway().payment_params(requested, "/ca-nhan/thanh-toan/ket-qua/")
    assert params["vnp_ExpireDate"] == "20260312090000"
    assert params["vnp_ExpireDate"] == vnp_time(requested.expires_at)
    # and the setting decides the length
    settings.TINHSO_PAYMENT_EXPIRY_HOURS = 24
    dossier = requested.dossier
    dossier_act(actor=world.specialist, dossier=dossier, action="cancel_payment", reason="Sai")
    clock.set(at(2026, 3, 10, 9))
    dossier.refresh_from_db()
    dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    second = PaymentRequest.objects.filter(dossier=dossier).latest("id")
    assert second.expires_at == at(2026, 3, 11, 9)


def test_only_requests_past_their_time_expire_and_running_again_changes_nothing(
    world, clock, requested
):
    # at the very moment it is due, it is still payable
    assert expire(clock, DUE) == 0
    requested.refresh_from_db()
    assert requested.status == PaymentStatus.PENDING
    # a minute later it expires, once
    assert expire(clock) == 1
    assert expire(clock, AFTER + dt.timedelta(hours=1)) == 0
    requested.refresh_from_db()
    assert requested.status == PaymentStatus.EXPIRED
    assert requested.expired_at == AFTER
    # the dossier still awaits payment (the applicant's time, the clock stays paused)
    requested.dossier.refresh_from_db()
    assert requested.dossier.status == DossierStatus.FINANCIAL_OBLIGATION
    assert AuditEvent.objects.filter(action="payment.expire").count() == 1


def test_paid_and_cancelled_requests_never_expire(world, clock, requested):
    dossier_act(
        actor=world.specialist, dossier=requested.dossier, action="cancel_payment", reason="Miễn"
    )
    assert expire(clock, AFTER + dt.timedelta(days=30)) == 0
    requested.refresh_from_db()
    assert requested.status == PaymentStatus.CANCELLED


def test_the_applicant_is_told_the_request_expired_and_how_to_pay(world, clock, requested):
    before = Notification.objects.count()
    expire(clock)
    notes = list(Notification.objects.order_by("id")[before:])
    assert notes, "no message to the applicant"
    assert all("hết hạn" in note.subject for note in notes)
    assert requested.reference in notes[0].body
    assert "Thanh toán trực tuyến" in notes[0].body
    # the dossier's page is an absolute address on the platform's public address
    assert f"http://127.0.0.1:8000/ca-nhan/ho-so/{requested.dossier.code}/" in notes[0].body


def test_the_command_expires_and_says_how_many(world, clock, requested, capsys):
    clock.set(AFTER)
    call_command("payments_expire")
    assert "Đã chuyển 1 yêu cầu" in capsys.readouterr().out
    call_command("payments_expire")
    assert "Đã chuyển 0 yêu cầu" in capsys.readouterr().out


def test_the_citizen_gets_a_new_order_for_an_expired_request_and_pays_it(world, clock, requested):
    expire(clock)
    client = signed_in(world.citizen_user)
    # the dossier page says the request expired and offers to pay
    page = client.get(f"/ca-nhan/ho-so/{requested.dossier.code}/").content.decode()
    assert "Yêu cầu thanh toán đã hết hạn" in page
    # when they press the pay button two hours later
    clock.set(AFTER + dt.timedelta(hours=2))
    params = start_payment(client, requested)
    # then the gateway gets a new order with its own reference and expiry
    renewed = PaymentRequest.objects.get(replaces=requested)
    assert params["vnp_TxnRef"] == renewed.reference != requested.reference
    assert renewed.status == PaymentStatus.PENDING
    assert renewed.amount == requested.amount and renewed.items == requested.items
    assert renewed.expires_at == AFTER + dt.timedelta(hours=74)
    assert params["vnp_ExpireDate"] == vnp_time(renewed.expires_at)
    # pressing again gives the same new order
    assert start_payment(client, requested)["vnp_TxnRef"] == renewed.reference
    assert PaymentRequest.objects.filter(dossier=requested.dossier).count() == 2
    # and paying it sends the dossier back to work
    answer = ipn(gateway_answer(renewed)).json()
    assert answer["RspCode"] == "00"
    renewed.refresh_from_db()
    renewed.dossier.refresh_from_db()
    assert renewed.status == PaymentStatus.PAID
    assert renewed.dossier.status == DossierStatus.PROCESSING


def test_a_request_past_its_time_is_renewed_even_before_the_job_ran(world, clock, requested):
    clock.set(AFTER)
    before = Notification.objects.count()
    params = start_payment(signed_in(world.citizen_user), requested)
    requested.refresh_from_db()
    assert requested.status == PaymentStatus.EXPIRED
    # no "your request expired" message to the citizen who is renewing it right now
    assert Notification.objects.count() == before
    assert params["vnp_TxnRef"] == PaymentRequest.objects.get(replaces=requested).reference


def test_a_late_callback_for_the_expired_order_changes_nothing_and_is_recorded(
    world, clock, requested
):
    expire(clock)
    # when the gateway reports a successful payment of the old order afterwards
    answer = ipn(gateway_answer(requested)).json()
    # then it is refused (02), recorded with its own verdict, and flagged for a refund
    assert answer["RspCode"] == "02"
    callback = PaymentCallback.objects.get(reference=requested.reference)
    assert callback.verdict == CallbackVerdict.EXPIRED
    event = AuditEvent.objects.filter(action="payment.callback_refused").latest("id")
    assert event.changes["verdict"] == CallbackVerdict.EXPIRED
    assert event.changes["paid_at_gateway"] is True
    requested.refresh_from_db()
    requested.dossier.refresh_from_db()
    assert requested.status == PaymentStatus.EXPIRED
    assert requested.dossier.status == DossierStatus.FINANCIAL_OBLIGATION


def test_a_callback_past_the_time_is_refused_even_before_the_job_ran(world, clock, requested):
    clock.set(AFTER)
    assert ipn(gateway_answer(requested)).json()["RspCode"] == "02"
    assert PaymentCallback.objects.get().verdict == CallbackVerdict.EXPIRED
    requested.refresh_from_db()
    assert requested.status == PaymentStatus.PENDING  # the job expires it, not the callback


def test_the_old_orders_late_callback_does_not_pay_the_new_one(world, clock, requested):
    expire(clock)
    start_payment(signed_in(world.citizen_user), requested)
    renewed = PaymentRequest.objects.get(replaces=requested)
    assert ipn(gateway_answer(requested)).json()["RspCode"] == "02"
    renewed.refresh_from_db()
    assert renewed.status == PaymentStatus.PENDING


def test_no_new_order_once_the_dossier_no_longer_awaits_payment(world, clock, requested):
    expire(clock)
    dossier = dossier_act(
        actor=world.specialist,
        dossier=requested.dossier,
        action="cancel_payment",
        reason="Đã nộp tại quầy",
    )
    # the dossier goes back to where it was before the request
    assert dossier.status == DossierStatus.PROCESSING
    answer = signed_in(world.citizen_user).post(f"/ca-nhan/thanh-toan/{requested.reference}/")
    assert answer.status_code == 409
    assert not PaymentRequest.objects.filter(replaces=requested).exists()


def test_another_citizen_cannot_renew_the_request(world, clock, requested):
    expire(clock)
    answer = signed_in(world.other_citizen_user).post(f"/ca-nhan/thanh-toan/{requested.reference}/")
    assert answer.status_code == 404
    assert not PaymentRequest.objects.filter(replaces=requested).exists()


def test_the_simulated_gateway_takes_no_money_for_an_order_past_its_expiry(world, clock, requested):
    from django.test import Client

    from tinhso.payments.gateways.vnpay import signed_query
    from tinhso.payments.models import SimulatedTransaction

    gateway = SimulatorGateway()
    clock.set(at(2026, 3, 11, 9))
    query = signed_query(
        gateway.payment_params(requested, "/ca-nhan/thanh-toan/ket-qua/"), gateway.hash_secret
    )
    client = Client()
    assert client.get(f"/gia-lap-cong-thanh-toan/?{query}").status_code == 200
    # the citizen left the bank page open past the order's expiry, then pressed pay
    clock.set(AFTER)
    answer = client.post("/gia-lap-cong-thanh-toan/", {"query": query, "action": "pay"})
    assert answer.status_code == 400
    assert "hết hạn" in answer.content.decode()
    assert not SimulatedTransaction.objects.exists()
