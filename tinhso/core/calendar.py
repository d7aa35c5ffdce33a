"""The working-time calendar: the engine of every legal deadline.

A *working day* is a weekday that is not a public holiday, or a Saturday/Sunday
the State or the province declares worked (make-up day). The rules, strongest
first:

1. ``CalendarDay`` rows set by the province (make-up working day, extra day off);
2. Vietnam's public holidays from the ``holidays`` package (Tết is lunar), and
   the official make-up working Saturdays it knows (``weekend_workdays``);
3. Monday to Friday work, Saturday and Sunday do not.

Working time is the union of the daily sessions (``TINHSO_WORKING_SESSIONS``,
07:00–11:30 and 13:30–17:00 by default, so a working day lasts 8 hours) on
working days. Deadlines in *working days* are N × the day's length in working
time (what deployed one-stop systems do): a dossier received on Friday at 16:00
with one working day is due on Monday at 16:00.

All datetimes are aware, in ``settings.TIME_ZONE`` (Asia/Ho_Chi_Minh, no
daylight saving since 1975, so "midnight + offset" is exact). A naive datetime
is read as local time.

Speed: each year is turned once into a sorted array of working-day ordinals;
"the n-th working day after d" and "working days between d1 and d2" are then a
bisection per year, so a deadline years ahead costs microseconds, with no loop
over days or minutes. Package holidays are cached per year for the process; the
province's rows are cached under a version number kept in Django's cache, which
``invalidate()`` bumps (Redis shares it between processes).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import uuid
import zoneinfo
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import ValidationError

# Deadlines are computed for these years only: enough for any procedure, and it
# keeps a typo ("days=9999999") from building a calendar for millennia.
MIN_YEAR = 1990
MAX_YEAR = 2199

_US = 1_000_000  # microseconds per second
_DAY_US = 86_400 * _US

Pause = tuple[dt.datetime, dt.datetime | None]


# --- errors -------------------------------------------------------------------------


def out_of_range_error() -> ValidationError:
    return ValidationError(
        _("Ngày nằm ngoài phạm vi lịch làm việc (từ năm %(lo)s đến năm %(hi)s).")
        % {"lo": MIN_YEAR, "hi": MAX_YEAR},
        code="calendar_out_of_range",
    )


def _negative() -> ValidationError:
    return ValidationError(
        _("Thời hạn không được là số âm."),
        code="calendar_negative_amount",
    )


# --- settings -----------------------------------------------------------------------


def _parse_hhmm(value: str) -> int:
    """'07:30' → seconds after midnight; '24:00' allowed as the end of the day."""
    try:
        hours, minutes = str(value).split(":")
        h, m = int(hours), int(minutes)
    except (ValueError, AttributeError):
        raise ImproperlyConfigured(f"TINHSO_WORKING_SESSIONS: {value!r} is not HH:MM") from None
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ImproperlyConfigured(f"TINHSO_WORKING_SESSIONS: {value!r} is not a time of day")
    return h * 3600 + m * 60


def parse_sessions(raw: Iterable[Sequence[str]]) -> tuple[tuple[int, int], ...]:
    """Validate the sessions setting: each start before its end, ordered, no overlap.

    Returns (start, end) pairs in microseconds after midnight.
    """
    sessions: list[tuple[int, int]] = []
    for pair in raw or ():
        if len(pair) != 2:
            raise ImproperlyConfigured(f"TINHSO_WORKING_SESSIONS: {pair!r} is not a (start, end)")
        start, end = (_parse_hhmm(pair[0]) * _US, _parse_hhmm(pair[1]) * _US)
        if start >= end:
            raise ImproperlyConfigured(f"TINHSO_WORKING_SESSIONS: {pair!r} ends before it starts")
        if sessions and start < sessions[-1][1]:
            raise ImproperlyConfigured(
                f"TINHSO_WORKING_SESSIONS: {pair!r} overlaps or precedes the session before it"
            )
        sessions.append((start, end))
    if not sessions:
        raise ImproperlyConfigured("TINHSO_WORKING_SESSIONS: at least one session is needed")
    return tuple(sessions)


# --- the holidays package, cached per year ------------------------------------------


@dataclass(frozen=True)
class PackageYear:
    holidays: dict[dt.date, str]  # date → Vietnamese name
    workdays: frozenset[dt.date]  # official make-up working Saturdays/Sundays


@functools.cache
def package_year(year: int) -> PackageYear:
    import holidays

    vn = holidays.Vietnam(years=year, language="vi")
    days = dict(vn.items())
    workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    return PackageYear(days, workdays)


# --- the calendar -------------------------------------------------------------------


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    working: bool
    kind: str  # "holiday" | "weekend_workday" | "working" | "day_off" (province rows)
    name: str
    source: str  # "package" | "province"


class WorkingCalendar:
    """Working time for one set of sessions and province overrides.

    ``overrides`` maps a date to True (make-up working day) or False (extra day off).
    """

    def __init__(
        self,
        sessions: Iterable[Sequence[str]] | None = None,
        overrides: dict[dt.date, bool] | None = None,
        tz: dt.tzinfo | None = None,
    ) -> None:
        self.sessions = parse_sessions(
            sessions if sessions is not None else settings.TINHSO_WORKING_SESSIONS
        )
        self.day_us = sum(end - start for start, end in self.sessions)
        self.overrides = dict(overrides or {})
        self.tz = tz or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self._years: dict[int, array] = {}
        self._lock = threading.Lock()

    # ----- days

    @property
    def day_length(self) -> dt.timedelta:
        return dt.timedelta(microseconds=self.day_us)

    def _rule_working(self, day: dt.date, pkg: PackageYear) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day in pkg.holidays:
            return False
        if day in pkg.workdays:
            return True
        return day.weekday() < 5

    def _year(self, year: int) -> array:
        """Sorted ordinals of the working days of ``year`` (built once)."""
        days = self._years.get(year)
        if days is not None:
            return days
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise out_of_range_error()
        pkg = package_year(year)
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        days = array(
            "l",
            (o for o in range(first, last + 1) if self._rule_working(dt.date.fromordinal(o), pkg)),
        )
        with self._lock:
            self._years[year] = days
        return days

    def is_working_day(self, day: dt.date) -> bool:
        days = self._year(day.year)
        o = day.toordinal()
        i = bisect_left(days, o)
        return i < len(days) and days[i] == o

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``day`` (n ≥ 1)."""
        year = day.year
        days = self._year(year)
        index = bisect_right(days, day.toordinal())
        while n > len(days) - index:
            n -= len(days) - index
            year += 1
            days = self._year(year)
            index = 0
        return dt.date.fromordinal(days[index + n - 1])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie in [start, end)."""
        if end <= start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year)
            lo = bisect_left(days, start.toordinal()) if year == start.year else 0
            hi = bisect_left(days, end.toordinal()) if year == end.year else len(days)
            total += hi - lo
        return total

    def day_info(self, day: dt.date) -> DayInfo:
        pkg = package_year(day.year)
        if day in self.overrides:
            working = self.overrides[day]
            return DayInfo(day, working, "working" if working else "day_off", "", "province")
        if day in pkg.holidays:
            return DayInfo(day, False, "holiday", pkg.holidays[day], "package")
        if day in pkg.workdays:
            return DayInfo(day, True, "weekend_workday", gettext("Ngày làm việc bù"), "package")
        return DayInfo(day, day.weekday() < 5, "", "", "")

    def special_days(self, year: int) -> list[DayInfo]:
        """Holidays, official make-up days and the province's rows for ``year``, by date."""
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise out_of_range_error()
        pkg = package_year(year)
        dates = set(pkg.holidays) | set(pkg.workdays)
        dates |= {d for d in self.overrides if d.year == year}
        return [self.day_info(d) for d in sorted(dates)]

    # ----- moments

    def local(self, moment: dt.datetime) -> dt.datetime:
        if not isinstance(moment, dt.datetime):
            raise ValidationError(_("Thời điểm không hợp lệ."), code="calendar_bad_datetime")
        if moment.tzinfo is None or moment.utcoffset() is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def _split(self, moment: dt.datetime) -> tuple[dt.date, int]:
        """(local date, microseconds after local midnight)."""
        t = self.local(moment)
        if not MIN_YEAR <= t.year <= MAX_YEAR:
            raise out_of_range_error()
        offset = ((t.hour * 3600 + t.minute * 60 + t.second) * _US) + t.microsecond
        return t.date(), offset

    def _at(self, day: dt.date, offset_us: int) -> dt.datetime:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
        return midnight + dt.timedelta(microseconds=offset_us)

    def _worked_in_day(self, offset_us: int) -> int:
        """Working microseconds from midnight to ``offset_us`` on a working day."""
        return sum(min(max(offset_us - start, 0), end - start) for start, end in self.sessions)

    def _position(self, worked_us: int) -> int:
        """The offset in the day by which ``worked_us`` (0 < w ≤ day) have been worked."""
        for start, end in self.sessions:
            length = end - start
            if worked_us <= length:
                return start + worked_us
            worked_us -= length
        return self.sessions[-1][1]

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` if it falls in a session, else the start of the next session."""
        day, offset = self._split(moment)
        if self.is_working_day(day):
            for start, end in self.sessions:
                if offset < start:
                    return self._at(day, start)
                if offset < end:
                    return self.local(moment)
        return self._at(self.nth_working_day_after(day, 1), self.sessions[0][0])

    def add(
        self, start: dt.datetime, amount: dt.timedelta, *, pauses: Iterable[Pause] = ()
    ) -> dt.datetime:
        """The moment by which ``amount`` of working time has elapsed since ``start``.

        ``pauses`` are periods already known (a supplement request answered) during
        which the clock stood still; each must have an end. An amount ending exactly
        at the close of a session gives that close (17:00), not the next opening.
        A zero amount gives ``next_working_moment(start)``.
        """
        remaining = _to_us(amount)
        if remaining < 0:
            raise _negative()
        cursor = self.local(start)
        for pause_start, pause_end in self._merged_pauses(pauses, cursor, None):
            before = self._between_us(cursor, pause_start)
            if before >= remaining:
                break
            if pause_end is None:
                raise ValidationError(
                    _("Khoảng tạm dừng chưa kết thúc thì chưa tính được hạn."),
                    code="calendar_open_pause",
                )
            remaining -= before
            cursor = pause_end
        return self._add_us(cursor, remaining)

    def _add_us(self, start: dt.datetime, amount_us: int) -> dt.datetime:
        if amount_us == 0:
            return self.next_working_moment(start)
        day, offset = self._split(start)
        if self.is_working_day(day):
            target = self._worked_in_day(offset) + amount_us
            if target <= self.day_us:
                return self._at(day, self._position(target))
            remaining = target - self.day_us
        else:
            remaining = amount_us
        full_days, rest = divmod(remaining, self.day_us)
        if rest == 0:  # ends at the close of the last day, not the next opening
            full_days, rest = full_days - 1, self.day_us
        due_day = self.nth_working_day_after(day, full_days + 1)
        return self._at(due_day, self._position(rest))

    def _cumulative_us(self, moment: dt.datetime, origin: dt.date) -> int:
        day, offset = self._split(moment)
        total = self.working_days_between(origin, day) * self.day_us
        if self.is_working_day(day):
            total += self._worked_in_day(offset)
        return total

    def _between_us(self, a: dt.datetime, b: dt.datetime) -> int:
        if b < a:
            return -self._between_us(b, a)
        origin = self.local(a).date()
        return self._cumulative_us(b, origin) - self._cumulative_us(a, origin)

    def _merged_pauses(
        self, pauses: Iterable[Pause], lo: dt.datetime, hi: dt.datetime | None
    ) -> list[Pause]:
        """Pauses clipped to [lo, hi], sorted, overlaps merged; an open end stays None."""
        clipped: list[tuple[dt.datetime, dt.datetime | None]] = []
        for pause in pauses or ():
            try:
                p_start, p_end = pause
            except (TypeError, ValueError):
                raise ValidationError(
                    _("Khoảng tạm dừng không hợp lệ."), code="calendar_bad_pause"
                ) from None
            p_start = self.local(p_start)
            p_end = self.local(p_end) if p_end is not None else None
            if p_end is not None and p_end < p_start:
                raise ValidationError(
                    _("Khoảng tạm dừng kết thúc trước khi bắt đầu."), code="calendar_bad_pause"
                )
            if p_end is None and hi is not None:
                p_end = hi
            p_start = max(p_start, lo)
            if hi is not None:
                p_end = min(p_end, hi) if p_end is not None else hi
                p_start = min(p_start, hi)
            if p_end is not None and p_end <= p_start:
                continue
            clipped.append((p_start, p_end))
        clipped.sort(key=lambda p: p[0])
        merged: list[Pause] = []
        for p_start, p_end in clipped:
            if merged:
                last_start, last_end = merged[-1]
                if last_end is None:
                    break
                if p_start <= last_end:
                    new_end = None if p_end is None else max(last_end, p_end)
                    merged[-1] = (last_start, new_end)
                    continue
            merged.append((p_start, p_end))
        return merged

    def between(
        self, a: dt.datetime, b: dt.datetime, *, pauses: Iterable[Pause] = ()
    ) -> dt.timedelta:
        """Working time from ``a`` to ``b`` (negative if b < a), minus the pauses.

        A pause without an end (still open) runs to ``b``.
        """
        if b < a:
            return -self.between(b, a, pauses=pauses)
        total = self._between_us(a, b)
        for p_start, p_end in self._merged_pauses(pauses, self.local(a), self.local(b)):
            total -= self._between_us(p_start, p_end if p_end is not None else b)
        return dt.timedelta(microseconds=total)

    def add_calendar_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """A deadline in calendar days (Civil Code 2015, arts. 147–148).

        The day of the event is not counted; the term ends at the end of the last
        day, and when that day is not a working day, at the end of the next working
        day. "The end of the day" is returned as the close of the last session:
        the office can act until then.
        """
        if days < 0:
            raise _negative()
        day, _offset = self._split(start)
        try:
            due = day + dt.timedelta(days=int(days))
        except OverflowError:
            raise out_of_range_error() from None
        if not MIN_YEAR <= due.year <= MAX_YEAR:
            raise out_of_range_error()
        if not self.is_working_day(due):
            due = self.nth_working_day_after(due, 1)
        return self._at(due, self.sessions[-1][1])


def _to_us(amount: dt.timedelta) -> int:
    return (amount.days * 86_400 + amount.seconds) * _US + amount.microseconds


def _hours(value: float | int, unit_us: int) -> dt.timedelta:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Thời hạn phải là một số."), code="calendar_bad_amount") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(_("Thời hạn phải là một số."), code="calendar_bad_amount")
    if number < 0:
        raise _negative()
    if number * unit_us > (MAX_YEAR - MIN_YEAR + 1) * 366 * _DAY_US:
        raise out_of_range_error()
    return dt.timedelta(microseconds=round(number * unit_us))


# --- the process-wide calendar ------------------------------------------------------

_VERSION_KEY = "tinhso:calendar:version"
_state: dict[str, object] = {"version": None, "calendar": None}
_state_lock = threading.Lock()


def _current_version() -> str:
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(_VERSION_KEY) or "local"
    return version


def _load_overrides() -> dict[dt.date, bool]:
    from tinhso.core.choices import CalendarDayKind
    from tinhso.core.models import CalendarDay

    return {
        day: kind == CalendarDayKind.WORKING
        for day, kind in CalendarDay.objects.values_list("date", "kind")
    }


def get_calendar() -> WorkingCalendar:
    """The calendar with the current settings and the province's rows (cached)."""
    version = _current_version()
    calendar = _state["calendar"]
    if calendar is not None and _state["version"] == version:
        return calendar  # type: ignore[return-value]
    calendar = WorkingCalendar(overrides=_load_overrides())
    with _state_lock:
        _state["calendar"], _state["version"] = calendar, version
    return calendar


def invalidate() -> None:
    """Forget the cached calendar here and, through the shared cache, in every process."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    with _state_lock:
        _state["calendar"], _state["version"] = None, None


# --- the functions the rest of the platform calls -----------------------------------


def is_working_day(day: dt.date) -> bool:
    if isinstance(day, dt.datetime):
        day = get_calendar().local(day).date()
    return get_calendar().is_working_day(day)


def next_working_moment(moment: dt.datetime) -> dt.datetime:
    return get_calendar().next_working_moment(moment)


def add_working_time(
    start: dt.datetime, amount: dt.timedelta, *, pauses: Iterable[Pause] = ()
) -> dt.datetime:
    return get_calendar().add(start, amount, pauses=pauses)


def add_working_hours(
    start: dt.datetime, hours: float, *, pauses: Iterable[Pause] = ()
) -> dt.datetime:
    """``start`` + ``hours`` of working time (fractions allowed), skipping ``pauses``."""
    return get_calendar().add(start, _hours(hours, 3600 * _US), pauses=pauses)


def add_working_days(
    start: dt.datetime, days: float, *, pauses: Iterable[Pause] = ()
) -> dt.datetime:
    """``start`` + ``days`` working days, a day being the sum of the sessions (8 h)."""
    calendar = get_calendar()
    return calendar.add(start, _hours(days, calendar.day_us), pauses=pauses)


def add_calendar_days(start: dt.datetime, days: int) -> dt.datetime:
    if isinstance(days, float) and not days.is_integer():
        raise ValidationError(_("Số ngày theo lịch phải là số nguyên."), code="calendar_bad_amount")
    return get_calendar().add_calendar_days(start, int(days))


def working_time_between(
    a: dt.datetime, b: dt.datetime, *, pauses: Iterable[Pause] = ()
) -> dt.timedelta:
    return get_calendar().between(a, b, pauses=pauses)


def special_days(year: int) -> list[DayInfo]:
    return get_calendar().special_days(year)


# --- parsing what people type (API query strings, command-line options) -------------


def parse_moment(value: str | None, *, field: str = "start") -> dt.datetime:
    """'2026-01-09T16:00', '2026-01-09 16:00+07:00' or '2026-01-09' (00:00) → aware datetime."""
    from django.utils.dateparse import parse_date, parse_datetime

    text = (value or "").strip()
    error = ValidationError(
        _(
            "Thời điểm “%(value)s” (%(field)s) không hợp lệ; dùng dạng YYYY-MM-DDTHH:MM, "
            "ví dụ 2026-01-09T16:00."
        )
        % {"value": text[:40], "field": field},
        code="calendar_bad_datetime",
        details={"field": field},
    )
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                raise error
            moment = dt.datetime.combine(day, dt.time())
    except (ValueError, OverflowError):
        raise error from None
    calendar_tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar_tz)
    if not MIN_YEAR <= moment.astimezone(calendar_tz).year <= MAX_YEAR:
        raise out_of_range_error()
    return moment.astimezone(calendar_tz)


def parse_day(value: str | None, *, field: str = "date") -> dt.date:
    """'2026-08-22' → date, else ValidationError ``calendar_bad_date``."""
    from django.utils.dateparse import parse_date

    text = (value or "").strip()
    error = ValidationError(
        _("Ngày “%(value)s” (%(field)s) không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 2026-08-22.")
        % {"value": text[:40], "field": field},
        code="calendar_bad_date",
        details={"field": field},
    )
    try:
        day = parse_date(text)
    except ValueError:
        raise error from None
    if day is None:
        raise error
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise out_of_range_error()
    return day


def now() -> dt.datetime:
    return dt.datetime.now(tz=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def get_calendar_settings() -> list[tuple[str, str]]:
    """The sessions as configured, checked: [("07:00", "11:30"), ("13:30", "17:00")]."""
    raw = [tuple(pair) for pair in settings.TINHSO_WORKING_SESSIONS]
    parse_sessions(raw)
    return raw
