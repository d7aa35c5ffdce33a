"""The demo dossiers: made through the services, in many statuses, once."""

import re

import pytest

from tinhso.dossiers.models import Dossier
from tinhso.dossiers.tests import pdfcheck

pytestmark = pytest.mark.django_db


@pytest.fixture
def pki(tmp_path, settings):
    """The demo's certificates in a temporary folder, never the checkout's var/pki."""
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    return tmp_path / "pki"


@pytest.fixture
def demo_base(pki):
    from tinhso.core.demo.seeder import demo_seed
    from tinhso.procedures.demo import load_demo_catalogue

    demo_seed(actor=None, citizens=60)
    load_demo_catalogue(actor=None)


def test_demo_dossiers_cover_the_statuses_and_are_made_once(demo_base):
    from tinhso.dossiers.demo import dossiers_demo_seed

    # when the demo dossiers are seeded
    report = dossiers_demo_seed(actor=None)
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


def test_demo_dossiers_include_overdue_ones(demo_base):
    from tinhso.core import calendar
    from tinhso.core.workflow import overdue_q
    from tinhso.dossiers.choices import RUNNING_STATUSES
    from tinhso.dossiers.demo import dossiers_demo_seed

    dossiers_demo_seed(actor=None)
    running = Dossier.objects.filter(status__in=RUNNING_STATUSES)
    assert running.filter(overdue_q(now=calendar.now())).exists()


def test_demo_citizen_has_a_payment_to_make_and_a_signed_result(
    demo_base, pki, django_capture_on_commit_callbacks, tmp_path
):
    from tinhso.core import calendar
    from tinhso.core.models import User
    from tinhso.core.signing import verify_pdf
    from tinhso.dossiers.demo import dossiers_demo_seed
    from tinhso.dossiers.models import DossierResult
    from tinhso.payments.models import PaymentRequest

    # when the demo dossiers are seeded (results are signed once the seeding commits)
    with django_capture_on_commit_callbacks(execute=True):
        dossiers_demo_seed(actor=None)
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


def test_demo_certificates_exist_before_signing_and_are_kept(demo_base, pki):
    from tinhso.core.models import Organisation
    from tinhso.dossiers.demo import demo_certificates, dossiers_demo_seed

    # when the demo dossiers are seeded
    dossiers_demo_seed(actor=None)
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
