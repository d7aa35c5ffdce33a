"""Signed e-results: issued on a decided dossier, verified publicly, uploads checked."""

import io

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.core import documents, signing
from tinhso.core.files import FileTypeNotAllowed, file_open
from tinhso.core.models import AuditEvent
from tinhso.dossiers.choices import DossierStatus
from tinhso.dossiers.models import Dossier, DossierResult
from tinhso.dossiers.results import (
    ResultNotDecided,
    ResultNotFound,
    ResultSignatureInvalid,
    citizen_results,
    result_by_token,
    result_check,
    result_issue,
    result_summary,
    result_upload,
    verification_path,
)
from tinhso.dossiers.tests.factories import at, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pki(tmp_path, settings):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "pki"


def _decided(world, api, clock, key="result-key-01"):
    clock.set(at(2026, 3, 6, 9))
    response = api.submit(
        world.citizen_user,
        {"procedure": world.procedure.national_code, "unit": world.commune.code},
        {"to-khai": pdf_upload()},
        key,
    )
    code = response.json()["code"]
    Dossier.objects.filter(code=code).update(status=DossierStatus.PROCESSED)
    return Dossier.objects.select_related("procedure", "competent_organisation", "applicant").get(
        code=code
    )


def _bytes(result) -> bytes:
    with file_open(result.stored_file) as handle:
        return handle.read()


def test_issued_result_is_signed_by_the_competent_agency_and_stored(world, api, clock):
    # given a decided dossier
    dossier = _decided(world, api, clock)
    # when its result is issued
    result = result_issue(actor=world.head, dossier=dossier)
    data = _bytes(result)
    check = signing.verify_pdf(data)
    # then the stored PDF verifies and names the competent agency
    assert check.valid, check.reason
    assert check.signer_identifier_code == dossier.competent_organisation.identifier_code
    assert result.signer_identifier_code == dossier.competent_organisation.identifier_code
    assert result.token not in dossier.code and dossier.code not in result.token
    assert len(result.token) >= 20
    assert AuditEvent.objects.filter(action="dossier.result_generated").count() == 1


def test_result_is_refused_for_a_dossier_not_yet_decided(world, api, clock):
    dossier = _decided(world, api, clock)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.PROCESSING)
    dossier.refresh_from_db()
    with pytest.raises(ResultNotDecided):
        result_issue(actor=world.head, dossier=dossier)
    assert DossierResult.objects.count() == 0


def test_the_qr_code_carries_the_verification_address(world, api, clock, monkeypatch):
    # given the QR codes drawn into the result document are recorded
    drawn = []
    original = documents.qr_png

    def spy(data, **kwargs):
        drawn.append(data)
        return original(data, **kwargs)

    monkeypatch.setattr(documents, "qr_png", spy)
    dossier = _decided(world, api, clock)
    # when the result is issued
    result = result_issue(actor=world.head, dossier=dossier)
    # then the QR holds the public verification address with the random token
    assert drawn == [f"http://127.0.0.1:8000{verification_path(result.token)}"]
    assert verification_path(result.token).startswith("/xac-thuc-ket-qua/")
    assert segno.make(drawn[0]).designator  # a valid QR payload


def test_a_result_signed_without_a_request_has_a_qr_a_phone_can_open(
    world, api, clock, settings, tmp_path
):
    from tinhso.dossiers.tests import pdfcheck

    # given the platform's public address
    settings.TINHSO_PUBLIC_URL = "https://dichvucong.haiphong.gov.vn/"
    dossier = _decided(world, api, clock)
    # when the result is signed outside any request (as the after-commit job does)
    result = result_issue(actor=world.head, dossier=dossier)
    # then the QR code read back from the PDF is the absolute verification address
    (qr,) = pdfcheck.qr_codes(_bytes(result), tmp_path)
    assert qr == f"https://dichvucong.haiphong.gov.vn/xac-thuc-ket-qua/{result.token}/"


def test_the_issued_file_checks_as_valid_and_a_changed_copy_does_not(world, api, clock):
    dossier = _decided(world, api, clock)
    result = result_issue(actor=world.head, dossier=dossier)
    data = _bytes(result)
    assert result_check(token=result.token, data=data).valid
    # an altered byte inside the signed range
    position = data.index(b"/Producer")
    altered = data[:position] + b"/Producex" + data[position + 9 :]
    verdict = result_check(token=result.token, data=altered)
    assert not verdict.valid
    assert verdict.reason in {"altered", "malformed_signature", "unreadable"}
    # content appended after signing
    assert result_check(token=result.token, data=data + b"%x\n").reason == (
        "modified_after_signing"
    )


