"""tinhso seed_dossiers: bulk demo dossiers consistent with the workflow, one audit event."""

import pytest
from django.core.management import call_command
from django.db.models import F

from tinhso.core.management.base import TinhsoCommandError
from tinhso.core.models import AuditEvent
from tinhso.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def test_seed_dossiers_inserts_coded_rows_and_one_audit_event(world):
    call_command("seed_dossiers", "--scale", "500", "--batch", "200", verbosity=0)
    assert Dossier.objects.count() == 500
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(set(codes)) == 500
    assert all(code.split("-")[-1] > "1000" for code in codes)
    assert AuditEvent.objects.filter(action="dossier.bulk_seed").count() == 1
    # a second run takes other days: no clash
    call_command("seed_dossiers", "--scale", "100", verbosity=0)
    assert Dossier.objects.count() == 600


def test_seed_dossiers_refuses_a_bad_scale(world):
    with pytest.raises(TinhsoCommandError) as error:
        call_command("seed_dossiers", "--scale", "abc", verbosity=0)
    assert error.value.code == "invalid_scale"


def test_seed_dossiers_for_a_year_spreads_what_the_766_indicators_read(world):
    from tinhso.dossiers.models import ApologyLetter, DossierFile

    call_command(
        "seed_dossiers", "--scale", "1500", "--batch", "400", "--year", "2025", verbosity=0
    )
    dossiers = Dossier.objects.all()
    assert dossiers.count() == 1500
    assert {d.year for d in dossiers.dates("submitted_at", "year")} == {2025}
    finished = dossiers.filter(finished_at__isnull=False, due_at__isnull=False)
    late = finished.filter(finished_at__gt=F("due_at"))
    assert 0 < late.count() < finished.count() / 2
    assert dossiers.filter(supplement_count=2).exists()
    assert dossiers.filter(supplement_count=1).exists()
    # every file, letter and payment points to a seeded dossier, with its own id
    files = DossierFile.objects.all()
    assert 0 < files.count() < 1500
    assert files.filter(component__procedure=F("dossier__procedure")).count() == files.count()
    letters = ApologyLetter.objects.select_related("dossier")
    assert letters.exists()
    assert all(letter.previous_due_at == letter.dossier.due_at for letter in letters)
    # a second run over the same year takes other counters: no clash
    call_command("seed_dossiers", "--scale", "300", "--year", "2025", verbosity=0)
    assert Dossier.objects.count() == 1800


def test_seed_dossiers_adds_payments_for_procedures_with_fees(world):
    from tinhso.payments.models import PaymentRequest
    from tinhso.procedures.models import Fee, Procedure

    for procedure in Procedure.objects.all():
        Fee.objects.create(procedure=procedure, name="Lệ phí", amount=50_000)
    call_command("seed_dossiers", "--scale", "800", "--year", "2025", verbosity=0)
    payments = PaymentRequest.objects.select_related("dossier")
    assert payments.exists()
    assert {p.amount for p in payments} == {50_000}
    assert payments.filter(status="paid", gateway="vnpay", paid_at__isnull=False).exists()
    assert len({p.reference for p in payments}) == payments.count()
    assert all(p.dossier.received_at is not None for p in payments)


def test_seed_dossiers_refuses_a_year_to_come(world):
    with pytest.raises(TinhsoCommandError) as error:
        call_command("seed_dossiers", "--scale", "10", "--year", "2999", verbosity=0)
    assert error.value.code == "invalid_scale"
