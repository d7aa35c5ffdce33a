"""E-receipts of paid requests and the daily reconciliation against the gateway's statement."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tinhso.dossiers.tests.factories import at
from tinhso.payments.gateways.simulator import SimulatorGateway
from tinhso.payments.models import SimulatedTransaction
from tinhso.payments.reconciliation import (
    AMOUNT_DIFFERS,
    MATCHED,
    MISSING_ON_GATEWAY,
    MISSING_ON_PLATFORM,
    reconcile,
)
from tinhso.payments.tests.test_payments_callbacks import signed_in
from tinhso.payments.views import simulate_payment

pytestmark = pytest.mark.django_db


def pay(payment, clock, when):
    """Pay ``payment`` through the simulator's bank side at ``when``."""
    clock.set(when)
    gateway = SimulatorGateway()
    params = gateway.payment_params(payment, "/ca-nhan/thanh-toan/ket-qua/")
    simulate_payment(gateway, params, paid=True)
    payment.refresh_from_db()
    return payment


def test_paid_request_has_a_receipt_for_the_citizen_and_the_agency(world, clock, requested):
    # given a request not yet paid, then it has no receipt
    citizen = signed_in(world.citizen_user)
    url = f"/ca-nhan/thanh-toan/{requested.reference}/bien-lai.pdf"
    assert citizen.get(url).status_code == 404
    # when it is paid
    payment = pay(requested, clock, at(2026, 3, 10, 9))
    assert (payment.receipt_form, payment.receipt_serial, payment.receipt_number) == (
        "01BLP0-001",
        "TS-26E",
        "0000001",
    )
    assert payment.receipt_issuer == payment.dossier.competent_organisation
    # then the citizen and the agency download the same PDF receipt
    mine = citizen.get(url)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert mine.content.startswith(b"%PDF")
    office = signed_in(world.specialist).get(
        f"/quan-tri/thanh-toan/{requested.reference}/bien-lai.pdf"
    )
    assert office.status_code == 200
    # and the citizen's dossier page links to it
    page = citizen.get(f"/ca-nhan/ho-so/{requested.dossier.code}/").content.decode()
    assert url in page


def test_receipt_of_someone_elses_payment_is_not_found(world, clock, requested):
    pay(requested, clock, at(2026, 3, 10, 9))
    other = signed_in(world.other_citizen_user)
    assert other.get(f"/ca-nhan/thanh-toan/{requested.reference}/bien-lai.pdf").status_code == 404
    outsider = signed_in(world.other_specialist)
    answer = outsider.get(f"/quan-tri/thanh-toan/{requested.reference}/bien-lai.pdf")
    assert answer.status_code == 404
    assert (
        Client().get(f"/ca-nhan/thanh-toan/{requested.reference}/bien-lai.pdf").status_code == 302
    )


def test_reconciliation_matches_a_paid_request_with_the_statement(clock, requested):
    pay(requested, clock, at(2026, 3, 10, 9))
    report = reconcile(dt.date(2026, 3, 10))
    assert [(line.reference, line.kind) for line in report.lines] == [
        (requested.reference, MATCHED)
    ]
    assert report.mismatches == []
    assert reconcile(dt.date(2026, 3, 11)).lines == []


def test_reconciliation_lists_each_kind_of_mismatch(world, clock, requested):
    # given a paid request whose bank-side row is then altered, a bank payment the
    # platform refused (late), and a platform payment the gateway does not list
    pay(requested, clock, at(2026, 3, 10, 9))
    row = SimulatedTransaction.objects.get(reference=requested.reference)
    row.amount = requested.amount + 1000
    row.save()
    SimulatedTransaction.objects.create(
        reference="TS260310UNKNOWN001",
        amount=5000,
        transaction_no="99",
        response_code="00",
        created_at=at(2026, 3, 10, 10),
    )
    # when reconciling 10 March 2026
    report = reconcile(dt.date(2026, 3, 10))
    kinds = {line.reference: line.kind for line in report.lines}
    # then both mismatches are listed
    assert kinds == {requested.reference: AMOUNT_DIFFERS, "TS260310UNKNOWN001": MISSING_ON_PLATFORM}
    # and a platform payment missing from the statement is listed too
    SimulatedTransaction.objects.filter(reference=requested.reference).delete()
    kinds = {line.reference: line.kind for line in reconcile(dt.date(2026, 3, 10)).lines}
    assert kinds[requested.reference] == MISSING_ON_GATEWAY


def test_reconcile_command_prints_the_lines_and_refuses_a_bad_date(clock, requested, capsys):
    pay(requested, clock, at(2026, 3, 10, 9))
    call_command("payments_reconcile", "--date", "2026-03-10")
    out = capsys.readouterr().out
    assert "1 giao dịch, 0 chênh lệch" in out
    assert f"matched\t{requested.reference}" in out
    with pytest.raises(CommandError) as error:
        call_command("payments_reconcile", "--date", "10/03/2026")
    assert "Ngày không hợp lệ" in str(error.value)


def test_reconciliation_page_is_for_leaders(world, clock, requested):
    pay(requested, clock, at(2026, 3, 10, 9))
    page = signed_in(world.leader).get("/quan-tri/thanh-toan/doi-soat/?ngay=2026-03-10")
    assert page.status_code == 200
    assert requested.reference in page.content.decode()
    bad = signed_in(world.leader).get("/quan-tri/thanh-toan/doi-soat/?ngay=hom-qua")
    assert bad.status_code == 400
    assert signed_in(world.specialist).get("/quan-tri/thanh-toan/doi-soat/").status_code == 403
    assert signed_in(world.citizen_user).get("/quan-tri/thanh-toan/doi-soat/").status_code == 403
