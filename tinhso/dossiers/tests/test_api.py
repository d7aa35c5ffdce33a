"""The dossier API: submit, read, act, track, with the refusals of bad input and of scope."""

import pytest

from tinhso.dossiers.models import Dossier
from tinhso.dossiers.tests.factories import at, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402


def base_form(world, **extra):
    return {"procedure": world.procedure.national_code, "unit": world.commune.code, **extra}


def submit(api, world, key="api-key-0001", **extra):
    return api.submit(world.citizen_user, base_form(world, **extra), {"to-khai": pdf_upload()}, key)


def test_citizen_submits_online_and_gets_201_with_the_dossier(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    response = submit(api, world, form_data='{"address": "Số 1 Lê Lợi"}')
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "000.00.50.H24-260306-0001"
    assert body["status"] == "new"
    assert body["form_data"] == {"address": "Số 1 Lê Lợi"}
    assert body["files"][0]["component"] == "to-khai"
    assert "withdraw" in body["actions"]


def test_retried_submission_with_the_same_key_returns_the_first_dossier(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    first = submit(api, world)
    second = submit(api, world)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1


def test_submission_without_idempotency_key_is_refused(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    response = submit(api, world, key="")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert Dossier.objects.count() == 0


def test_missing_required_component_is_refused_and_nothing_written(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    response = api.submit(world.citizen_user, base_form(world), {}, "api-key-0002")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "component_missing"
    assert "Tờ khai" in error["message"]
    assert Dossier.objects.count() == 0


def test_wrong_file_type_is_refused(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    fake = SimpleUploadedFile("to-khai.pdf", png_bytes(), content_type="application/pdf")
    response = api.submit(world.citizen_user, base_form(world), {"to-khai": fake}, "api-key-0003")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_type_not_allowed"
    assert Dossier.objects.count() == 0


def test_file_over_the_component_size_is_refused(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    big = SimpleUploadedFile(
        "to-khai.pdf", pdf_upload().read() + b"%" + b"x" * (1024 * 1024 + 10) + b"\n"
    )
    response = api.submit(world.citizen_user, base_form(world), {"to-khai": big}, "api-key-0004")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert Dossier.objects.count() == 0


def test_forged_form_field_is_refused(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    response = submit(api, world, form_data='{"status": "returned"}')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_field"
    response = api.submit(
        world.citizen_user,
        base_form(world, competent_organisation="000.00.05.H24"),
        {"to-khai": pdf_upload()},
        "api-key-0005",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_field"
    response = api.submit(
        world.citizen_user,
        base_form(world),
        {"to-khai": pdf_upload(), "giay-khac": pdf_upload()},
        "api-key-0006",
    )
    assert response.json()["error"]["code"] == "unknown_field"
    assert Dossier.objects.count() == 0


def test_information_only_procedure_cannot_be_submitted_online(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    response = api.submit(
        world.citizen_user,
        {"procedure": world.info_procedure.national_code, "unit": world.commune.code},
        {"to-khai": pdf_upload()},
        "api-key-0007",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "procedure_not_online"


def test_another_citizens_dossier_is_404_like_a_missing_one(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    other = api.get(world.other_citizen_user, f"/{code}")
    missing = api.get(world.other_citizen_user, "/000.00.50.H24-260306-9999")
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"]
    assert api.act(world.other_citizen_user, code, "withdraw").status_code == 404


def test_officer_of_another_organisation_cannot_read_or_act(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    api.act(world.desk, code, "receive")
    assert api.get(world.other_specialist, f"/{code}").status_code == 404
    assert api.act(world.other_specialist, code, "forward").status_code == 404
    # an official of the right organisation but the wrong role gets 403
    response = api.act(world.commune_desk, code, "forward")
    assert response.status_code == 404
    response = api.act(world.specialist, code, "approve")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "action_not_allowed"
    assert Dossier.objects.get(code=code).status == "received"


def test_it_admin_does_not_reach_dossiers(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    assert api.get(world.it_admin, f"/{code}").status_code == 404
    assert api.get(world.it_admin, "/").json()["count"] == 0


def test_leader_sees_dossiers_of_units_in_scope_read_only(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    assert api.get(world.leader, f"/{code}").status_code == 200
    assert api.act(world.leader, code, "receive").status_code == 403


def test_two_officers_acting_on_the_same_version_one_wins_the_other_gets_409(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    version = api.act(world.desk, code, "receive").json()["version"]
    first = api.act(world.specialist, code, "forward", expected_version=version)
    second = api.act(world.specialist2, code, "forward", expected_version=version)
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "stale_version"
    assert "người khác" in second.json()["error"]["message"]
    dossier = Dossier.objects.get(code=code)
    assert dossier.version == version + 1
    assert dossier.events.filter(action="forward").count() == 1


def test_action_in_the_wrong_status_is_409_wrong_status(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    response = api.act(world.desk, code, "return_result")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wrong_status"


def test_unknown_action_is_404(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    response = api.act(world.desk, code, "delete")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_action"


def test_inbox_due_soon_and_overdue_lists(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    inbox = api.get(world.desk, "/inbox").json()
    assert [d["code"] for d in inbox["items"]] == [code]
    api.act(world.desk, code, "receive")
    assert api.get(world.desk, "/inbox").json()["count"] == 0
    assert [d["code"] for d in api.get(world.specialist, "/inbox").json()["items"]] == [code]
    assert [d["code"] for d in api.get(world.head, "/inbox").json()["items"]] == [code]
    # due Friday 13 March 09:00: due soon on Thursday 12 March at 10:00, overdue after
    clock.set(at(2026, 3, 12, 10))
    assert api.get(world.head, "/due-soon").json()["count"] == 1
    assert api.get(world.head, "/overdue").json()["count"] == 0
    clock.set(at(2026, 3, 13, 10))
    assert api.get(world.head, "/due-soon").json()["count"] == 0
    assert [d["code"] for d in api.get(world.head, "/overdue").json()["items"]] == [code]
    assert api.get(world.other_specialist, "/overdue").json()["count"] == 0


def test_public_tracking_by_code_and_id_number(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    ok = api.get(None, "/track", code=code, id_number=world.citizen.id_number)
    assert ok.status_code == 200
    assert ok.json()["status"] == "new"
    assert ok.json()["applicant_name_masked"] == "N. T. Hương"
    wrong = api.get(None, "/track", code=code, id_number=world.other_citizen.id_number)
    missing = api.get(None, "/track", code="nope", id_number=world.citizen.id_number)
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json()["error"] == {
        **missing.json()["error"],
        "request_id": wrong.json()["error"]["request_id"],
    }


def test_tracking_guesses_are_rate_limited(world, api, clock):
    from django.core.cache import cache

    from tinhso.dossiers.selectors import TRACK_MAX_FAILURES

    cache.clear()
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    for n in range(TRACK_MAX_FAILURES):
        api.get(None, "/track", code=f"{code[:-4]}{n:04d}", id_number="031190009999")
    blocked = api.get(None, "/track", code=code, id_number=world.citizen.id_number)
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    cache.clear()


def test_history_lists_every_action(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    api.act(world.desk, code, "receive", note="Đủ hồ sơ")
    history = api.get(world.citizen_user, f"/{code}/history").json()
    assert [h["action"] for h in history] == ["submit", "receive"]
    assert history[1]["note"] == "Đủ hồ sơ"


def test_supplement_upload_over_multipart(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    code = submit(api, world).json()["code"]
    api.act(world.desk, code, "receive")
    api.act(world.specialist, code, "request_supplement", reason="Thiếu chữ ký", items=["to-khai"])
    response = api.client(world.citizen_user).post(
        f"/api/v1/dossiers/{code}/supplement",
        {"note": "Đã ký", "to-khai": pdf_upload("ky.pdf")},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    assert any(f["supplement"] for f in response.json()["files"])


def test_dossier_file_download_only_in_scope(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    body = submit(api, world).json()
    code, file_id = body["code"], body["files"][0]["id"]
    ok = api.get(world.citizen_user, f"/{code}/files/{file_id}")
    assert ok.status_code == 200
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert api.get(world.other_citizen_user, f"/{code}/files/{file_id}").status_code == 404
    assert api.get(world.citizen_user, f"/{code}/files/not-a-uuid").status_code == 404


def test_desk_officer_submits_for_a_citizen_in_person(world, api, clock):
    clock.set(at(2026, 3, 6, 9))
    response = api.submit(
        world.desk,
        base_form(world, applicant_id_number=world.citizen.id_number),
        {"to-khai": pdf_upload()},
        "desk-key-0001",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "received"
    assert response.json()["channel"] == "in_person"
    # and the citizen sees it among their own
    mine = api.get(world.citizen_user, "/").json()
    assert [d["code"] for d in mine["items"]] == [response.json()["code"]]


def test_openapi_schema_lists_the_dossier_endpoints(api):
    schema = api.client().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/dossiers/{code}/actions/{action}" in paths
    assert "/api/v1/dossiers/track" in paths
    assert "Idempotency-Key" in str(paths["/api/v1/dossiers/"]["post"])


def test_inbox_query_count_does_not_grow_with_the_page(world, clock, django_assert_max_num_queries):
    from tinhso.dossiers.selectors import inbox_for

    clock.set(at(2026, 3, 6, 9))
    for n in range(12):
        from tinhso.dossiers.services import dossier_submit

        dossier_submit(
            actor=world.citizen_user,
            procedure=world.procedure,
            applicant=world.citizen,
            channel="online",
            unit=world.commune,
            files={"to-khai": [pdf_upload()]},
            idempotency_key=f"inbox-key-{n:04d}",
        )
    from tinhso.core.permissions import clear_scope_cache

    clear_scope_cache(world.desk)
    with django_assert_max_num_queries(4):
        items, total = inbox_for(world.desk, limit=50)
        [(d.procedure.name, d.applicant.full_name, d.current_organisation.name) for d in items]
    assert total == 12
