"""Writes to the working-time calendar: the province's make-up days and extra days off."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tinhso.core import calendar
from tinhso.core.audit import audit_record
from tinhso.core.choices import CalendarDayKind
from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.models import CalendarDay
from tinhso.core.permissions import require


def _check(actor, action: str) -> None:
    # actor=None is the platform itself (a command run by an operator on the server).
    if actor is not None:
        require(actor, CalendarDay, action)


def _valid_date(date) -> dt.date:
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise ValidationError(_("Ngày không hợp lệ."), code="calendar_bad_date")
    if not calendar.MIN_YEAR <= date.year <= calendar.MAX_YEAR:
        raise calendar.out_of_range_error()
    return date


def _invalidate_now_and_on_commit() -> None:
    # Now, so this transaction sees its own change; on commit, so a process that
    # rebuilt its calendar in between (without the uncommitted row) rebuilds again.
    calendar.invalidate()
    transaction.on_commit(calendar.invalidate)


def calendar_day_set(*, actor, date: dt.date, kind: str, reason: str = "") -> CalendarDay:
    """Declare ``date`` a make-up working day or an extra day off for the province."""
    _check(actor, "add")
    date = _valid_date(date)
    if kind not in CalendarDayKind.values:
        raise ValidationError(
            _("Loại ngày phải là “working” (làm việc bù) hoặc “day_off” (nghỉ)."),
            code="calendar_day_kind",
        )
    reason = (reason or "").strip()
    if len(reason) > 255:
        raise ValidationError(_("Lý do dài quá 255 ký tự."), code="calendar_day_reason_too_long")
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        before = {"kind": day.kind, "reason": day.reason} if day else None
        if day is None:
            day = CalendarDay.objects.create(date=date, kind=kind, reason=reason)
            action = "calendar_day.create"
        else:
            day.kind, day.reason = kind, reason
            day.save(update_fields=["kind", "reason"])
            action = "calendar_day.update"
        audit_record(
            actor=actor,
            action=action,
            obj=day,
            changes={"date": date.isoformat(), "kind": kind, "reason": reason, "before": before},
        )
        _invalidate_now_and_on_commit()
    return day


def calendar_day_delete(*, actor, date: dt.date) -> None:
    """Remove the province's row for ``date``: the package's rule applies again."""
    _check(actor, "delete")
    date = _valid_date(date)
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(
                _("Không có ngày làm việc đặc biệt nào vào ngày %(date)s.")
                % {"date": date.strftime("%d/%m/%Y")},
                code="calendar_day_not_found",
            )
        audit_record(
            actor=actor,
            action="calendar_day.delete",
            obj=day,
            changes={"date": date.isoformat(), "kind": day.kind, "reason": day.reason},
        )
        day.delete()
        _invalidate_now_and_on_commit()
