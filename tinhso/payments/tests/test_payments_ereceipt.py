"""The e-receipt: its legal fields, its numbering per agency and year, its signature."""

import datetime as dt
import shutil
import subprocess

import pytest

from tinhso.core.signing import verify_pdf
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.tests.factories import at
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.models import PaymentRequest
from tinhso.payments.receipts import amount_in_words, receipt_pdf
from tinhso.payments.tests.test_payments_callbacks import gateway_answer, ipn, signed_in

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes, tmp_path) -> str:
    binary = shutil.which("pdftotext")
    if binary is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "bien-lai.pdf"
    path.write_bytes(pdf)
    command = [binary, "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def paid(payment, clock, when):
    clock.set(when)
    assert ipn(gateway_answer(payment)).json()["RspCode"] == "00"
    payment.refresh_from_db()
    return payment


def again(world, clock, dossier, when):
    """Cancel the paid dossier's flow back into a new request (same dossier, new request)."""
    clock.set(when)
    dossier.refresh_from_db()
    dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    return PaymentRequest.objects.filter(dossier=dossier).latest("id")


def test_the_receipt_carries_the_fields_the_decrees_ask_for(world, clock, requested, tmp_path):
    payment = paid(requested, clock, at(2026, 3, 10, 9, 30))
    pdf, name = receipt_pdf(payment)
    assert name == "bien-lai-TS-26E-0000001.pdf"
    layout = text_of(pdf, tmp_path)
    assert "\f" not in layout.rstrip("\f"), "the receipt is one page"
    text = " ".join(layout.split())
    agency = payment.dossier.competent_organisation
    for expected in [
        "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
        "Ký hiệu mẫu biên lai: 01BLP0-001",
        "Ký hiệu biên lai: TS-26E",
        "Số biên lai: 0000001",
        f"Tổ chức thu phí, lệ phí: {agency.name}",
        f"Mã định danh tổ chức thu: {agency.identifier_code}",
        f"Người nộp: {payment.dossier.applicant.full_name}",
        f"Mã hồ sơ: {payment.dossier.code}",
        "Lệ phí 0",
        "200.000",
        "50.000",
        "Tổng cộng: 250.000 đồng.",
        "Số tiền bằng chữ: Hai trăm năm mươi nghìn đồng.",
        f"Mã giao dịch: {payment.transaction_no}",
        "Thời điểm thanh toán: 09:30:00 10/03/2026",
        "Ngày lập biên lai: 10/03/2026",
    ]:
        assert expected in text, expected


def test_the_receipt_is_signed_by_the_collecting_agency_and_kept(world, clock, requested):
    payment = paid(requested, clock, at(2026, 3, 10, 9))
    pdf, _name = receipt_pdf(payment)
    # pyHanko's validation against the platform's root
    check = verify_pdf(pdf)
    assert check.valid, check.reason
    agency = payment.dossier.competent_organisation
    assert check.signer_identifier_code == agency.identifier_code
    # the same bytes every time (drawn and signed once), also for the agency's staff
    payment.refresh_from_db()
    assert payment.receipt_file_id is not None
    assert receipt_pdf(payment)[0] == pdf
    office = signed_in(world.specialist).get(
        f"/quan-tri/thanh-toan/{payment.reference}/bien-lai.pdf"
    )
    assert office.content == pdf
    # and a changed byte breaks the signature
    tampered = pdf.replace(b"0000001", b"0000002", 1)
    assert tampered != pdf and not verify_pdf(tampered).valid


def test_pdfsig_accepts_the_signature(world, clock, requested, tmp_path, pki):
    binary = shutil.which("pdfsig")
    if binary is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    pdf, _name = receipt_pdf(paid(requested, clock, at(2026, 3, 10, 9)))
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603
        [binary, "-nocert", str(path)], capture_output=True, text=True
    ).stdout
    assert "Signature is Valid." in out


def test_numbers_follow_each_other_per_agency_and_start_again_each_year(world, clock, requested):
    first = paid(requested, clock, at(2026, 3, 10, 9))
    second = paid(
        again(world, clock, first.dossier, at(2026, 3, 11, 9)), clock, at(2026, 3, 11, 10)
    )
    third = paid(again(world, clock, first.dossier, at(2026, 3, 12, 9)), clock, at(2026, 3, 12, 10))
    assert [p.receipt_number for p in (first, second, third)] == ["0000001", "0000002", "0000003"]
    assert {p.receipt_serial for p in (first, second, third)} == {"TS-26E"}
    # a new year: a new serial and the numbering from 1 again
    fourth = paid(again(world, clock, first.dossier, at(2027, 1, 4, 9)), clock, at(2027, 1, 4, 10))
    assert (fourth.receipt_serial, fourth.receipt_number) == ("TS-27E", "0000001")


def test_another_agency_has_its_own_numbers(world, clock, requested):
    from tinhso.core.sequences import current_value

    payment = paid(requested, clock, at(2026, 3, 10, 9))
    agency = payment.dossier.competent_organisation
    assert current_value(scope=f"receipt:{agency.identifier_code}:2026") == 1
    assert current_value(scope=f"receipt:{world.centre.identifier_code}:2026") == 0


def test_a_refused_callback_takes_no_number(world, clock, requested):
    clock.set(at(2026, 3, 10, 9))
    assert ipn(gateway_answer(requested, vnp_Amount="100")).json()["RspCode"] == "04"
    payment = paid(requested, clock, at(2026, 3, 10, 10))
    assert payment.receipt_number == "0000001"


def test_no_receipt_before_payment(world, clock, requested):
    from tinhso.payments.errors import ReceiptNotReady

    assert requested.status == PaymentStatus.PENDING
    with pytest.raises(ReceiptNotReady):
        receipt_pdf(requested)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (250_000, "Hai trăm năm mươi nghìn đồng"),
        (1_000_005, "Một triệu không trăm linh năm đồng"),
        (2_015_000, "Hai triệu không trăm mười lăm nghìn đồng"),
        (10_000_000_000, "Mười tỷ đồng"),
        (1_500_000_000, "Một tỷ năm trăm triệu đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_dates_are_read_in_the_provinces_time_zone(world, clock, requested):
    # 23:30 UTC on 31 December is 06:30 on 1 January in Vietnam: next year's numbering
    PaymentRequest.objects.filter(pk=requested.pk).update(expires_at=at(2027, 1, 2, 9))
    requested.refresh_from_db()
    payment = paid(requested, clock, dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    assert payment.receipt_serial == "TS-27E"
