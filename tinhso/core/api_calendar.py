"""The working-time calendar over HTTP: deadlines, working time, and the days that differ.

Reads are public (a citizen can check when a dossier is due); changing the
province's days is for IT administrators.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from tinhso.core import calendar
from tinhso.core.auth import api_auth
from tinhso.core.exceptions import ValidationError
from tinhso.core.models import CalendarDay
from tinhso.core.permissions import require
from tinhso.core.services.calendar import calendar_day_delete, calendar_day_set

router = Router(tags=["calendar"])


class DeadlineOut(Schema):
    start: dt.datetime
    counting_from: dt.datetime
    due_at: dt.datetime
    unit: str
    amount: float
    rule: str


class WorkingTimeOut(Schema):
    start: dt.datetime
    end: dt.datetime
    seconds: int
    hours: float
    working_days: float


class DayOut(Schema):
    date: dt.date
    working: bool
    kind: str
    name: str
    source: str
    reason: str = ""


class DaysOut(Schema):
    year: int
    sessions: list[tuple[str, str]]
    day_hours: float
    days: list[DayOut]


class DayIn(Schema):
    date: str
    kind: str
    reason: str = ""


def _number(value: str | None, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(
            _("“%(field)s” phải là một số.") % {"field": field},
            code="calendar_bad_amount",
            details={"field": field},
        )
    if number < 0:
        raise ValidationError(
            _("Thời hạn không được là số âm."),
            code="calendar_negative_amount",
            details={"field": field},
        )
    return number


def _sessions() -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in calendar.get_calendar_settings()]


@router.get("/calendar/deadline", response=DeadlineOut, summary="Tính hạn xử lý")
def deadline(
    request,
    start: str | None = None,
    hours: str | None = None,
    days: str | None = None,
    calendar_days: str | None = None,
):
    """Due time for ``hours`` or ``days`` of working time, or ``calendar_days``, from ``start``
    (default: now). Working days are 8 working hours each with the default sessions."""
    moment = calendar.parse_moment(start, field="start") if start else calendar.now()
    amounts = {
        "hours": _number(hours, "hours"),
        "days": _number(days, "days"),
        "calendar_days": _number(calendar_days, "calendar_days"),
    }
    given = {k: v for k, v in amounts.items() if v is not None}
    if len(given) != 1:
        raise ValidationError(
            _("Cần đúng một trong các tham số hours, days hoặc calendar_days."),
            code="calendar_amount_required",
        )
    unit, amount = next(iter(given.items()))
    if unit == "hours":
        due = calendar.add_working_hours(moment, amount)
        rule = "working_hours"
    elif unit == "days":
        due = calendar.add_working_days(moment, amount)
        rule = "working_days"
    else:
        due = calendar.add_calendar_days(moment, amount)
        rule = "calendar_days_civil_code_148"
    return DeadlineOut(
        start=moment,
        counting_from=calendar.next_working_moment(moment),
        due_at=due,
        unit=unit,
        amount=amount,
        rule=rule,
    )


@router.get("/calendar/working-time", response=WorkingTimeOut, summary="Thời gian làm việc")
def working_time(request, start: str | None = None, end: str | None = None):
    """Working time between ``start`` and ``end`` (weekends, holidays, breaks excluded)."""
    a = calendar.parse_moment(start, field="start")
    b = calendar.parse_moment(end, field="end")
    if b < a:
        raise ValidationError(
            _("Thời điểm kết thúc phải sau thời điểm bắt đầu."),
            code="calendar_end_before_start",
        )
    span = calendar.working_time_between(a, b)
    seconds = span.total_seconds()
    day_seconds = calendar.get_calendar().day_length.total_seconds()
    return WorkingTimeOut(
        start=a,
        end=b,
        seconds=int(seconds),
        hours=round(seconds / 3600, 4),
        working_days=round(seconds / day_seconds, 4),
    )


def _year(value: str | None) -> int:
    if value is None or value == "":
        return calendar.now().year
    try:
        year = int(value)
    except ValueError:
        raise ValidationError(
            _("Năm “%(value)s” không hợp lệ.") % {"value": value[:10]},
            code="calendar_bad_year",
        ) from None
    if not calendar.MIN_YEAR <= year <= calendar.MAX_YEAR:
        raise calendar.out_of_range_error()
    return year


@router.get("/calendar/days", response=DaysOut, summary="Ngày nghỉ lễ và ngày làm việc bù")
def days(request, year: str | None = None):
    """Public holidays, official make-up days and the province's own days for ``year``."""
    number = _year(year)
    cal = calendar.get_calendar()
    reasons = dict(CalendarDay.objects.filter(date__year=number).values_list("date", "reason"))
    items = [
        DayOut(
            date=info.date,
            working=info.working,
            kind=info.kind,
            name=info.name,
            source=info.source,
            reason=reasons.get(info.date, ""),
        )
        for info in cal.special_days(number)
    ]
    return DaysOut(
        year=number,
        sessions=_sessions(),
        day_hours=cal.day_length.total_seconds() / 3600,
        days=items,
    )


@router.post(
    "/calendar/days",
    response={200: DayOut},
    auth=api_auth,
    summary="Đặt ngày làm việc bù hoặc ngày nghỉ của tỉnh",
)
def day_set(request, payload: DayIn):
    require(request.auth, CalendarDay, "add")
    day = calendar_day_set(
        actor=request.auth,
        date=calendar.parse_day(payload.date),
        kind=payload.kind,
        reason=payload.reason,
    )
    info = calendar.get_calendar().day_info(day.date)
    return DayOut(
        date=day.date,
        working=info.working,
        kind=info.kind,
        name=info.name,
        source=info.source,
        reason=day.reason,
    )


@router.delete(
    "/calendar/days",
    response={204: None},
    auth=api_auth,
    summary="Bỏ ngày làm việc bù hoặc ngày nghỉ của tỉnh",
)
def day_delete(request, date: str | None = None):
    require(request.auth, CalendarDay, "delete")
    calendar_day_delete(actor=request.auth, date=calendar.parse_day(date))
    return Status(204, None)
