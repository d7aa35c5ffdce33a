"""A citizen's own dossiers, their detail (withdraw, supplement) and public tracking."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.selectors import TRACK_MAX_FAILURES
from tinhso.dossiers.services import dossier_submit
from tinhso.dossiers.tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def submit(world, *, key="page-key-0001", citizen_user=None, citizen=None):
    return dossier_submit(
        actor=citizen_user or world.citizen_user,
        procedure=world.procedure,
        applicant=citizen or world.citizen,
        channel="online",
        unit=world.province,
        files={"to-khai": [pdf_upload()]},
        idempotency_key=key,
    )


def version(dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).version


def test_my_dossiers_lists_only_mine_with_status_and_due_date(client, world):
    mine = submit(world)
    theirs = submit(
        world,
        key="page-key-0002",
        citizen_user=world.other_citizen_user,
        citizen=world.other_citizen,
    )
    client.force_login(world.citizen_user)
    html = client.get("/ca-nhan/ho-so/").content.decode()
    assert mine.code in html and theirs.code not in html
    assert "Mới nộp, chờ tiếp nhận" in html
    assert "Rút hồ sơ" in html  # an action available to me


def test_another_citizens_dossier_is_the_same_404_page_as_a_missing_one(client, world):
    theirs = submit(world, citizen_user=world.other_citizen_user, citizen=world.other_citizen)
    client.force_login(world.citizen_user)
    other = client.get(f"/ca-nhan/ho-so/{theirs.code}/")
    missing = client.get("/ca-nhan/ho-so/000.00.50.H24-250101-9999/")
    assert other.status_code == missing.status_code == 404
    for response in (other, missing):
        assert "Không tìm thấy hồ sơ." in response.content.decode()
    assert "Trần Văn Nam" not in other.content.decode()
    row = theirs.files.get()
    assert client.get(f"/ca-nhan/ho-so/{theirs.code}/tep/{row.stored_file_id}/").status_code == 404
    assert client.get(f"/ca-nhan/ho-so/{theirs.code}/giay-tiep-nhan.pdf").status_code == 404
    response = client.post(
        f"/ca-nhan/ho-so/{theirs.code}/thao-tac/withdraw/",
        {"withdraw-expected_version": theirs.version},
    )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=theirs.pk).status == "new"


def test_my_detail_shows_files_and_history_and_downloads_my_file(client, world):
    dossier = submit(world)
    client.force_login(world.citizen_user)
    html = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "to-khai.pdf" in html and "Lịch sử xử lý" in html and "Nộp hồ sơ" in html
    row = dossier.files.get()
    response = client.get(f"/ca-nhan/ho-so/{dossier.code}/tep/{row.stored_file_id}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_withdrawing_from_my_detail_page(client, world):
    dossier = submit(world)
    client.force_login(world.citizen_user)
    html = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert f'action="/ca-nhan/ho-so/{dossier.code}/thao-tac/withdraw/"' in html
    response = client.post(
        f"/ca-nhan/ho-so/{dossier.code}/thao-tac/withdraw/",
        {"withdraw-expected_version": dossier.version, "withdraw-reason": "Nộp nhầm"},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "withdrawn"


def test_a_supplement_request_shows_its_items_and_an_upload_form_that_resolves_it(client, world):
    dossier = submit(world)
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    dossier = dossier_act(
        actor=world.desk,
        dossier=dossier,
        action="request_supplement",
        reason="Tờ khai thiếu chữ ký",
        items=["Tờ khai có chữ ký"],
    )
    client.force_login(world.citizen_user)
    html = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Tờ khai thiếu chữ ký" in html and "Tờ khai có chữ ký" in html
    assert 'name="submit_supplement-file__to-khai"' in html
    assert "Rút hồ sơ" in html
    response = client.post(
        f"/ca-nhan/ho-so/{dossier.code}/thao-tac/submit_supplement/",
        {
            "submit_supplement-expected_version": version(dossier),
            "submit_supplement-note": "Đã ký",
            "submit_supplement-file__to-khai": pdf_upload("to-khai-da-ky.pdf"),
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "received" and dossier.paused_since is None
    assert dossier.files.filter(supplement__isnull=False).count() == 1
    assert dossier.supplements.get().resolved_at is not None


def test_an_empty_supplement_is_refused_on_the_page_and_changes_nothing(client, world):
    dossier = submit(world)
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    dossier = dossier_act(
        actor=world.desk, dossier=dossier, action="request_supplement", reason="Thiếu"
    )
    client.force_login(world.citizen_user)
    response = client.post(
        f"/ca-nhan/ho-so/{dossier.code}/thao-tac/submit_supplement/",
        {"submit_supplement-expected_version": dossier.version},
    )
    assert response.status_code == 400
    assert 'id="submit_supplement-action-error"' in response.content.decode()
    assert version(dossier) == dossier.version


def test_an_officer_cannot_open_the_citizen_pages(client, world):
    client.force_login(world.desk)
    assert client.get("/ca-nhan/ho-so/").status_code == 403


# --- public tracking -------------------------------------------------------------------


def test_tracking_by_code_and_cccd_shows_status_and_history_without_signing_in(client, world):
    dossier = submit(world)
    dossier_act(actor=world.desk, dossier=dossier, action="receive")
    page = client.get("/tra-cuu-ho-so/", {"code": dossier.code}).content.decode()
    assert f'value="{dossier.code}"' in page  # the link in notifications fills the code in
    response = client.post(
        "/tra-cuu-ho-so/", {"code": dossier.code, "id_number": world.citizen.id_number}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã tiếp nhận" in html and "Mới nộp, chờ tiếp nhận" in html
    assert world.citizen.id_number not in html  # the number is never echoed back


def test_a_wrong_pair_is_the_same_404_as_a_missing_code(client, world):
    dossier = submit(world)
    wrong = client.post(
        "/tra-cuu-ho-so/", {"code": dossier.code, "id_number": world.other_citizen.id_number}
    )
    missing = client.post(
        "/tra-cuu-ho-so/",
        {"code": "000.00.50.H24-250101-9999", "id_number": world.citizen.id_number},
    )
    assert wrong.status_code == missing.status_code == 404
    assert "Không tìm thấy hồ sơ." in wrong.content.decode()
    assert "Nguyễn Thị Hương" not in wrong.content.decode()


def test_too_many_wrong_attempts_give_the_429_page_even_for_a_right_pair(client, world):
    dossier = submit(world)
    for n in range(TRACK_MAX_FAILURES):
        client.post("/tra-cuu-ho-so/", {"code": f"X-{n}", "id_number": "031190001234"})
    response = client.post(
        "/tra-cuu-ho-so/", {"code": dossier.code, "id_number": world.citizen.id_number}
    )
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()


def test_tracking_with_empty_fields_shows_errors_by_the_fields(client, world):
    response = client.post("/tra-cuu-ho-so/", {"code": "", "id_number": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'id="id_code"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_code"', html
    )
    assert "Vui lòng nhập mã hồ sơ." in html