def test_a_copy_signed_by_a_foreign_certificate_fails(world, api, clock, tmp_path, settings):
    dossier = _decided(world, api, clock)
    result = result_issue(actor=world.head, dossier=dossier)
    # given a document re-signed with the same agency name by another authority
    settings.TINHSO_PKI_DIR = str(tmp_path / "foreign")
    plain = documents.render_pdf(
        documents.OfficialDocument(
            agency_parent="",
            agency="GIẢ MẠO",
            number=dossier.code,
            place_date="",
            title="KẾT QUẢ",
        )
    )
    forged = signing.sign_pdf(
        plain, signer=signing.organisation_signer(dossier.competent_organisation)
    )
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    verdict = result_check(token=result.token, data=forged)
    assert not verdict.valid
    assert verdict.reason == "untrusted_signer"


def test_a_valid_signed_file_of_another_dossier_is_not_this_result(world, api, clock):
    first = result_issue(actor=world.head, dossier=_decided(world, api, clock, "result-key-01"))
    second = result_issue(actor=world.head, dossier=_decided(world, api, clock, "result-key-02"))
    verdict = result_check(token=first.token, data=_bytes(second))
    assert not verdict.valid
    assert verdict.reason == "not_the_issued_file"


def test_a_forged_verification_code_is_not_found(world, api, clock):
    result_issue(actor=world.head, dossier=_decided(world, api, clock))
    for guess in ["", "x" * 200, "abc", "000.00.50.H24-260306-0001"]:
        with pytest.raises(ResultNotFound):
            result_by_token(guess)
    with pytest.raises(ResultNotFound) as caught:
        result_check(token="forged-code", data=b"%PDF-1.7")
    assert caught.value.status == 404
    assert caught.value.code == "result_not_found"


def test_summary_masks_the_applicant(world, api, clock):
    dossier = _decided(world, api, clock)
    result = result_issue(actor=world.head, dossier=dossier)
    summary = result_summary(result_by_token(result.token))
    assert summary["procedure"] == dossier.procedure.name
    assert summary["agency"] == dossier.competent_organisation.name
    assert summary["sha256"] == result.sha256
    assert dossier.applicant.full_name not in summary["applicant"]
    assert dossier.applicant.full_name.split()[-1] in summary["applicant"]


def test_uploading_a_result_that_is_not_a_pdf_is_refused(world, api, clock):
    dossier = _decided(world, api, clock)
    upload = SimpleUploadedFile("ket-qua.pdf", png_bytes(), content_type="application/pdf")
    with pytest.raises(FileTypeNotAllowed) as caught:
        result_upload(actor=world.head, dossier=dossier, uploaded_file=upload)
    assert caught.value.status == 400
    assert DossierResult.objects.count() == 0


def test_uploading_an_unsigned_pdf_is_refused_and_nothing_kept(world, api, clock, tmp_path):
    dossier = _decided(world, api, clock)
    with pytest.raises(ResultSignatureInvalid) as caught:
        result_upload(actor=world.head, dossier=dossier, uploaded_file=pdf_upload("kq.pdf"))
    assert caught.value.code == "result_signature_invalid"
    assert caught.value.details["reason"] in {"unsigned", "unreadable"}
    assert DossierResult.objects.count() == 0
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*kq*"))


def test_uploading_a_pdf_signed_by_the_agency_is_kept(world, api, clock):
    dossier = _decided(world, api, clock)
    plain = documents.render_pdf(
        documents.OfficialDocument(
            agency_parent="", agency="SỞ", number="1", place_date="", title="KẾT QUẢ"
        )
    )
    signed = signing.sign_pdf(
        plain, signer=signing.organisation_signer(dossier.competent_organisation)
    )
    upload = SimpleUploadedFile("kq.pdf", signed, content_type="application/pdf")
    result = result_upload(actor=world.head, dossier=dossier, uploaded_file=upload)
    assert result.source == "uploaded"
    assert result_check(token=result.token, data=io.BytesIO(signed).read()).valid


def test_the_citizen_store_lists_their_results_only(world, api, clock):
    dossier = _decided(world, api, clock)
    result = result_issue(actor=world.head, dossier=dossier)
    assert list(citizen_results(dossier.applicant)) == [result]
    assert list(citizen_results(world.other_citizen)) == []
