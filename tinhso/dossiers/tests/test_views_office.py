"""The officers' pages: inbox with deadlines, dossier detail with one form per allowed action,
stale versions, other organisations, the desk's intake on a citizen's behalf."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tinhso.core.models import Citizen
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import dossier_submit
from tinhso.dossiers.tests.factories import at, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def submit(world, key="office-key-0001"):
    return dossier_submit(
        actor=world.citizen_user,
        procedure=world.procedure,
        applicant=world.citizen,
        channel="online",
        unit=world.province,
        files={"to-khai": [pdf_upload()]},
        idempotency_key=key,
    )


def act_url(dossier, action) -> str:
    return f"/quan-tri/ho-so/{dossier.code}/thao-tac/{action}/"


def post_action(client, dossier, action, version=None, **fields):
    data = {f"{action}-expected_version": version if version is not None else dossier.version}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(act_url(dossier, action), data)


def forms_on(html: str) -> set[str]:
    return set(re.findall(r'action="/quan-tri/ho-so/[^/]+/thao-tac/([a-z_]+)/"', html))


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def test_citizens_and_anonymous_visitors_do_not_reach_the_desk(client, world):
    assert client.get("/quan-tri/ho-so/").status_code == 302
    client.force_login(world.citizen_user)
    assert client.get("/quan-tri/ho-so/").status_code == 403


def test_the_desk_inbox_lists_a_new_online_dossier_and_the_specialist_does_not_see_it(
    client, world
):
    dossier = submit(world)
    client.force_login(world.desk)
    html = client.get("/quan-tri/ho-so/").content.decode()
    assert dossier.code in html and "Nguyễn Thị Hương" in html
    assert 'aria-current="page">Hồ sơ<' in html  # the back-office section is marked
    client.force_login(world.specialist)
    assert dossier.code not in client.get("/quan-tri/ho-so/").content.decode()


def test_the_forms_shown_are_the_actions_the_user_may_take(client, world):
    dossier = submit(world)
    client.force_login(world.desk)
    html = client.get(f"/quan-tri/ho-so/{dossier.code}/").content.decode()
    assert forms_on(html) == {"receive", "refuse_receipt"}
    assert world.citizen.masked_id_number in html
    assert world.citizen.id_number not in html
    assert f'name="receive-expected_version" value="{dossier.version}"' in html


def test_an_officer_of_another_organisation_gets_the_404_page(client, world):
    dossier = submit(world)
    dossier_act(actor=world.desk, dossier=dossier, action="receive")
    client.force_login(world.other_specialist)  # the construction department
    assert client.get(f"/quan-tri/ho-so/{dossier.code}/").status_code == 404
    response = post_action(client, fresh(dossier), "forward")
    assert response.status_code == 404
    assert fresh(dossier).version == 2
    row = dossier.files.get()
    assert (
        client.get(f"/quan-tri/ho-so/{dossier.code}/tep/{row.stored_file_id}/").status_code == 404
    )


def test_receiving_on_the_page_starts_the_clock_and_gives_the_receipt(client, world):
    dossier = submit(world)
    client.force_login(world.desk)
    response = post_action(client, dossier, "receive", note="Đủ thành phần")
    assert response.status_code == 302
    assert response["Location"] == f"/quan-tri/ho-so/{dossier.code}/"
    dossier = fresh(dossier)
    assert dossier.status == "received" and dossier.due_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Đã thực hiện “Tiếp nhận hồ sơ”" in page
    receipt = client.get(f"/quan-tri/ho-so/{dossier.code}/giay-tiep-nhan.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_acting_on_a_stale_version_shows_the_message_and_changes_nothing(client, world):
    dossier = submit(world)
    client.force_login(world.desk)
    seen = dossier.version
    dossier_act(actor=world.desk, dossier=dossier, action="receive")  # someone else, first
    response = post_action(client, dossier, "refuse_receipt", version=seen, reason="Thiếu giấy")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Hồ sơ đã được người khác xử lý, vui lòng tải lại" in html
    after = fresh(dossier)
    assert after.status == "received" and after.version == seen + 1
    assert after.events.filter(action="refuse_receipt").count() == 0
    # the page now carries the fresh version, so a deliberate retry can act
    assert f'-expected_version" value="{after.version}"' in html


def test_a_refusal_without_a_reason_is_shown_by_the_form_and_changes_nothing(client, world):
    dossier = submit(world)
    client.force_login(world.desk)
    response = post_action(client, dossier, "refuse_receipt", reason="")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="refuse_receipt-action-error"' in html
    assert re.search(r'aria-describedby="[^"]*refuse_receipt-action-error"', html)
    assert fresh(dossier).status == "new"


def test_an_action_not_allowed_to_the_user_is_refused(client, world):
    dossier = submit(world)
    dossier_act(actor=world.desk, dossier=dossier, action="receive")
    client.force_login(world.specialist)
    response = post_action(client, fresh(dossier), "approve")
    assert response.status_code == 403
    assert fresh(dossier).status == "received"


def test_a_forged_field_on_an_action_is_refused(client, world):
    dossier = submit(world)
    client.force_login(world.desk)
    response = client.post(
        act_url(dossier, "receive"),
        {"receive-expected_version": dossier.version, "status": "returned"},
    )
    assert response.status_code == 400
    assert fresh(dossier).status == "new"


def test_the_whole_path_through_the_pages(client, world):
    dossier = submit(world)
    client.force_login(world.desk)
    post_action(client, dossier, "receive")
    client.force_login(world.head)
    dossier = fresh(dossier)
    html = client.get(f"/quan-tri/ho-so/{dossier.code}/").content.decode()
    assert "assign" in forms_on(html)
    assert f'<option value="{world.specialist.pk}">' in html
    assert f'<option value="{world.other_specialist.pk}">' not in html  # another department
    assert post_action(client, dossier, "assign", assignee=world.specialist.pk).status_code == 302
    client.force_login(world.specialist)
    dossier = fresh(dossier)
    assert dossier.code in client.get("/quan-tri/ho-so/").content.decode()
    response = post_action(
        client,
        dossier,
        "request_supplement",
        reason="Thiếu bản sao",
        items="Bản sao CCCD\nẢnh 4x6",
    )
    assert response.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == "supplement_requested"
    assert dossier.supplements.get().items == ["Bản sao CCCD", "Ảnh 4x6"]
    dossier_act(
        actor=world.citizen_user,
        dossier=dossier,
        action="submit_supplement",
        files={"to-khai": [pdf_upload()]},
    )
    dossier = fresh(dossier)
    assert post_action(client, dossier, "forward").status_code == 302
    client.force_login(world.head)
    dossier = fresh(dossier)
    assert post_action(client, dossier, "approve").status_code == 302
    client.force_login(world.desk)
    dossier = fresh(dossier)
    assert dossier.status == "processed"
    assert "return_result" in forms_on(
        client.get(f"/quan-tri/ho-so/{dossier.code}/").content.decode()
    )
    assert post_action(client, dossier, "return_result").status_code == 302
    assert fresh(dossier).status == "returned"


def test_overdue_and_due_soon_tabs_show_their_badges(client, world, clock):
    clock.set(at(2025, 8, 4, 9))  # Monday
    late = submit(world, key="office-key-late")
    dossier_act(actor=world.desk, dossier=late, action="receive")
    clock.set(at(2025, 8, 8, 9))  # Friday: five working days for the late one end at 9:00 today
    soon = submit(world, key="office-key-soon")
    dossier_act(actor=world.desk, dossier=soon, action="receive")
    clock.set(at(2025, 8, 11, 10))  # Monday after
    client.force_login(world.head)
    overdue = client.get("/quan-tri/ho-so/", {"loai": "qua-han"}).content.decode()
    assert late.code in overdue and soon.code not in overdue
    assert "badge--late" in overdue
    client.force_login(world.desk)
    clock.set(at(2025, 8, 14, 15))  # Thursday: the second is due Friday 9:00
    due = client.get("/quan-tri/ho-so/", {"loai": "sap-den-han"}).content.decode()
    assert soon.code in due and late.code not in due
    assert "badge--soon" in due


def test_the_inbox_makes_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(25):
        submit(world, key=f"office-key-{n:04d}")
    client.force_login(world.desk)
    client.get("/quan-tri/ho-so/")  # warm the per-process memos (province name)
    for tab in ("", "sap-den-han", "qua-han", "tat-ca"):
        with django_assert_max_num_queries(12):
            response = client.get("/quan-tri/ho-so/", {"loai": tab, "page": 2})
        assert response.status_code == 200
    html = client.get("/quan-tri/ho-so/").content.decode()
    assert "Trang 1 / 2" in html


def test_the_all_tab_filters_by_status_and_code(client, world):
    first = submit(world, key="office-key-a")
    second = submit(world, key="office-key-b")
    dossier_act(actor=world.desk, dossier=second, action="receive")
    client.force_login(world.desk)
    html = client.get("/quan-tri/ho-so/", {"loai": "tat-ca", "status": "received"}).content.decode()
    assert second.code in html and first.code not in html
    html = client.get("/quan-tri/ho-so/", {"loai": "tat-ca", "q": first.code}).content.decode()
    assert first.code in html and second.code not in html


# --- the desk's intake -------------------------------------------------------------------


def _intake_form(client, world):
    html = client.get("/quan-tri/ho-so/tiep-nhan/", {"ma": world.procedure.national_code})
    assert html.status_code == 200
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html.content.decode())[1]


def test_only_desk_officers_open_the_intake(client, world):
    client.force_login(world.specialist)
    assert client.get("/quan-tri/ho-so/tiep-nhan/").status_code == 403


def test_the_intake_finds_a_procedure_typed_without_diacritics(client, world):
    client.force_login(world.desk)
    html = client.get("/quan-tri/ho-so/tiep-nhan/", {"thu-tuc": "ly lich tu phap"}).content.decode()
    assert f"?ma={world.procedure.national_code}" in html


def test_the_desk_receives_at_once_for_a_citizen_it_registers(client, world):
    client.force_login(world.desk)
    key = _intake_form(client, world)
    data = {
        "ma": world.procedure.national_code,
        "idempotency_key": key,
        "id_number": "031095001122",
        "full_name": "Phạm Văn Bình",
        "channel": "in_person",
        "result_delivery": "in_person",
        "file__to-khai": pdf_upload(),
    }
    response = client.post("/quan-tri/ho-so/tiep-nhan/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/quan-tri/ho-so/{dossier.code}/"
    assert dossier.status == "received" and dossier.channel == "in_person"
    assert dossier.applicant.full_name == "Phạm Văn Bình"
    data["file__to-khai"] = pdf_upload()
    again = client.post("/quan-tri/ho-so/tiep-nhan/", data)  # a double click
    assert again["Location"] == response["Location"]
    assert Dossier.objects.count() == 1


def test_an_unknown_citizen_without_a_name_is_asked_for_it_and_nothing_is_written(client, world):
    client.force_login(world.desk)
    key = _intake_form(client, world)
    response = client.post(
        "/quan-tri/ho-so/tiep-nhan/",
        {
            "ma": world.procedure.national_code,
            "idempotency_key": key,
            "id_number": "031095001122",
            "channel": "in_person",
            "result_delivery": "in_person",
            "file__to-khai": pdf_upload(),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_full_name-error"' in html
    assert Dossier.objects.count() == 0
    assert not Citizen.objects.filter(id_number="031095001122").exists()


def test_a_failed_intake_does_not_leave_a_new_citizen_behind(client, world):
    client.force_login(world.desk)
    key = _intake_form(client, world)
    response = client.post(
        "/quan-tri/ho-so/tiep-nhan/",
        {
            "ma": world.procedure.national_code,
            "idempotency_key": key,
            "id_number": "031095001122",
            "full_name": "Phạm Văn Bình",
            "channel": "in_person",
            "result_delivery": "in_person",
        },
    )
    assert response.status_code == 400
    assert 'id="file-to-khai-error"' in response.content.decode()
    assert not Citizen.objects.filter(id_number="031095001122").exists()


def test_the_intake_finds_a_registered_citizen_by_cccd(client, world):
    client.force_login(world.desk)
    html = client.get(
        "/quan-tri/ho-so/tiep-nhan/",
        {"ma": world.procedure.national_code, "cccd": world.citizen.id_number},
    ).content.decode()
    assert "Đã có trong hệ thống: Nguyễn Thị Hương" in html


def test_the_dashboard_counts_what_waits_for_the_officer(client, world):
    """The back-office dashboard shows the dossiers module's counts, each linking to its list."""
    # Given two new online dossiers waiting at the centre's desk
    submit(world, key="dash-key-0001")
    submit(world, key="dash-key-0002")
    client.force_login(world.desk)

    # When the desk officer opens the dashboard
    body = client.get("/quan-tri/").content.decode()

    # Then the dossiers card counts them and links to the lists
    assert 'href="/quan-tri/ho-so/"><span class="figure-value">2</span>' in body
    assert 'href="/quan-tri/ho-so/?loai=qua-han"><span class="figure-value">0</span>' in body
    # and modules that have not arrived yet still say so
    assert "Sắp có" in body
