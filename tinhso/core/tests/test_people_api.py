"""Citizens: creating and updating them, the checks over HTTP, scope and masking."""

from __future__ import annotations

import datetime as dt

import pytest

from tinhso.core.auth import api_token_issue
from tinhso.core.choices import Role
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.core.models import AuditEvent, Citizen, User
from tinhso.core.selectors.people import citizen_list_for, get_citizen_for
from tinhso.core.services.people import citizen_create, citizen_update

pytestmark = pytest.mark.django_db

NUMBER = "030085000123"  # Hải Dương, male, 1985


def _user(role: str, username: str, citizen: Citizen | None = None) -> User:
    return User.objects.create_user(
        username=username, password="x-Unused-Pass-123", role=role, citizen=citizen
    )


def _bearer(user) -> dict:
    _token, key = api_token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def desk():
    return _user(Role.DESK_OFFICER, "desk")


@pytest.fixture
def two_citizens(desk):
    a = citizen_create(actor=desk, id_number=NUMBER, full_name="Nguyễn Văn An")
    b = citizen_create(
        actor=desk,
        id_number="031310123456",
        full_name="Trần Thị Bình",
        date_of_birth=dt.date(2010, 5, 17),
        sex="female",
    )
    return a, b


# --- services -----------------------------------------------------------------------


def test_create_normalises_the_name_and_infers_sex(desk):
    decomposed = "Nguye\u0302\u0303n  Va\u0306n An "  # NFD, double space
    citizen = citizen_create(actor=desk, id_number=" 030 085 000123", full_name=decomposed)
    assert citizen.full_name == "Nguyễn Văn An"
    assert citizen.id_number == NUMBER
    assert citizen.sex == "male"


def test_create_audits_with_the_number_masked(desk):
    citizen = citizen_create(actor=desk, id_number=NUMBER, full_name="Nguyễn Văn An")
    event = AuditEvent.objects.get(action="citizen.create", object_id=str(citizen.pk))
    assert event.changes["id_number"] == "030******123"
    assert NUMBER not in str(event.changes)
    assert NUMBER not in event.object_repr


