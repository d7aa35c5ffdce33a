"""The calendar over HTTP and the command line, and the province's days as services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from tinhso.core import calendar
from tinhso.core.auth import api_token_issue
from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.models import AuditEvent, CalendarDay, User
from tinhso.core.services.calendar import calendar_day_delete, calendar_day_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The calendar is cached per process; the test database is rolled back under it.
    calendar.invalidate()
    yield
    calendar.invalidate()


def _user(role: str, username: str | None = None) -> User:
    return User.objects.create_user(
        username=username or f"u_{role}", password="x-Unused-Pass-123", role=role
    )


@pytest.fixture
def admin():
    return _user(Role.IT_ADMIN)


def _bearer(user) -> dict:
    _token, key = api_token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _vietnamese(message: str) -> bool:
    return any(ch in message for ch in "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệịọỏốồổộớờởợụủứừửựỳỷỹ")


# --- deadline -----------------------------------------------------------------------


def test_deadline_in_working_hours_skips_the_weekend(client):
    response = client.get("/api/v1/calendar/deadline", {"start": "2026-01-09T16:00", "hours": "8"})
    assert response.status_code == 200
    body = response.json()
    assert dt.datetime.fromisoformat(body["due_at"]) == dt.datetime.fromisoformat(
        "2026-01-12T16:00:00+07:00"
    )
    assert body["unit"] == "hours"


def test_deadline_in_working_days_for_a_dossier_received_on_saturday(client):
    response = client.get("/api/v1/calendar/deadline", {"start": "2026-01-10T09:00", "days": "1"})
    body = response.json()
    assert dt.datetime.fromisoformat(body["counting_from"]) == dt.datetime.fromisoformat(
        "2026-01-12T07:00+07:00"
    )
    assert dt.datetime.fromisoformat(body["due_at"]) == dt.datetime.fromisoformat(
        "2026-01-12T17:00+07:00"
    )


def test_deadline_in_calendar_days(client):
    response = client.get(
        "/api/v1/calendar/deadline", {"start": "2026-02-10T09:00", "calendar_days": "5"}
    )
    assert dt.datetime.fromisoformat(response.json()["due_at"]) == dt.datetime.fromisoformat(
        "2026-02-23T17:00+07:00"
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-02-30T09:00", "hours": "8"}, "calendar_bad_datetime"),
        ({"start": "not-a-date", "hours": "8"}, "calendar_bad_datetime"),
        ({"start": "2026-01-09T09:00", "hours": "-1"}, "calendar_negative_amount"),
        ({"start": "2026-01-09T09:00", "hours": "abc"}, "calendar_bad_amount"),
        ({"start": "2026-01-09T09:00", "hours": "nan"}, "calendar_bad_amount"),
        ({"start": "2026-01-09T09:00"}, "calendar_amount_required"),
        ({"start": "2026-01-09T09:00", "hours": "1", "days": "1"}, "calendar_amount_required"),
        ({"start": "2026-01-09T09:00", "days": "1e9"}, "calendar_out_of_range"),
        ({"start": "9999-01-01T09:00", "hours": "1"}, "calendar_out_of_range"),
        ({"start": "2026-01-09T09:00", "calendar_days": "2.5"}, "calendar_bad_amount"),
    ],
)
def test_bad_deadline_input_is_a_400_with_a_code(client, params, code):
    response = client.get("/api/v1/calendar/deadline", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert _vietnamese(error["message"])


# --- working time -------------------------------------------------------------------


def test_working_time_between_two_moments(client):
    response = client.get(
        "/api/v1/calendar/working-time",
        {"start": "2026-01-09T16:00", "end": "2026-01-12T16:00"},
    )
    assert response.status_code == 200
    assert response.json()["hours"] == 8
    assert response.json()["working_days"] == 1


def test_working_time_with_end_before_start_is_a_400(client):
    response = client.get(
        "/api/v1/calendar/working-time",
        {"start": "2026-01-12T16:00", "end": "2026-01-09T16:00"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "calendar_end_before_start"


# --- days ---------------------------------------------------------------------------


def test_days_lists_holidays_and_make_up_days(client):
    response = client.get("/api/v1/calendar/days", {"year": "2026"})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()["days"]}
    assert days["2026-02-17"]["kind"] == "holiday"
    assert "Tết" in days["2026-02-17"]["name"]
    assert days["2026-08-22"]["kind"] == "weekend_workday"
    assert response.json()["day_hours"] == 8


def test_days_with_a_bad_year_is_a_400(client):
    response = client.get("/api/v1/calendar/days", {"year": "20x6"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "calendar_bad_year"


def test_admin_sets_an_extra_day_off_and_the_deadline_moves(client, admin):
    before = client.get("/api/v1/calendar/deadline", {"start": "2026-01-09T16:00", "hours": "8"})
    assert before.json()["due_at"].startswith("2026-01-12T16:00")

    response = client.post(
        "/api/v1/calendar/days",
        {"date": "2026-01-12", "kind": "day_off", "reason": "Nghỉ bù sự kiện của tỉnh"},
        content_type="application/json",
        **_bearer(admin),
    )
    assert response.status_code == 200
    assert response.json()["source"] == "province"

    after = client.get("/api/v1/calendar/deadline", {"start": "2026-01-09T16:00", "hours": "8"})
    assert after.json()["due_at"].startswith("2026-01-13T16:00")
    listed = client.get("/api/v1/calendar/days", {"year": "2026"}).json()["days"]
    assert any(d["date"] == "2026-01-12" and d["reason"] for d in listed)

    deleted = client.delete("/api/v1/calendar/days?date=2026-01-12", **_bearer(admin))
    assert deleted.status_code == 204
    again = client.get("/api/v1/calendar/deadline", {"start": "2026-01-09T16:00", "hours": "8"})
    assert again.json()["due_at"].startswith("2026-01-12T16:00")


def test_a_desk_officer_may_not_set_days(client):
    officer = _user(Role.DESK_OFFICER)
    response = client.post(
        "/api/v1/calendar/days",
        {"date": "2026-01-12", "kind": "day_off"},
        content_type="application/json",
        **_bearer(officer),
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_setting_days_needs_sign_in(client):
    response = client.post(
        "/api/v1/calendar/days",
        {"date": "2026-01-12", "kind": "day_off"},
        content_type="application/json",
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"date": "2026-13-01", "kind": "day_off"}, "calendar_bad_date"),
        ({"date": "2026-01-12", "kind": "holiday"}, "calendar_day_kind"),
        ({"date": "1800-01-01", "kind": "working"}, "calendar_out_of_range"),
    ],
)
def test_bad_day_input_is_a_400_and_writes_nothing(client, admin, payload, code):
    response = client.post(
        "/api/v1/calendar/days", payload, content_type="application/json", **_bearer(admin)
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not CalendarDay.objects.exists()


def test_deleting_a_day_that_is_not_set_is_a_404(client, admin):
    response = client.delete("/api/v1/calendar/days?date=2026-01-12", **_bearer(admin))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "calendar_day_not_found"


# --- services -----------------------------------------------------------------------


def test_setting_a_day_is_audited_and_invalidates_the_cache(admin):
    start = dt.datetime(2026, 1, 9, 16)
    assert calendar.add_working_hours(start, 8).day == 12
    calendar_day_set(actor=admin, date=dt.date(2026, 1, 12), kind="day_off", reason="Bão")
    assert calendar.add_working_hours(start, 8).day == 13
    event = AuditEvent.objects.filter(action="calendar_day.create").get()
    assert event.changes["kind"] == "day_off"
    calendar_day_set(actor=admin, date=dt.date(2026, 1, 12), kind="working", reason="")
    assert AuditEvent.objects.filter(action="calendar_day.update").count() == 1
    calendar_day_delete(actor=admin, date=dt.date(2026, 1, 12))
    assert AuditEvent.objects.filter(action="calendar_day.delete").count() == 1
    assert calendar.add_working_hours(start, 8).day == 12


def test_a_province_make_up_saturday_counts(admin):
    calendar_day_set(actor=admin, date=dt.date(2026, 1, 10), kind="working", reason="Làm bù")
    assert calendar.add_working_hours(dt.datetime(2026, 1, 9, 16), 8) == dt.datetime.fromisoformat(
        "2026-01-10T16:00+07:00"
    )


def test_services_check_the_role():
    with pytest.raises(PermissionDenied):
        calendar_day_set(
            actor=_user(Role.LEADER), date=dt.date(2026, 1, 12), kind="day_off", reason=""
        )


def test_service_refuses_a_datetime_for_a_date(admin):
    with pytest.raises(ValidationError) as info:
        calendar_day_set(actor=admin, date=dt.datetime(2026, 1, 12), kind="day_off")
    assert info.value.code == "calendar_bad_date"


def test_deleting_a_missing_day_raises_not_found(admin):
    with pytest.raises(NotFound):
        calendar_day_delete(actor=admin, date=dt.date(2026, 1, 12))


# --- command line -------------------------------------------------------------------


def test_cli_deadline(capsys):
    call_command("calendar", "deadline", "--start", "2026-01-09T16:00", "--days", "1")
    out = capsys.readouterr().out
    assert "Thứ Hai 12/01/2026 16:00" in out


def test_cli_days_lists_tet(capsys):
    call_command("calendar", "days", "--year", "2026")
    out = capsys.readouterr().out
    assert "2026-02-17" in out
    assert "Tết" in out


def test_cli_set_and_delete_a_day(capsys):
    call_command("calendar", "set", "2026-01-12", "day_off", "--reason", "Bão")
    assert CalendarDay.objects.get(date=dt.date(2026, 1, 12)).reason == "Bão"
    call_command("calendar", "delete", "2026-01-12")
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["deadline", "--start", "2026-02-30", "--hours", "1"], "calendar_bad_datetime"),
        (["deadline", "--start", "2026-01-09", "--hours", "-3"], "calendar_negative_amount"),
        (["set", "2026-02-30", "working"], "calendar_bad_date"),
        (["delete", "2026-01-12"], "calendar_day_not_found"),
    ],
)
def test_cli_bad_input_is_a_clean_error(args, code):
    with pytest.raises(CommandError) as info:
        call_command("calendar", *args)
    assert getattr(info.value, "code", "") == code
    assert _vietnamese(str(info.value))
