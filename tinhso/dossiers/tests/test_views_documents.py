"""The officers' dossier page: uploading the signed result, issuing apology letters; the
citizen's page listing the letters. Who sees each form, what a forged post gets, what is kept."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.core import documents, signing
from tinhso.core.models import AuditEvent, StoredFile
from tinhso.dossiers.models import ApologyLetter, Dossier, DossierResult
from tinhso.dossiers.tests.factories import at, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)
UPLOAD_TITLE = "Tải lên kết quả đã ký số"
APOLOGY_TITLE = "Phát hành phiếu xin lỗi và hẹn lại ngày trả kết quả"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, settings):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


def make_dossier(world, *, status, due=None) -> Dossier:
    received = at(2026, 1, 5, 8)
    return Dossier.objects.create(
        code=f"000.00.03.H24-260105-{next(_codes):04d}",
        procedure=world.procedure,
        applicant=world.citizen,
        applicant_email="huong@example.vn",
        channel="online",
        receiving_organisation=world.centre,
        competent_organisation=world.justice,
        current_organisation=world.justice,
        unit=world.province,
        submitted_at=received,
        received_at=received,
        status=status,
        step_code="phe-duyet" if status == "processed" else "tham-dinh",
        due_at=due or at(2026, 1, 13, 17),
    )


def signed_pdf(organisation) -> bytes:
    plain = documents.render_pdf(
        documents.OfficialDocument(
            agency_parent="", agency="SỞ TƯ PHÁP", number="1", place_date="", title="KẾT QUẢ"
        )
    )
    return signing.sign_pdf(plain, signer=signing.organisation_signer(organisation))


def page(client, dossier) -> str:
    response = client.get(f"/quan-tri/ho-so/{dossier.code}/")
    assert response.status_code == 200
    return response.content.decode()


def upload(client, dossier, data, *, name="ket-qua.pdf", version=None):
    return client.post(
        f"/quan-tri/ho-so/{dossier.code}/ket-qua/",
        {
            "result-expected_version": version if version is not None else dossier.version,
            "result-file": SimpleUploadedFile(name, data, content_type="application/pdf"),
        },
    )


def apologise(client, dossier, *, version=None, **fields):
    data = {"apology-expected_version": version if version is not None else dossier.version}
    data.update({f"apology-{k}": v for k, v in fields.items()})
    return client.post(f"/quan-tri/ho-so/{dossier.code}/xin-loi/", data)


# --- the signed result ----------------------------------------------------------------


def test_the_head_sees_the_upload_form_and_keeps_a_signed_result(client, world):
    dossier = make_dossier(world, status="processed")
    client.force_login(world.head)
    assert UPLOAD_TITLE in page(client, dossier)
    # when the head uploads a PDF signed with the agency's certificate
    data = signed_pdf(world.justice)
    response = upload(client, dossier, data)
    # then the page comes back with a message, the result is kept once and audited
    assert response.status_code == 302
    assert response["Location"] == f"/quan-tri/ho-so/{dossier.code}/"
    result = DossierResult.objects.get(dossier=dossier)
    assert result.source == "uploaded"
    assert AuditEvent.objects.filter(action="dossier.result_uploaded").count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "Đã lưu kết quả đã ký số" in html
    # and the page shows the result with its download and verification, not the form
    assert UPLOAD_TITLE not in html
    assert f"/quan-tri/ho-so/{dossier.code}/ket-qua.pdf" in html
    assert f"/xac-thuc-ket-qua/{result.token}/" in html
    download = client.get(f"/quan-tri/ho-so/{dossier.code}/ket-qua.pdf")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data


def test_a_file_that_is_not_a_pdf_is_refused_on_the_page_and_nothing_kept(client, world):
    dossier = make_dossier(world, status="processed")
    client.force_login(world.head)
    files_before = StoredFile.objects.count()
    response = upload(client, dossier, png_bytes(), name="ket-qua.pdf")
    assert response.status_code == 400
    html = response.content.decode()
    assert "không đúng định dạng" in html or "không khớp với nội dung" in html
    assert 'id="result-form-error"' in html
    assert 'aria-invalid="true"' in html
    assert DossierResult.objects.count() == 0
    assert StoredFile.objects.count() == files_before


def test_an_unsigned_or_foreign_signed_pdf_is_refused_with_the_reason(
    client, world, settings, tmp_path
):
    dossier = make_dossier(world, status="processed")
    client.force_login(world.head)
    files_before = StoredFile.objects.count()
    unsigned = upload(client, dossier, pdf_bytes())
    assert unsigned.status_code == 400
    assert "Tệp kết quả không hợp lệ" in unsigned.content.decode()
    # a file signed under another authority with the agency's name
    settings.TINHSO_PKI_DIR = str(tmp_path / "foreign")
    forged = signed_pdf(world.justice)
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    signing.organisation_signer(world.justice)  # the trusted root exists
    foreign = upload(client, dossier, forged)
    assert foreign.status_code == 400
    assert "không thuộc cơ quan có thẩm quyền" in foreign.content.decode()
    assert DossierResult.objects.count() == 0
    assert StoredFile.objects.count() == files_before
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*.pdf"))


def test_others_do_not_see_the_upload_form_and_a_forged_post_writes_nothing(client, world):
    dossier = make_dossier(world, status="processed")
    data = signed_pdf(world.justice)
    # a specialist of the same agency reaches the dossier but may not upload
    client.force_login(world.specialist)
    assert UPLOAD_TITLE not in page(client, dossier)
    assert upload(client, dossier, data).status_code == 403
    # another agency's official does not reach the dossier at all
    client.force_login(world.other_specialist)
    assert upload(client, dossier, data).status_code == 404
    # a citizen is not an official
    client.force_login(world.citizen_user)
    assert upload(client, dossier, data).status_code == 403
    assert DossierResult.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="dossier.result").count() == 0


def test_no_upload_form_before_the_decision_and_a_forged_post_is_refused(client, world):
    dossier = make_dossier(world, status="processing")
    client.force_login(world.head)
    assert UPLOAD_TITLE not in page(client, dossier)
    response = upload(client, dossier, signed_pdf(world.justice))
    assert response.status_code == 400
    assert "chưa được phê duyệt" in response.content.decode()
    assert DossierResult.objects.count() == 0


def test_a_stale_page_uploads_nothing(client, world):
    dossier = make_dossier(world, status="processed")
    client.force_login(world.head)
    Dossier.objects.filter(pk=dossier.pk).update(version=dossier.version + 1)
    response = upload(client, dossier, signed_pdf(world.justice), version=dossier.version)
    assert response.status_code == 409
    assert "Hồ sơ đã được người khác xử lý" in response.content.decode()
    assert DossierResult.objects.count() == 0


# --- apology letters ------------------------------------------------------------------


@pytest.fixture
def late(world, clock):
    clock.set(at(2026, 1, 14, 9))  # a Wednesday, the dossier was due yesterday
    return make_dossier(world, status="processing")


def test_the_head_issues_a_letter_from_the_page(client, world, late):
    client.force_login(world.head)
    assert APOLOGY_TITLE in page(client, late)
    response = apologise(client, late, reason="Cần xác minh thêm tại xã", extra_days=2)
    assert response.status_code == 302
    letter = ApologyLetter.objects.get(dossier=late)
    assert letter.new_due_at == at(2026, 1, 16, 9)
    assert letter.stored_file_id is not None
    html = client.get(response["Location"]).content.decode()
    assert "Đã phát hành phiếu xin lỗi" in html
    assert "16/01/2026" in html
    assert "Cần xác minh thêm tại xã" in html
    url = f"/quan-tri/ho-so/{late.code}/xin-loi/{letter.pk}.pdf"
    assert url in html
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_desk_of_the_receiving_agency_issues_a_letter_with_a_new_date(client, world, late):
    client.force_login(world.desk)
    assert APOLOGY_TITLE in page(client, late)
    response = apologise(client, late, reason="Chờ ý kiến sở khác", new_due_at="2026-01-20T10:00")
    assert response.status_code == 302
    assert ApologyLetter.objects.get(dossier=late).new_due_at == at(2026, 1, 20, 10)


def test_others_do_not_see_the_apology_form_and_a_forged_post_writes_nothing(client, world, late):
    client.force_login(world.specialist)
    assert APOLOGY_TITLE not in page(client, late)
    assert apologise(client, late, reason="x", extra_days=2).status_code == 403
    client.force_login(world.other_specialist)
    assert apologise(client, late, reason="x", extra_days=2).status_code == 404
    client.force_login(world.citizen_user)
    assert apologise(client, late, reason="x", extra_days=2).status_code == 403
    assert ApologyLetter.objects.count() == 0
    assert AuditEvent.objects.filter(action="dossier.apology").count() == 0


def test_a_letter_without_reason_or_with_a_bad_date_is_refused_on_the_page(client, world, late):
    client.force_login(world.head)
    no_reason = apologise(client, late, reason="", extra_days=2)
    assert no_reason.status_code == 400
    assert "Cần ghi lý do chậm trả kết quả." in no_reason.content.decode()
    both = apologise(client, late, reason="x", extra_days=2, new_due_at="2026-01-20T10:00")
    assert both.status_code == 400
    assert "Chỉ nhập một trong hai" in both.content.decode()
    past = apologise(client, late, reason="Lý do", new_due_at="2026-01-14T08:00")
    assert past.status_code == 400
    html = past.content.decode()
    assert "Ngày hẹn lại phải sau thời điểm hiện tại." in html
    assert 'id="apology-form-error"' in html
    assert "Lý do" in html  # what was typed stays
    stale = apologise(client, late, reason="x", extra_days=2, version=late.version + 5)
    assert stale.status_code == 409
    assert ApologyLetter.objects.count() == 0


def test_no_apology_form_once_the_dossier_is_returned(client, world, clock):
    clock.set(at(2026, 1, 14, 9))
    dossier = make_dossier(world, status="returned")
    client.force_login(world.head)
    assert APOLOGY_TITLE not in page(client, dossier)
    assert apologise(client, dossier, reason="x", extra_days=2).status_code == 400
    assert ApologyLetter.objects.count() == 0


def test_the_citizen_sees_and_downloads_their_letters_only(client, world, late):
    from tinhso.dossiers.apologies import apology_issue

    letter = apology_issue(actor=world.head, dossier=late, reason="Cần xác minh", extra_days=2)
    client.force_login(world.citizen_user)
    html = client.get(f"/ca-nhan/ho-so/{late.code}/").content.decode()
    url = f"/ca-nhan/ho-so/{late.code}/xin-loi/{letter.pk}.pdf"
    assert url in html
    assert "Cần xác minh" in html
    assert APOLOGY_TITLE not in html  # the list only, no form
    assert 'action="/quan-tri/' not in html
    assert client.get(url).status_code == 200
    client.force_login(world.other_citizen_user)
    assert client.get(url).status_code == 404
    client.force_login(world.head)
    assert client.get(f"/quan-tri/ho-so/{late.code}/xin-loi/{letter.pk + 1}.pdf").status_code == 404


def test_no_apology_form_on_a_dossier_on_time_and_a_forged_post_is_refused(client, world, clock):
    # given a dossier due next week (not late, not about to miss its date)
    clock.set(at(2026, 1, 14, 9))
    on_time = make_dossier(world, status="processing", due=at(2026, 1, 21, 17))
    client.force_login(world.head)
    # then its page offers no apology form
    assert APOLOGY_TITLE not in page(client, on_time)
    # and a forged post is refused with the reason on top of the page, nothing written
    response = apologise(client, on_time, reason="x", extra_days=2)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hồ sơ chưa quá hạn và không có nguy cơ trễ hẹn" in html
    assert 'role="alert"' in html
    assert ApologyLetter.objects.count() == 0
    assert AuditEvent.objects.filter(action="dossier.apology").count() == 0


def test_the_apology_form_shows_on_a_dossier_about_to_miss_its_date(client, world, clock):
    # given a dossier still being examined and due this afternoon (within the list's window)
    clock.set(at(2026, 1, 14, 9))
    about_to_miss = make_dossier(world, status="processing", due=at(2026, 1, 14, 16))
    client.force_login(world.desk)
    # then the form is offered and a letter can be issued
    assert APOLOGY_TITLE in page(client, about_to_miss)
    response = apologise(client, about_to_miss, reason="Chờ xác minh", extra_days=2)
    assert response.status_code == 302
    assert ApologyLetter.objects.filter(dossier=about_to_miss).count() == 1
