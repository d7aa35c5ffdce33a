"""The workflow's deadline helpers on the working-time calendar (no database rows needed)."""

import datetime as dt
import zoneinfo

import pytest

from tinhso.core import calendar
from tinhso.core.workflow import (
    clock_pause,
    clock_resume,
    due_soon_q,
    is_late,
    overdue_q,
    step_start,
)

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


class Subject:
    """Just the attributes the helpers touch."""

    def __init__(self):
        self.step_code = ""
        self.current_role = ""
        self.current_organisation = None
        self.assignee = None
        self.step_started_at = None
        self.step_due_at = None
        self.due_at = None
        self.paused_since = None
        self.paused_total = dt.timedelta(0)
        self.pause_count = 0


def test_step_started_friday_afternoon_is_due_on_monday_same_hour():
    # given a step of 8 working hours started on Friday 6 March 2026 at 16:00
    subject = Subject()
    # when the step starts
    step_start(
        subject,
        step_code="process",
        role="specialist",
        organisation=None,
        hours=8,
        at=at(2026, 3, 6, 16),
    )
    # then 1 h runs on Friday and 7 h on Monday
    assert subject.step_due_at == at(2026, 3, 9, 16)
    assert subject.step_code == "process"


def test_step_started_after_hours_counts_from_next_morning():
    subject = Subject()
    step_start(
        subject, step_code="s", role="head", organisation=None, hours=4, at=at(2026, 3, 6, 18)
    )
    # Saturday and Sunday skipped: Monday 07:00 + 4 h = 11:00
    assert subject.step_due_at == at(2026, 3, 9, 11)


def test_step_without_hours_has_no_due_moment():
    subject = Subject()
    step_start(subject, step_code="s", role="head", organisation=None, hours=0, at=at(2026, 3, 6))
    assert subject.step_due_at is None


def test_pause_moves_both_due_moments_by_the_paused_working_time():
    # given a dossier due Friday 13 March 16:00 (5 working days from Friday 6 March 16:00)
    subject = Subject()
    subject.due_at = calendar.add_working_days(at(2026, 3, 6, 16), 5)
    assert subject.due_at == at(2026, 3, 13, 16)
    subject.step_due_at = at(2026, 3, 10, 9)
    # when the clock stops Monday 09:00 and restarts Wednesday 09:00 (2 working days)
    clock_pause(subject, at=at(2026, 3, 9, 9))
    assert subject.pause_count == 1
    paused = clock_resume(subject, at=at(2026, 3, 11, 9))
    # then both deadlines move by exactly 16 working hours
    assert paused == dt.timedelta(hours=16)
    assert subject.paused_total == dt.timedelta(hours=16)
    assert subject.due_at == at(2026, 3, 17, 16)
    assert subject.step_due_at == at(2026, 3, 12, 9)
    assert subject.paused_since is None


def test_pause_over_a_weekend_counts_only_working_time():
    subject = Subject()
    subject.due_at = at(2026, 3, 20, 16)
    clock_pause(subject, at=at(2026, 3, 13, 17))  # Friday after the close
    paused = clock_resume(subject, at=at(2026, 3, 16, 7))  # Monday opening
    assert paused == dt.timedelta(0)
    assert subject.due_at == at(2026, 3, 20, 16)
    assert subject.pause_count == 1


def test_second_pause_while_paused_is_not_counted_twice():
    subject = Subject()
    clock_pause(subject, at=at(2026, 3, 9, 9))
    clock_pause(subject, at=at(2026, 3, 9, 10))
    assert subject.pause_count == 1
    assert subject.paused_since == at(2026, 3, 9, 9)


def test_resume_without_pause_changes_nothing():
    subject = Subject()
    subject.due_at = at(2026, 3, 20, 16)
    assert clock_resume(subject, at=at(2026, 3, 9, 9)) == dt.timedelta(0)
    assert subject.due_at == at(2026, 3, 20, 16)


def test_due_soon_and_overdue_filters_exclude_paused_subjects():
    now = at(2026, 3, 9, 9)
    soon = due_soon_q(now=now, within_hours=8)
    late = overdue_q(now=now)
    assert ("paused_since__isnull", True) in soon.children
    assert ("due_at__lte", at(2026, 3, 10, 9)) in soon.children
    assert ("due_at__gt", now) in soon.children
    assert ("due_at__lte", now) in late.children


def test_late_means_finished_after_the_due_moment():
    assert is_late(at(2026, 3, 9, 9), at(2026, 3, 9, 10))
    assert not is_late(at(2026, 3, 9, 9), at(2026, 3, 9, 9))
    assert not is_late(None, at(2026, 3, 9, 9))
