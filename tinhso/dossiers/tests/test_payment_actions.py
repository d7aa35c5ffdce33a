"""The financial-obligation step: request_payment, confirm_payment, cancel_payment."""

import pytest

from tinhso.core.exceptions import TinhsoError
from tinhso.core.models import AuditEvent
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.models import DossierEvent
from tinhso.dossiers.services import dossier_submit
from tinhso.dossiers.tests.factories import at, pdf_upload
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.models import PaymentRequest
from tinhso.payments.services import payment_mark_paid

pytestmark = pytest.mark.django_db


def fees(procedure, *amounts):
    from tinhso.procedures.models import Fee

    for order, amount in enumerate(amounts):
        Fee.objects.create(procedure=procedure, name=f"Lệ phí {order}", amount=amount, order=order)


def processing_dossier(world, clock):
    clock.set(at(2026, 3, 6, 15, 30))
    dossier = dossier_submit(
        actor=world.citizen_user,
        procedure=world.procedure,
        applicant=world.citizen,
        channel=Channel.ONLINE,
        unit=world.commune,
        form_data={"address": "Số 1 Lê Lợi"},
        files={"to-khai": [pdf_upload()]},
        idempotency_key="key-pay-0001",
    )
    clock.set(at(2026, 3, 6, 16))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    clock.set(at(2026, 3, 9, 8))
    return dossier_act(
        actor=world.head, dossier=dossier, action="assign", assignee=world.specialist.pk
    )


def test_request_payment_uses_the_procedure_fees_and_stops_the_clock(world, clock):
    # given a procedure with two fee lines and a dossier being processed
    fees(world.procedure, 200_000, 50_000)
    dossier = processing_dossier(world, clock)
    # when the specialist requests payment on Monday 09:00
    clock.set(at(2026, 3, 9, 9))
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    # then the dossier waits for the citizen, its clock paused, with one pending request
    assert dossier.status == DossierStatus.FINANCIAL_OBLIGATION
    assert dossier.paused_since == at(2026, 3, 9, 9)
    payment = PaymentRequest.objects.get(dossier=dossier)
    assert payment.amount == 250_000
    assert [item["amount"] for item in payment.items] == [200_000, 50_000]
    assert payment.status == PaymentStatus.PENDING
    assert payment.status_before == DossierStatus.PROCESSING
    assert payment.reference.startswith("TS260309")
    assert AuditEvent.objects.filter(action="payment.request").exists()
    assert DossierEvent.objects.filter(dossier=dossier, action="request_payment").exists()


def test_paid_request_returns_the_dossier_to_processing_and_moves_the_deadline(world, clock):
    # given a dossier due Friday 13 March 16:00 waiting for payment since Monday 09:00
    fees(world.procedure, 100_000)
    dossier = processing_dossier(world, clock)
    assert dossier.due_at == at(2026, 3, 13, 16)
    clock.set(at(2026, 3, 9, 9))
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    payment = PaymentRequest.objects.get(dossier=dossier)
    # when the payment is confirmed Tuesday 09:00 (one working day later)
    clock.set(at(2026, 3, 10, 9))
    payment_mark_paid(
        payment=payment, at=clock.moment, gateway="simulator", transaction_no="1", bank_code="NCB"
    )
    dossier.refresh_from_db()
    payment.refresh_from_db()
    # then the dossier is processed again and its due date moved by one working day
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.paused_since is None
    assert dossier.due_at == at(2026, 3, 16, 16)
    assert payment.status == PaymentStatus.PAID
    event = DossierEvent.objects.get(dossier=dossier, action="confirm_payment")
    assert event.actor_id is None
    assert event.to_status == DossierStatus.PROCESSING


def test_officer_amount_needs_a_reason_and_a_positive_whole_number(world, clock):
    # given a procedure without fees
    dossier = processing_dossier(world, clock)
    # when the specialist requests payment without an amount, then it is refused
    with pytest.raises(TinhsoError) as error:
        dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    assert error.value.code == "no_fees"
    # and an amount without a reason, or a negative one, is refused too
    with pytest.raises(TinhsoError) as error:
        dossier_act(actor=world.specialist, dossier=dossier, action="request_payment", amount=30000)
    assert error.value.code == "reason_required"
    with pytest.raises(TinhsoError) as error:
        dossier_act(
            actor=world.specialist,
            dossier=dossier,
            action="request_payment",
            amount="-5",
            reason="Phí thẩm định",
        )
    assert error.value.code == "invalid_amount"
    assert not PaymentRequest.objects.exists()
    # when an amount and a reason are given, then that amount is requested
    dossier = dossier_act(
        actor=world.specialist,
        dossier=dossier,
        action="request_payment",
        amount="30000",
        reason="Phí thẩm định",
    )
    assert PaymentRequest.objects.get(dossier=dossier).amount == 30_000


def test_citizens_and_other_agencies_cannot_request_payment(world, clock):
    fees(world.procedure, 100_000)
    dossier = processing_dossier(world, clock)
    for actor in (world.citizen_user, world.other_specialist, world.leader):
        with pytest.raises(TinhsoError) as error:
            dossier_act(actor=actor, dossier=dossier, action="request_payment")
        assert error.value.status in (403, 404)
    assert not PaymentRequest.objects.exists()


def test_only_the_system_confirms_a_payment(world, clock):
    fees(world.procedure, 100_000)
    dossier = processing_dossier(world, clock)
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    payment = PaymentRequest.objects.get(dossier=dossier)
    with pytest.raises(TinhsoError):
        dossier_act(actor=world.head, dossier=dossier, action="confirm_payment", payment=payment)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FINANCIAL_OBLIGATION


def test_cancel_and_withdraw_cancel_the_pending_request(world, clock):
    fees(world.procedure, 100_000)
    dossier = processing_dossier(world, clock)
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    # when the specialist cancels the request with a reason
    dossier = dossier_act(
        actor=world.specialist, dossier=dossier, action="cancel_payment", reason="Miễn lệ phí"
    )
    # then the dossier is processed again and the request cancelled
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.paused_since is None
    assert PaymentRequest.objects.get().status == PaymentStatus.CANCELLED
    # when a new request is made and the citizen withdraws the dossier
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    dossier_act(actor=world.citizen_user, dossier=dossier, action="withdraw")
    # then no request is left pending
    assert not PaymentRequest.objects.filter(status=PaymentStatus.PENDING).exists()
