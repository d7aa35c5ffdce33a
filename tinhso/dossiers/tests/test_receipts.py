"""The receipt and the refusal notice as PDF, read back with pdftotext."""

import shutil
import subprocess

import pytest

from tinhso.dossiers.tests.factories import at, pdf_upload

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes, tmp_path) -> str:
    binary = shutil.which("pdftotext")
    if binary is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    command = [binary, "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def _submit(api, world):
    return api.submit(
        world.citizen_user,
        {"procedure": world.procedure.national_code, "unit": world.commune.code},
        {"to-khai": pdf_upload()},
        "receipt-key-01",
    ).json()["code"]


def test_receipt_shows_code_applicant_components_and_promised_time(world, api, clock, tmp_path):
    # given a dossier received on Friday 6 March 2026 at 16:00
    clock.set(at(2026, 3, 6, 15))
    code = _submit(api, world)
    clock.set(at(2026, 3, 6, 16))
    api.act(world.desk, code, "receive")
    # when the citizen downloads the receipt
    response = api.get(world.citizen_user, f"/{code}/receipt.pdf")
    # then it is a PDF naming the code, the applicant, the paper and the promised return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(text_of(response.content, tmp_path).split())
    assert code in text
    assert "Nguyễn Thị Hương" in text
    assert "Tờ khai" in text
    assert "16 giờ 00 phút, ngày 13 tháng 03 năm 2026" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text.upper()


def test_no_receipt_before_receipt_and_refusal_notice_after_refusal(world, api, clock, tmp_path):
    clock.set(at(2026, 3, 6, 9))
    code = _submit(api, world)
    assert api.get(world.citizen_user, f"/{code}/receipt.pdf").status_code == 404
    api.act(world.desk, code, "refuse_receipt", reason="Tờ khai không đúng mẫu")
    response = api.get(world.citizen_user, f"/{code}/receipt.pdf")
    assert response.status_code == 200
    text = " ".join(text_of(response.content, tmp_path).split())
    assert "Tờ khai không đúng mẫu" in text
    assert "TỪ CHỐI TIẾP NHẬN" in text.upper()


def test_receipt_qr_and_tracking_link_use_the_public_address(world, api, clock, tmp_path, settings):
    from tinhso.dossiers.tests import pdfcheck

    # given the platform's public address, not the host the request came to
    settings.TINHSO_PUBLIC_URL = "https://dichvucong.haiphong.gov.vn"
    clock.set(at(2026, 3, 6, 15))
    code = _submit(api, world)
    api.act(world.desk, code, "receive")
    # when the citizen downloads the receipt
    response = api.get(world.citizen_user, f"/{code}/receipt.pdf")
    # then its QR code opens the tracking page on the public address
    (qr,) = pdfcheck.qr_codes(response.content, tmp_path)
    assert qr == f"https://dichvucong.haiphong.gov.vn/tra-cuu-ho-so/?code={code}"
    assert "testserver" not in qr
