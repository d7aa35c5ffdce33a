"""A dossier's process (from the procedure's template) and its legal deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tinhso.core import calendar
from tinhso.core.choices import Role
from tinhso.dossiers.choices import Channel


@dataclass(frozen=True)
class Step:
    order: int
    code: str
    name: str
    role: str
    agency_kind: str
    hours: float
    kind: str
    on_approve: str | None = None
    on_refuse: str | None = None


class Process:
    """The ordered steps of a dossier's template, looked up by code."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = sorted(steps, key=lambda s: s.order)
        self._by_code = {s.code: s for s in self.steps}

    def get(self, code: str) -> Step | None:
        return self._by_code.get(code)

    def first(self) -> Step:
        return self.steps[0]

    def after(self, code: str) -> Step | None:
        step = self.get(code)
        if step is None:
            return None
        later = [s for s in self.steps if s.order > step.order]
        return later[0] if later else None

    def before(self, code: str) -> Step | None:
        step = self.get(code)
        if step is None:
            return None
        earlier = [s for s in self.steps if s.order < step.order]
        return earlier[-1] if earlier else None

    def on_approve(self, code: str) -> Step | None:
        step = self.get(code)
        if step is not None and step.on_approve:
            return self.get(step.on_approve)
        return self.after(code)

    def on_refuse(self, code: str) -> Step | None:
        step = self.get(code)
        if step is not None and step.on_refuse:
            return self.get(step.on_refuse)
        return None

    def first_after_receipt(self) -> Step | None:
        from tinhso.procedures.choices import StepKind

        first = self.first()
        return self.after(first.code) if first.kind == StepKind.RECEIVE else first


def default_process(total_hours: float) -> Process:
    """Used when a procedure has no template: receive → process → approve → return."""
    from tinhso.procedures.choices import StepKind

    share = max(total_hours, 1.0)
    return Process(
        [
            Step(1, "tiep-nhan", "Tiếp nhận hồ sơ", Role.DESK_OFFICER, "", 0, StepKind.RECEIVE),
            Step(
                2, "xu-ly", "Thẩm định, xử lý", Role.SPECIALIST, "", share * 0.6, StepKind.PROCESS
            ),
            Step(3, "phe-duyet", "Phê duyệt", Role.HEAD, "", share * 0.3, StepKind.APPROVE),
            Step(4, "tra-ket-qua", "Trả kết quả", Role.DESK_OFFICER, "", 0, StepKind.RETURN),
        ]
    )


def process_for(procedure, case=None) -> Process:
    from tinhso.procedures.selectors import template_for

    try:
        template = template_for(procedure, case)
    except Exception:  # TemplateNotFound: the catalogue has no process for it yet
        return default_process(legal_hours(procedure, case))
    rows = list(template.steps.all())
    if not rows:
        return default_process(legal_hours(procedure, case))
    codes = {row.pk: row.code for row in rows}
    return Process(
        [
            Step(
                order=row.order,
                code=row.code,
                name=row.name,
                role=row.role,
                agency_kind=row.agency_kind,
                hours=float(row.duration_hours or 0),
                kind=row.kind,
                on_approve=codes.get(row.on_approve_id),
                on_refuse=codes.get(row.on_refuse_id),
            )
            for row in rows
        ]
    )


def legal_time(procedure, case=None, channel: str = "") -> tuple[Decimal, str]:
    """The time the law allows: the case's, else the procedure's; the online time online.

    The online time applies when the dossier is submitted online, the procedure
    defines one, and the case does not set its own time.
    """
    amount, unit = procedure.legal_duration(case)
    case_sets_time = case is not None and case.processing_time is not None
    if (
        channel == Channel.ONLINE
        and procedure.online_processing_time is not None
        and not case_sets_time
    ):
        amount = Decimal(procedure.online_processing_time)
    return amount, unit


def legal_hours(procedure, case=None, channel: str = "") -> float:
    from tinhso.procedures.choices import TimeUnit

    amount, unit = legal_time(procedure, case, channel)
    if unit == TimeUnit.WORKING_HOURS:
        return float(amount)
    day_hours = calendar.get_calendar().day_length.total_seconds() / 3600
    return float(amount) * day_hours


def due_moment(procedure, case, channel: str, start: dt.datetime) -> dt.datetime:
    """The promised return moment for a dossier validly received at ``start``."""
    from tinhso.procedures.choices import TimeUnit

    amount, unit = legal_time(procedure, case, channel)
    if unit == TimeUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, float(amount))
    if unit == TimeUnit.CALENDAR_DAYS:
        return calendar.add_calendar_days(start, int(amount))
    return calendar.add_working_days(start, float(amount))
