"""PAdES signing and verification of PDF documents (tinhso.core.signing)."""

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from tinhso.core import documents, signing

PDFSIG = shutil.which("pdfsig")
AGENCY = {"name": "Sở Tư pháp thành phố Hải Phòng", "identifier_code": "000.00.31.H26"}


@pytest.fixture
def pki(tmp_path, settings):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    return tmp_path / "pki"


@pytest.fixture(scope="module")
def plain_pdf():
    doc = documents.OfficialDocument(
        agency_parent="ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
        agency="SỞ TƯ PHÁP",
        number="01/KQ",
        place_date="Hải Phòng, ngày 22 tháng 11 năm 2026",
        title="KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        blocks=[documents.Paragraph("Cấp phiếu lý lịch tư pháp cho bà Nguyễn Thị Hương.")],
    )
    return documents.render_pdf(doc)


def test_signed_pdf_verifies_with_the_agency_and_time(pki, plain_pdf):
    # given an agency certificate from the platform's root
    signer = signing.agency_signer(**AGENCY)
    # when a PDF is signed and verified
    signed = signing.sign_pdf(plain_pdf, signer=signer, reason="Kết quả", location="Hải Phòng")
    result = signing.verify_pdf(signed)
    # then it is valid and names the agency
    assert result.valid, result.reason
    assert result.intact and result.trusted and result.covers_whole_file
    assert result.signer_name == AGENCY["name"]
    assert result.signer_identifier_code == AGENCY["identifier_code"]
    assert result.signed_at is not None


def test_certificates_are_created_once_and_kept(pki):
    # given an agency signer created once
    first = signing.agency_signer(**AGENCY)
    signing._signers.clear()
    # when it is asked for again (another process: no cache)
    second = signing.agency_signer(**AGENCY)
    # then the same key and certificate are reused, the key file private to the owner
    assert first.cert_pem == second.cert_pem
    assert (pki / "root" / "cert.pem").exists()
    key_files = list((pki / "agencies").glob("*/key.pem"))
    assert len(key_files) == 1
    assert key_files[0].stat().st_mode & 0o077 == 0


def test_a_byte_changed_inside_the_signed_range_fails(pki, plain_pdf):
    # given a signed file
    signed = signing.sign_pdf(plain_pdf, signer=signing.agency_signer(**AGENCY))
    # when a byte of the content (before the signature) is changed
    position = signed.index(b"/Producer")
    tampered = signed[:position] + b"/Producex" + signed[position + 9 :]
    result = signing.verify_pdf(tampered)
    # then the verification fails as altered
    assert not result.valid
    assert result.reason in {"altered", "malformed_signature", "unreadable"}


def test_content_appended_after_signing_fails(pki, plain_pdf):
    signed = signing.sign_pdf(plain_pdf, signer=signing.agency_signer(**AGENCY))
    result = signing.verify_pdf(signed + b"\n% added later\n")
    assert not result.valid
    assert result.reason == "modified_after_signing"


def test_a_certificate_from_another_root_fails(pki, plain_pdf, tmp_path, settings):
    # given a file signed by a certificate from a foreign authority
    settings.TINHSO_PKI_DIR = str(tmp_path / "foreign")
    foreign = signing.agency_signer(**AGENCY)
    signed = signing.sign_pdf(plain_pdf, signer=foreign)
    # when it is verified against the platform's own root
    settings.TINHSO_PKI_DIR = str(pki)
    result = signing.verify_pdf(signed)
    # then it is intact but not trusted
    assert result.intact
    assert not result.valid
    assert result.reason == "untrusted_signer"


def test_unsigned_and_non_pdf_inputs_are_refused_without_error(pki, plain_pdf):
    assert signing.verify_pdf(plain_pdf).reason == "unsigned"
    assert signing.verify_pdf(b"PK\x03\x04 not a pdf").reason == "not_pdf"
    assert signing.verify_pdf(b"").reason == "not_pdf"
    assert signing.verify_pdf(b"%PDF-1.7\n garbage").reason in {"unreadable", "unsigned"}


def test_agency_certificate_subject_carries_name_and_code(pki):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    signer = signing.agency_signer(**AGENCY)
    cert = x509.load_pem_x509_certificate(signer.cert_pem)
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == AGENCY["name"]
    code = subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value
    assert code == AGENCY["identifier_code"]
    assert cert.issuer == signing.root_certificate().subject
    root_der = signing.root_certificate().public_bytes(serialization.Encoding.DER)
    assert root_der


@pytest.mark.skipif(PDFSIG is None, reason="pdfsig (poppler-utils) not installed")
def test_pdfsig_agrees_on_signed_and_tampered_files(pki, plain_pdf, tmp_path):
    # given a signed file and a copy with a changed byte in the signed range
    signed = signing.sign_pdf(plain_pdf, signer=signing.agency_signer(**AGENCY))
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    position = signed.index(b"/Producer")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(signed[:position] + b"/Producex" + signed[position + 9 :])
    # when poppler's pdfsig checks them
    ok = subprocess.run([PDFSIG, str(good)], capture_output=True, text=True, check=False)  # noqa: S603
    ko = subprocess.run([PDFSIG, str(bad)], capture_output=True, text=True, check=False)  # noqa: S603
    # then the cryptographic signature is valid on one, not on the other
    assert "Signature is Valid" in ok.stdout
    assert "Total document signed" in ok.stdout
    assert "Signature is Valid" not in ko.stdout


def test_a_long_vietnamese_agency_name_is_cut_to_the_subject_limit(pki):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    long_name = "Ban Quản lý các khu công nghiệp và khu kinh tế thành phố Hải Phòng mở rộng"
    signer = signing.agency_signer(name=long_name, identifier_code="000.00.31.H99")
    cert = x509.load_pem_x509_certificate(signer.cert_pem)
    value = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert len(value.encode("utf-8")) <= 64
    assert long_name.startswith(value)


def test_the_private_key_is_parsed_once_for_many_signatures(pki, plain_pdf, monkeypatch):
    signer = signing.agency_signer(**AGENCY)
    first = signing.sign_pdf(plain_pdf, signer=signer)
    parse = serialization.load_der_private_key
    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return parse(*args, **kwargs)

    monkeypatch.setattr(serialization, "load_der_private_key", counting)
    signed = [signing.sign_pdf(plain_pdf, signer=signer) for _ in range(3)]
    assert calls == []
    assert all(signing.verify_pdf(pdf).valid for pdf in [first, *signed])
