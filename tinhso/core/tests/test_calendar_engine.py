"""The working-time engine: deadlines across weekends, breaks, Tết, make-up days and pauses."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from tinhso.core.calendar import WorkingCalendar, parse_moment, parse_sessions
from tinhso.core.exceptions import ValidationError

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
H = dt.timedelta(hours=1)


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def cal() -> WorkingCalendar:
    # Default sessions, no province rows: the package rules alone.
    return WorkingCalendar(overrides={})


# --- days ---------------------------------------------------------------------------


def test_weekdays_work_and_weekends_do_not(cal):
    assert cal.is_working_day(dt.date(2026, 1, 9))  # Friday
    assert not cal.is_working_day(dt.date(2026, 1, 10))  # Saturday
    assert not cal.is_working_day(dt.date(2026, 1, 11))  # Sunday


def test_tet_2026_is_off_from_the_eve_to_the_fourth_day(cal):
    # Tết Bính Ngọ: 17 February 2026; the package gives 16–20 February off.
    for day in range(16, 21):
        assert not cal.is_working_day(dt.date(2026, 2, day))
    assert cal.is_working_day(dt.date(2026, 2, 13))
    assert cal.is_working_day(dt.date(2026, 2, 23))


def test_official_make_up_saturday_is_a_working_day(cal):
    # 22 August 2026 is worked in exchange for Monday 31 August.
    assert cal.is_working_day(dt.date(2026, 8, 22))
    assert not cal.is_working_day(dt.date(2026, 8, 31))


def test_province_rows_win_over_the_package_and_the_weekend():
    cal = WorkingCalendar(overrides={dt.date(2026, 8, 22): False, dt.date(2026, 1, 10): True})
    assert not cal.is_working_day(dt.date(2026, 8, 22))
    assert cal.is_working_day(dt.date(2026, 1, 10))


def test_nth_working_day_crosses_the_year_end(cal):
    # Wed 31 Dec 2025 → Thu 1 Jan 2026 is New Year's Day → Fri 2 Jan.
    assert cal.nth_working_day_after(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 2)


def test_working_days_between_counts_half_open_interval(cal):
    # Mon 5 Jan .. Mon 12 Jan 2026: five working days.
    assert cal.working_days_between(dt.date(2026, 1, 5), dt.date(2026, 1, 12)) == 5


# --- adding working time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "due"),
    [
        # Received Friday 16:00 + 8 working hours: 1 h Friday, 4.5 h + 2.5 h Monday.
        (at(2026, 1, 9, 16), 8 * H, at(2026, 1, 12, 16)),
        # Received on Saturday: the clock starts Monday 07:00.
        (at(2026, 1, 10, 9), 1 * H, at(2026, 1, 12, 8)),
        # Ending exactly at the lunch break gives 11:30, not 13:30.
        (at(2026, 1, 9, 11), 0.5 * H, at(2026, 1, 9, 11, 30)),
        # One minute more crosses the break.
        (at(2026, 1, 9, 11), dt.timedelta(minutes=31), at(2026, 1, 9, 13, 31)),
        # Received during the lunch break: counting starts at 13:30.
        (at(2026, 1, 9, 12), 1 * H, at(2026, 1, 9, 14, 30)),
        # Received after hours: counting starts next working morning.
        (at(2026, 1, 8, 18), 1 * H, at(2026, 1, 9, 8)),
        # Received before opening.
        (at(2026, 1, 9, 6), 1 * H, at(2026, 1, 9, 8)),
        # A whole week of 40 hours from Monday morning ends Friday 17:00.
        (at(2026, 1, 5, 7), 40 * H, at(2026, 1, 9, 17)),
        # Friday before Tết 2026 + 8 h: the holiday week is skipped.
        (at(2026, 2, 13, 16), 8 * H, at(2026, 2, 23, 16)),
        # Friday before the make-up Saturday 22/8/2026 + 8 h ends on that Saturday.
        (at(2026, 8, 21, 16), 8 * H, at(2026, 8, 22, 16)),
        # 29/8 (Sat) … 2/9: 31/8, 1/9 and 2/9 off, so Friday 28/8 16:00 + 2 h → Thu 3/9 08:00.
        (at(2026, 8, 28, 16), 2 * H, at(2026, 9, 3, 8)),
        # Zero time from outside hours is the next working moment.
        (at(2026, 1, 10, 9), 0 * H, at(2026, 1, 12, 7)),
    ],
)
def test_add_working_time(cal, start, amount, due):
    assert cal.add(start, amount) == due


def test_working_days_are_eight_hours_each(cal):
    start = at(2026, 1, 9, 16)
    assert cal.add(start, 5 * cal.day_length) == at(2026, 1, 16, 16)
    assert cal.day_length == 8 * H


def test_province_extra_day_off_shifts_the_deadline():
    start = at(2026, 1, 9, 16)
    plain = WorkingCalendar(overrides={})
    with_day_off = WorkingCalendar(overrides={dt.date(2026, 1, 12): False})
    assert plain.add(start, 8 * H) == at(2026, 1, 12, 16)
    assert with_day_off.add(start, 8 * H) == at(2026, 1, 13, 16)


def test_naive_start_is_read_as_local_time(cal):
    assert cal.add(dt.datetime(2026, 1, 9, 16), 8 * H) == at(2026, 1, 12, 16)


def test_utc_start_is_converted_to_local_time(cal):
    utc_start = dt.datetime(2026, 1, 9, 9, tzinfo=dt.UTC)  # 16:00 in Hà Nội
    assert cal.add(utc_start, 8 * H) == at(2026, 1, 12, 16)


def test_negative_amount_is_refused(cal):
    with pytest.raises(ValidationError) as info:
        cal.add(at(2026, 1, 9, 9), -H)
    assert info.value.code == "calendar_negative_amount"


def test_years_outside_the_calendar_are_refused(cal):
    with pytest.raises(ValidationError) as info:
        cal.add(at(2026, 1, 9, 9), dt.timedelta(days=365 * 400))
    assert info.value.code == "calendar_out_of_range"


def test_a_deadline_years_ahead_is_computed(cal):
    # 10 years of working days, no loop over minutes.
    due = cal.add(at(2026, 1, 5, 7), 2500 * cal.day_length)
    assert cal.between(at(2026, 1, 5, 7), due) == 2500 * cal.day_length
    assert due.year in (2035, 2036)


# --- next working moment ------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 1, 9, 9), at(2026, 1, 9, 9)),
        (at(2026, 1, 9, 12), at(2026, 1, 9, 13, 30)),
        (at(2026, 1, 9, 17), at(2026, 1, 12, 7)),
        (at(2026, 1, 10, 10), at(2026, 1, 12, 7)),
        (at(2026, 2, 14, 10), at(2026, 2, 23, 7)),
    ],
)
def test_next_working_moment(cal, moment, expected):
    assert cal.next_working_moment(moment) == expected


# --- working time between, pauses ---------------------------------------------------


def test_between_skips_weekend_and_lunch(cal):
    assert cal.between(at(2026, 1, 9, 16), at(2026, 1, 12, 16)) == 8 * H
    assert cal.between(at(2026, 1, 9, 11), at(2026, 1, 9, 14)) == 1 * H


def test_between_is_negative_when_reversed(cal):
    assert cal.between(at(2026, 1, 12, 16), at(2026, 1, 9, 16)) == -8 * H


def test_a_pause_excludes_its_working_time(cal):
    # Supplement requested Monday 9:00, answered Tuesday 9:00: 8 working hours paused.
    pause = (at(2026, 1, 12, 9), at(2026, 1, 13, 9))
    total = cal.between(at(2026, 1, 12, 7), at(2026, 1, 14, 7), pauses=[pause])
    assert total == 16 * H - 8 * H


def test_overlapping_pauses_count_once(cal):
    pauses = [
        (at(2026, 1, 12, 8), at(2026, 1, 12, 10)),
        (at(2026, 1, 12, 9), at(2026, 1, 12, 11)),
    ]
    assert cal.between(at(2026, 1, 12, 7), at(2026, 1, 12, 17), pauses=pauses) == 5 * H


def test_an_open_pause_runs_to_the_end(cal):
    pause = (at(2026, 1, 12, 15), None)
    assert cal.between(at(2026, 1, 12, 7), at(2026, 1, 13, 17), pauses=[pause]) == 6 * H


def test_pauses_push_the_deadline_back(cal):
    # 8 h from Monday 07:00 ends Monday 17:00; a 2-hour pause Monday 8:00–10:00 moves it
    # to Tuesday 09:00.
    pause = (at(2026, 1, 12, 8), at(2026, 1, 12, 10))
    assert cal.add(at(2026, 1, 12, 7), 8 * H, pauses=[pause]) == at(2026, 1, 13, 9)


def test_a_pause_after_the_deadline_changes_nothing(cal):
    pause = (at(2026, 1, 20, 8), None)
    assert cal.add(at(2026, 1, 12, 7), 8 * H, pauses=[pause]) == at(2026, 1, 12, 17)


def test_an_open_pause_before_the_deadline_is_refused_for_add(cal):
    with pytest.raises(ValidationError) as info:
        cal.add(at(2026, 1, 12, 7), 8 * H, pauses=[(at(2026, 1, 12, 8), None)])
    assert info.value.code == "calendar_open_pause"


def test_a_pause_ending_before_it_starts_is_refused(cal):
    with pytest.raises(ValidationError) as info:
        cal.between(
            at(2026, 1, 12, 7),
            at(2026, 1, 13, 7),
            pauses=[(at(2026, 1, 12, 9), at(2026, 1, 12, 8))],
        )
    assert info.value.code == "calendar_bad_pause"


# --- calendar days (Civil Code art. 148) --------------------------------------------


def test_calendar_days_end_at_close_of_the_last_day(cal):
    # Received Monday 5/1/2026 + 3 calendar days → Thursday 8/1, end of the working day.
    assert cal.add_calendar_days(at(2026, 1, 5, 9), 3) == at(2026, 1, 8, 17)


def test_calendar_days_falling_on_a_day_off_move_to_the_next_working_day(cal):
    # 10/2/2026 + 5 → Sunday 15/2, inside Tết: the term ends Monday 23/2.
    assert cal.add_calendar_days(at(2026, 2, 10, 9), 5) == at(2026, 2, 23, 17)


# --- settings -----------------------------------------------------------------------


def test_custom_sessions_change_the_day_length():
    cal = WorkingCalendar(sessions=[("07:30", "11:30"), ("13:00", "16:30")], overrides={})
    assert cal.day_length == 7.5 * H
    assert cal.add(at(2026, 1, 9, 16), 1 * H) == at(2026, 1, 12, 8)


@pytest.mark.parametrize(
    "sessions",
    [
        [("11:30", "07:00")],  # ends before it starts
        [("07:00", "12:00"), ("11:00", "17:00")],  # overlap
        [("13:00", "17:00"), ("07:00", "11:00")],  # out of order
        [("7h", "11:00")],  # not HH:MM
        [("07:00", "25:00")],  # not a time of day
        [],  # nothing
    ],
)
def test_bad_sessions_setting_is_refused(sessions):
    with pytest.raises(ImproperlyConfigured):
        parse_sessions(sessions)


def test_parse_moment_refuses_impossible_dates():
    with pytest.raises(ValidationError) as info:
        parse_moment("2026-02-30T09:00")
    assert info.value.code == "calendar_bad_datetime"


# --- properties ---------------------------------------------------------------------

_CAL = WorkingCalendar(overrides={dt.date(2026, 3, 7): True, dt.date(2026, 3, 9): False})

moments = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 3, 1)).map(
    lambda t: t.replace(tzinfo=TZ, microsecond=0)
)
amounts = st.integers(min_value=1, max_value=400 * 3600).map(lambda s: dt.timedelta(seconds=s))


@settings(max_examples=300, deadline=None)
@given(start=moments, amount=amounts)
def test_between_is_the_inverse_of_add(start, amount):
    due = _CAL.add(start, amount)
    assert _CAL.between(start, due) == amount
    # And nothing earlier would do: one second before, the time is not yet worked.
    assert _CAL.between(start, due - dt.timedelta(seconds=1)) < amount


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, c=moments)
def test_between_adds_up_over_a_split(a, b, c):
    a, b, c = sorted([a, b, c])
    assert _CAL.between(a, c) == _CAL.between(a, b) + _CAL.between(b, c)


@settings(max_examples=200, deadline=None)
@given(start=moments, amount=amounts)
def test_add_lands_in_working_time(start, amount):
    due = _CAL.add(start, amount)
    local = due.astimezone(TZ)
    assert _CAL.is_working_day(local.date())
    second = local.hour * 3600 + local.minute * 60 + local.second
    assert 7 * 3600 < second <= 11.5 * 3600 or 13.5 * 3600 < second <= 17 * 3600
