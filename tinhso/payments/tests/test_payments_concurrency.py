"""Receipt numbers under concurrent payments on PostgreSQL (real transactions, one thread each)."""

import pytest
from django.db import connection

from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.tests.factories import make_world
from tinhso.dossiers.tests.test_concurrency import (
    _ensure_units,
    _submit,
    run_threads,
    units_back_afterwards,  # noqa: F401 (the module fixture puts the units back)
)
from tinhso.dossiers.tests.test_payment_actions import fees
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.models import PaymentRequest
from tinhso.payments.services import payment_callback_handle
from tinhso.payments.tests.test_payments_callbacks import gateway_answer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real threads"
    ),
]

COUNT = 8


def test_concurrent_payments_get_consecutive_unique_receipt_numbers():
    # given eight dossiers of one agency awaiting payment
    _ensure_units()
    world = make_world()
    fees(world.procedure, 120_000)
    payments = []
    for index in range(COUNT):
        dossier = _submit(world, f"pay-concurrent-{index:04d}")
        dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
        dossier = dossier_act(
            actor=world.head, dossier=dossier, action="assign", assignee=world.specialist.pk
        )
        dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
        payments.append(PaymentRequest.objects.get(dossier=dossier))
    callbacks = [gateway_answer(p, vnp_TransactionNo=f"9{i:07d}") for i, p in enumerate(payments)]
    # when the gateway's eight callbacks arrive at the same time
    results, errors = run_threads(
        COUNT, lambda i: payment_callback_handle(params=callbacks[i])[1]["RspCode"]
    )
    # then each is applied and the receipts are numbered 1..8, each once
    assert errors == [None] * COUNT
    assert results == ["00"] * COUNT
    rows = PaymentRequest.objects.filter(pk__in=[p.pk for p in payments])
    assert {r.status for r in rows} == {PaymentStatus.PAID}
    assert {r.receipt_issuer_id for r in rows} == {world.justice.pk}
    numbers = sorted(r.receipt_number for r in rows)
    assert numbers == [f"{n:07d}" for n in range(1, COUNT + 1)]
    # and each transaction number got its own receipt
    assert len({(r.transaction_no, r.receipt_number) for r in rows}) == COUNT
