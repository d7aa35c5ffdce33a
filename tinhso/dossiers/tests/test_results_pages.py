"""Pages of signed e-results: public verification, the citizen's download and papers store."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tinhso.core.files import file_open
from tinhso.dossiers.choices import DossierStatus
from tinhso.dossiers.models import Dossier, DossierResult
from tinhso.dossiers.results import result_issue, result_issue_after_commit
from tinhso.dossiers.tests.factories import at, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pki(tmp_path, settings):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()  # the public verification counts failures per address


@pytest.fixture
def issued(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = api.submit(
        world.citizen_user,
        {"procedure": world.procedure.national_code, "unit": world.commune.code},
        {"to-khai": pdf_upload()},
        "pages-key-01",
    ).json()["code"]
    Dossier.objects.filter(code=code).update(status=DossierStatus.PROCESSED)
    dossier = Dossier.objects.get(code=code)
    return result_issue(actor=world.head, dossier=dossier)


def _data(result) -> bytes:
    with file_open(result.stored_file) as handle:
        return handle.read()


def _post(token, data, name="ket-qua.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return Client().post(f"/xac-thuc-ket-qua/{token}/", {"file": upload})


def test_public_page_shows_the_summary_without_signing_in(issued):
    response = Client().get(f"/xac-thuc-ket-qua/{issued.token}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert issued.sha256 in text
    assert issued.dossier.procedure.name in text
    assert issued.dossier.applicant.full_name not in text


def test_a_forged_code_is_the_404_page(issued):
    for token in ["forged-code-000", issued.token[:-1] + "x", issued.dossier.code]:
        response = Client().get(f"/xac-thuc-ket-qua/{token}/")
        assert response.status_code == 404
        assert issued.sha256 not in response.content.decode()


def test_the_issued_file_is_valid_on_the_page(issued):
    response = _post(issued.token, _data(issued))
    assert response.status_code == 200
    assert "Hợp lệ" in response.content.decode()
    assert "Không hợp lệ" not in response.content.decode()


def test_an_altered_copy_is_not_valid_with_the_reason(issued):
    data = _data(issued)
    position = data.index(b"/Producer")
    altered = data[:position] + b"/Producex" + data[position + 9 :]
    response = _post(issued.token, altered)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Không hợp lệ" in text


def test_a_picture_presented_as_the_result_is_not_valid(issued):
    response = _post(issued.token, png_bytes(), name="anh.pdf")
    assert response.status_code == 400
    assert "Tệp không phải là tệp PDF." in response.content.decode()
    assert DossierResult.objects.count() == 1


def test_the_citizen_downloads_their_result_and_others_cannot(world, issued):
    own = Client()
    own.force_login(world.citizen_user)
    response = own.get(f"/ca-nhan/ho-so/{issued.dossier.code}/ket-qua.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _data(issued)
    other = Client()
    other.force_login(world.other_citizen_user)
    assert other.get(f"/ca-nhan/ho-so/{issued.dossier.code}/ket-qua.pdf").status_code == 404


def test_papers_store_lists_the_citizen_results(world, issued):
    own = Client()
    own.force_login(world.citizen_user)
    text = own.get("/ca-nhan/kho-giay-to/").content.decode()
    assert f"/xac-thuc-ket-qua/{issued.token}/" in text
    other = Client()
    other.force_login(world.other_citizen_user)
    assert issued.token not in other.get("/ca-nhan/kho-giay-to/").content.decode()


def test_approval_issues_the_result_after_commit(
    world, api, clock, django_capture_on_commit_callbacks
):
    # given a processed dossier whose approval has just been made
    clock.set(at(2026, 3, 6, 9))
    code = api.submit(
        world.citizen_user,
        {"procedure": world.procedure.national_code, "unit": world.commune.code},
        {"to-khai": pdf_upload()},
        "pages-key-02",
    ).json()["code"]
    Dossier.objects.filter(code=code).update(status=DossierStatus.PROCESSED)
    dossier = Dossier.objects.get(code=code)
    # when the approval's transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        result_issue_after_commit(actor=world.head, dossier=dossier)
    # then the signed result exists, once
    assert DossierResult.objects.filter(dossier=dossier).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        result_issue_after_commit(actor=world.head, dossier=dossier)
    assert DossierResult.objects.filter(dossier=dossier).count() == 1


def test_head_approval_produces_a_signed_result_the_citizen_downloads(
    world, clock, django_capture_on_commit_callbacks
):
    from tinhso.core.signing import verify_pdf
    from tinhso.dossiers.actions import dossier_act
    from tinhso.dossiers.tests.test_workflow_path import submit_online

    # given a dossier received, assigned and forwarded to the head
    dossier = submit_online(world, clock, at(2026, 3, 6, 15, 30))
    clock.set(at(2026, 3, 6, 16))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    clock.set(at(2026, 3, 9, 8))
    dossier = dossier_act(
        actor=world.head, dossier=dossier, action="assign", assignee=world.specialist.pk
    )
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="forward")
    # when the head approves
    clock.set(at(2026, 3, 10, 9))
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_act(actor=world.head, dossier=dossier, action="approve")
    # then a result signed by the competent agency is stored and downloadable by the citizen
    assert dossier.status == DossierStatus.PROCESSED
    result = DossierResult.objects.get(dossier=dossier)
    check = verify_pdf(_data(result))
    assert check.valid
    assert check.signer_identifier_code == world.justice.identifier_code
    own = Client()
    own.force_login(world.citizen_user)
    response = own.get(f"/ca-nhan/ho-so/{dossier.code}/ket-qua.pdf")
    assert response.status_code == 200


def test_api_summary_and_file_check(issued):
    client = Client()
    summary = client.get("/api/v1/dossiers/results/verify", {"token": issued.token})
    assert summary.status_code == 200
    assert summary.json()["sha256"] == issued.sha256
    good = SimpleUploadedFile("kq.pdf", _data(issued), content_type="application/pdf")
    answer = client.post("/api/v1/dossiers/results/verify", {"token": issued.token, "file": good})
    assert answer.status_code == 200
    assert answer.json()["valid"] is True
    data = _data(issued) + b"%x\n"
    bad = SimpleUploadedFile("kq.pdf", data, content_type="application/pdf")
    answer = client.post("/api/v1/dossiers/results/verify", {"token": issued.token, "file": bad})
    assert answer.json() == {
        "valid": False,
        "reason": "modified_after_signing",
        "message": "Tệp đã bị thêm nội dung sau khi ký.",
    }


def test_api_forged_code_is_404_and_missing_file_400(issued):
    client = Client()
    forged = client.get("/api/v1/dossiers/results/verify", {"token": "forged"})
    assert forged.status_code == 404
    assert forged.json()["error"]["code"] == "result_not_found"
    posted = client.post("/api/v1/dossiers/results/verify", {"token": "forged"})
    assert posted.status_code == 404
    empty = client.post("/api/v1/dossiers/results/verify", {"token": issued.token})
    assert empty.status_code == 400
    assert empty.json()["error"]["code"] == "file_required"


def test_dossier_page_links_to_the_result_once_issued(world, issued):
    own = Client()
    own.force_login(world.citizen_user)
    text = own.get(f"/ca-nhan/ho-so/{issued.dossier.code}/").content.decode()
    assert f"/ca-nhan/ho-so/{issued.dossier.code}/ket-qua.pdf" in text
    assert f"/xac-thuc-ket-qua/{issued.token}/" in text


def _decided_dossier(world, api, clock, key):
    clock.set(at(2026, 3, 6, 9))
    code = api.submit(
        world.citizen_user,
        {"procedure": world.procedure.national_code, "unit": world.commune.code},
        {"to-khai": pdf_upload()},
        key,
    ).json()["code"]
    Dossier.objects.filter(code=code).update(status=DossierStatus.PROCESSED)
    return Dossier.objects.select_related("competent_organisation").get(code=code)


def _upload(api, user, code, data, name="ket-qua.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return api.client(user).post(f"/api/v1/dossiers/results/{code}/upload", {"file": upload})


def test_api_upload_refuses_a_non_pdf_and_an_unsigned_pdf(world, api, clock):
    dossier = _decided_dossier(world, api, clock, "upload-key-01")
    picture = _upload(api, world.head, dossier.code, png_bytes(), name="kq.pdf")
    assert picture.status_code == 400
    assert picture.json()["error"]["code"] == "file_type_not_allowed"
    unsigned = _upload(api, world.head, dossier.code, pdf_upload().read())
    assert unsigned.status_code == 400
    assert unsigned.json()["error"]["code"] == "result_signature_invalid"
    assert DossierResult.objects.count() == 0


def test_api_upload_keeps_an_agency_signed_pdf_for_the_head_only(world, api, clock):
    from tinhso.core import documents, signing

    dossier = _decided_dossier(world, api, clock, "upload-key-02")
    plain = documents.render_pdf(
        documents.OfficialDocument(
            agency_parent="", agency="SỞ", number="1", place_date="", title="KẾT QUẢ"
        )
    )
    signed = signing.sign_pdf(
        plain, signer=signing.organisation_signer(dossier.competent_organisation)
    )
    denied = _upload(api, world.specialist, dossier.code, signed)
    assert denied.status_code in (403, 404)
    assert DossierResult.objects.count() == 0
    kept = _upload(api, world.head, dossier.code, signed)
    assert kept.status_code == 200, kept.content
    assert kept.json()["source"] == "uploaded"
    assert DossierResult.objects.get(dossier=dossier).sha256 == kept.json()["sha256"]


# --- the failure limit of the public verification --------------------------------------


def test_repeated_wrong_codes_on_the_page_give_429_even_for_the_right_code(issued):
    from tinhso.dossiers.selectors import TRACK_MAX_FAILURES

    client = Client(REMOTE_ADDR="10.1.2.3")
    for n in range(TRACK_MAX_FAILURES):
        assert client.get(f"/xac-thuc-ket-qua/sai-ma-{n}/").status_code == 404
    blocked = client.get(f"/xac-thuc-ket-qua/{issued.token}/")
    assert blocked.status_code == 429
    text = blocked.content.decode()
    assert "Bạn đã kiểm tra kết quả sai quá nhiều lần" in text
    assert "too_many_attempts" in text
    assert issued.sha256 not in text
    # another address is not affected, and neither is the tracking look-up's counter
    assert (
        Client(REMOTE_ADDR="10.1.2.4").get(f"/xac-thuc-ket-qua/{issued.token}/").status_code == 200
    )
    tracked = client.post("/tra-cuu-ho-so/", {"code": "X", "id_number": "031190001234"})
    assert tracked.status_code == 404


def test_files_that_are_not_the_result_count_as_failures(issued):
    from tinhso.dossiers.selectors import TRACK_MAX_FAILURES

    client = Client(REMOTE_ADDR="10.1.2.5")
    for _ in range(TRACK_MAX_FAILURES):
        upload = SimpleUploadedFile("kq.pdf", png_bytes(), content_type="application/pdf")
        response = client.post(f"/xac-thuc-ket-qua/{issued.token}/", {"file": upload})
        assert response.status_code == 400
    upload = SimpleUploadedFile("kq.pdf", _data(issued), content_type="application/pdf")
    response = client.post(f"/xac-thuc-ket-qua/{issued.token}/", {"file": upload})
    assert response.status_code == 429


def test_the_verify_api_answers_429_with_the_stable_code(issued, api):
    from tinhso.dossiers.selectors import TRACK_MAX_FAILURES

    client = Client(REMOTE_ADDR="10.1.2.6")
    for n in range(TRACK_MAX_FAILURES - 1):
        wrong = client.get("/api/v1/dossiers/results/verify", {"token": f"sai-{n}"})
        assert wrong.status_code == 404
    upload = SimpleUploadedFile("kq.pdf", png_bytes(), content_type="application/pdf")
    invalid = client.post(
        "/api/v1/dossiers/results/verify", {"token": issued.token, "file": upload}
    )
    assert invalid.status_code == 200 and invalid.json()["valid"] is False
    for response in (
        client.get("/api/v1/dossiers/results/verify", {"token": issued.token}),
        client.post("/api/v1/dossiers/results/verify", {"token": issued.token}),
    ):
        assert response.status_code == 429
        error = response.json()["error"]
        assert error["code"] == "too_many_attempts"
        assert "quá nhiều lần" in error["message"]
    fine = Client(REMOTE_ADDR="10.1.2.7").get(
        "/api/v1/dossiers/results/verify", {"token": issued.token}
    )
    assert fine.status_code == 200