def test_create_twice_is_a_conflict(desk):
    citizen_create(actor=desk, id_number=NUMBER, full_name="Nguyễn Văn An")
    with pytest.raises(Conflict) as info:
        citizen_create(actor=desk, id_number=NUMBER, full_name="Người khác")
    assert info.value.code == "citizen_exists"
    assert info.value.status == 409
    assert Citizen.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"id_number": "12345"}, "cccd_format"),
        ({"date_of_birth": dt.date(1995, 1, 1)}, "cccd_birth_mismatch"),
        ({"sex": "female"}, "cccd_sex_mismatch"),
        ({"full_name": "   "}, "full_name_required"),
        ({"full_name": "A" * 151}, "full_name_too_long"),
        ({"phone": "09x"}, "phone_invalid"),
        ({"email": "not-an-email"}, "email_invalid"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(desk, kwargs, code):
    args = {"id_number": NUMBER, "full_name": "Nguyễn Văn An", **kwargs}
    with pytest.raises(ValidationError) as info:
        citizen_create(actor=desk, **args)
    assert info.value.code == code
    assert not Citizen.objects.exists()
    assert not AuditEvent.objects.filter(action="citizen.create").exists()


def test_only_desk_officers_register_citizens():
    with pytest.raises(PermissionDenied):
        citizen_create(
            actor=_user(Role.SPECIALIST, "sp"), id_number=NUMBER, full_name="Nguyễn Văn An"
        )


def test_a_citizen_updates_their_own_contact(two_citizens):
    a, _b = two_citizens
    me = _user(Role.CITIZEN, "an", citizen=a)
    citizen_update(actor=me, citizen=a, phone="0912 345 678", email="an@example.vn")
    a.refresh_from_db()
    assert a.phone == "0912345678"
    event = AuditEvent.objects.get(action="citizen.update")
    assert set(event.changes) == {"phone", "email"}


def test_a_citizen_cannot_update_someone_else(two_citizens):
    a, b = two_citizens
    me = _user(Role.CITIZEN, "an", citizen=a)
    with pytest.raises(NotFound):
        citizen_update(actor=me, citizen=b, phone="0912345678")


def test_update_keeps_the_birth_date_consistent_with_the_number(two_citizens):
    a, _b = two_citizens
    me = _user(Role.CITIZEN, "an", citizen=a)
    with pytest.raises(ValidationError) as info:
        citizen_update(actor=me, citizen=a, date_of_birth=dt.date(2001, 1, 1))
    assert info.value.code == "cccd_birth_mismatch"
    a.refresh_from_db()
    assert a.date_of_birth is None


def test_the_id_number_cannot_be_updated(two_citizens):
    a, _b = two_citizens
    with pytest.raises(ValidationError) as info:
        citizen_update(actor=None, citizen=a, id_number="031310123456")
    assert info.value.code == "citizen_field_unknown"


def test_selectors_scope_a_citizen_to_themselves(two_citizens):
    a, b = two_citizens
    me = _user(Role.CITIZEN, "an", citizen=a)
    assert list(citizen_list_for(me)) == [a]
    assert get_citizen_for(me, a.pk) == a
    with pytest.raises(NotFound):
        get_citizen_for(me, b.pk)


def test_list_search_by_whole_number_or_name(two_citizens, desk):
    a, b = two_citizens
    assert list(citizen_list_for(desk, q="030 085 000 123")) == [a]
    assert list(citizen_list_for(desk, q="Bình")) == [b]


# --- API: checks --------------------------------------------------------------------


def test_validate_cccd_says_what_the_number_encodes(client):
    response = client.post(
        "/api/v1/people/validate-cccd",
        {"id_number": NUMBER, "date_of_birth": "1985-02-03", "sex": "male"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["place_name"] == "Hải Dương"
    assert body["year_of_birth"] == 1985
    assert body["century"] == 20
    assert body["id_number_masked"] == "030******123"
    assert NUMBER not in response.content.decode()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"id_number": "0300850001"}, "cccd_format"),
        ({"id_number": "03008500012x"}, "cccd_format"),
        ({"id_number": "099085000123"}, "cccd_place"),
        ({"id_number": "030095000123", "date_of_birth": "1985-01-01"}, "cccd_birth_mismatch"),
        ({"id_number": "030225000123", "date_of_birth": "1925-01-01"}, "cccd_birth_mismatch"),
        ({"id_number": "030299000123"}, "cccd_birth_year"),
        ({"id_number": "030485000123"}, "cccd_birth_year"),
        ({"id_number": NUMBER, "sex": "female"}, "cccd_sex_mismatch"),
        ({"id_number": NUMBER, "date_of_birth": "1985-02-30"}, "date_of_birth_invalid"),
        ({"id_number": NUMBER, "date_of_birth": "03/02/1985"}, "date_of_birth_invalid"),
        ({"id_number": NUMBER, "sex": "x"}, "sex_invalid"),
        ({}, "invalid_input"),
    ],
)
def test_validate_cccd_bad_numbers_are_400_with_specific_codes(client, payload, code):
    response = client.post("/api/v1/people/validate-cccd", payload, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert any(ch in error["message"] for ch in "ăâđêôơưạảấầậắếềểệịọốồổộờởụủứừữự")


def test_validate_bhyt_both_formats(client):
    old = client.post(
        "/api/v1/people/validate-bhyt",
        {"number": "GD4010120152431"},
        content_type="application/json",
    )
    new = client.post(
        "/api/v1/people/validate-bhyt", {"number": "0120152431"}, content_type="application/json"
    )
    bad = client.post(
        "/api/v1/people/validate-bhyt",
        {"number": "GD9010120152431"},
        content_type="application/json",
    )
    assert old.json()["format"] == "old_15"
    assert old.json()["benefit_level"] == 4
    assert new.json()["format"] == "new_10"
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bhyt_format"


# --- API: the register --------------------------------------------------------------


def test_list_is_for_officers_with_masked_numbers(client, two_citizens, desk):
    response = client.get("/api/v1/people", **_bearer(desk))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {item["id_number_masked"] for item in body["items"]} == {
        "030******123",
        "031******456",
    }
    assert all(item["id_number"] is None for item in body["items"])
    assert NUMBER not in response.content.decode()
    assert "031310123456" not in response.content.decode()


def test_list_is_paginated(client, two_citizens, desk):
    response = client.get("/api/v1/people", {"page": 2, "page_size": 1}, **_bearer(desk))
    body = response.json()
    assert body["count"] == 2
    assert len(body["items"]) == 1
    bad = client.get("/api/v1/people", {"page_size": 1000}, **_bearer(desk))
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "pagination_invalid"


def test_list_is_refused_to_citizens_and_anonymous(client, two_citizens):
    a, _b = two_citizens
    me = _user(Role.CITIZEN, "an", citizen=a)
    assert client.get("/api/v1/people", **_bearer(me)).status_code == 403
    assert client.get("/api/v1/people").status_code == 401


def test_a_citizen_reads_themselves_in_full(client, two_citizens):
    a, _b = two_citizens
    me = _user(Role.CITIZEN, "an", citizen=a)
    response = client.get(f"/api/v1/people/{a.pk}", **_bearer(me))
    assert response.status_code == 200
    assert response.json()["id_number"] == NUMBER


def test_a_citizen_reading_another_gets_the_same_404_as_missing(client, two_citizens):
    a, b = two_citizens
    me = _user(Role.CITIZEN, "an", citizen=a)
    other = client.get(f"/api/v1/people/{b.pk}", **_bearer(me))
    missing = client.get("/api/v1/people/999999", **_bearer(me))
    garbage = client.get("/api/v1/people/abc", **_bearer(me))
    assert other.status_code == missing.status_code == garbage.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    assert other.json()["error"]["message"] == missing.json()["error"]["message"]


def test_an_officer_reads_a_citizen_masked(client, two_citizens, desk):
    a, _b = two_citizens
    response = client.get(f"/api/v1/people/{a.pk}", **_bearer(desk))
    assert response.status_code == 200
    assert response.json()["id_number"] is None
    assert response.json()["id_number_masked"] == "030******123"
