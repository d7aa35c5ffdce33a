"""The demo dossiers: made through the services, in many statuses, once.

The demo is seeded once for the module and every test reads it (``seeded``).
"""

import re

import pytest

from tinhso.core.tests.shared_data import outer_transaction
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.tests import pdfcheck

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo_pki(tmp_path_factory):
    """The demo's certificates in a temporary folder, never the checkout's var/pki."""
    return tmp_path_factory.mktemp("demo") / "pki"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, _demo_pki):
    """The demo dossiers, seeded once for the module (the tests only read them).

    The base (agencies, accounts, citizens, catalogue) and the dossiers are made in
    an outer transaction rolled back after the module; the results are signed when
    the seeding commits, so its on-commit jobs run here as they would then.
    """
    from django.test import TestCase, override_settings

    from tinhso.core.demo.seeder import demo_seed
    from tinhso.dossiers.demo import dossiers_demo_seed
    from tinhso.procedures.demo import load_demo_catalogue

    with outer_transaction(django_db_blocker):
        with django_db_blocker.unblock(), override_settings(TINHSO_PKI_DIR=str(_demo_pki)):
            demo_seed(actor=None, citizens=60)
            load_demo_catalogue(actor=None)
            with TestCase.captureOnCommitCallbacks(execute=True):
                report = dossiers_demo_seed(actor=None)
        yield report


@pytest.fixture
def pki(seeded, _demo_pki, settings):
    settings.TINHSO_PKI_DIR = str(_demo_pki)
    return _demo_pki


def test_demo_dossiers_cover_the_statuses_and_are_made_once(seeded, pki):
    from tinhso.dossiers.demo import dossiers_demo_seed

    # when the demo dossiers are seeded
    report = seeded
    # then there are a few dozen, in several statuses, one waiting for a supplement
    assert report.created >= 30
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {"new", "received", "processing", "processed", "returned", "refused"} <= statuses
    assert (
        Dossier.objects.filter(status="supplement_requested", paused_since__isnull=False).count()
        == 1
    )
    assert Dossier.objects.filter(events__action="receive").exists()
    # and a second run adds nothing
    again = dossiers_demo_seed(actor=None)
    assert again.skipped
    assert Dossier.objects.count() == report.created


def test_demo_dossiers_include_overdue_ones(seeded):
    from tinhso.core import calendar
    from tinhso.core.workflow import overdue_q
    from tinhso.dossiers.choices import RUNNING_STATUSES

    running = Dossier.objects.filter(status__in=RUNNING_STATUSES)
    assert running.filter(overdue_q(now=calendar.now())).exists()


def test_demo_citizen_has_a_payment_to_make_and_a_signed_result(seeded, pki, tmp_path):
    from tinhso.core import calendar
    from tinhso.core.models import User
    from tinhso.core.signing import verify_pdf
    from tinhso.dossiers.models import DossierResult
    from tinhso.payments.models import PaymentRequest

    # when the demo dossiers are seeded (results are signed once the seeding commits)
    citizen = User.objects.get(username="congdan").citizen
    # then the demo citizen has a dossier waiting for a payment request that is still open
    waiting = Dossier.objects.get(applicant=citizen, status="financial_obligation")
    request = PaymentRequest.objects.get(dossier=waiting, status="pending")
    assert request.amount > 0 and request.expires_at > calendar.now()
    # and a returned dossier, paid online, with a signed result that verifies
    done = Dossier.objects.get(applicant=citizen, status="returned")
    assert PaymentRequest.objects.get(dossier=done).status == "paid"
    result = DossierResult.objects.get(dossier=done)
    data = result.stored_file.file.read()
    check = verify_pdf(data)
    assert check.valid, check.reason
    assert check.signer_identifier_code == done.competent_organisation.identifier_code
    # and other demo dossiers were paid online too (the Decision 766 page counts them)
    assert PaymentRequest.objects.filter(status="paid").count() >= 2
    # the result's QR code points to its public verification page
    (qr,) = pdfcheck.qr_codes(data, tmp_path)
    assert re.fullmatch(rf"(https?://[^/]+)?/xac-thuc-ket-qua/{re.escape(result.token)}/", qr)
    # and poppler's pdfsig finds the signature valid, and not once a signed byte is changed
    genuine, altered = tmp_path / "genuine.pdf", tmp_path / "altered.pdf"
    genuine.write_bytes(data)
    altered.write_bytes(pdfcheck.one_byte_changed(data))
    said = pdfcheck.pdfsig(genuine)
    assert "Signature is Valid" in said and "Total document signed" in said
    assert "Signature is Valid" not in pdfcheck.pdfsig(altered)


def test_demo_certificates_exist_before_signing_and_are_kept(seeded, pki):
    from tinhso.core.models import Organisation
    from tinhso.dossiers.demo import demo_certificates

    # when the demo dossiers are seeded
    # then the demo root and the certificate of every agency deciding a demo dossier exist
    root = (pki / "root" / "cert.pem").read_bytes()
    codes = set(Dossier.objects.values_list("competent_organisation__identifier_code", flat=True))
    made = {path.parent.name for path in (pki / "agencies").glob("*/cert.pem")}
    assert codes <= made
    stamps = {path: path.stat().st_mtime_ns for path in pki.rglob("*.pem")}
    # and making them again keeps every key and certificate as it was
    created, count = demo_certificates(Organisation.objects.filter(identifier_code__in=codes))
    assert not created and count == len(codes)
    assert (pki / "root" / "cert.pem").read_bytes() == root
    assert {path: path.stat().st_mtime_ns for path in pki.rglob("*.pem")} == stamps
