"""Writes of the procedure catalogue: procedures, process templates, imports.

Every write checks the actor's permission (``actor=None`` is the platform
itself: loaders and operators' commands), runs in one transaction and records
what it did in the audit trail inside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.choices import OrganisationKind, Role
from tinhso.core.permissions import require
from tinhso.procedures.choices import ProcedureLevel, ServiceLevel, StepKind, TimeUnit
from tinhso.procedures.errors import InvalidProcedure, InvalidProcess
from tinhso.procedures.models import Field, Procedure, ProcedureCase, ProcessStep, ProcessTemplate

# National procedure codes as the national database gives them: a series digit,
# a dot and six digits ("1.001193", "2.000884", "3.000315").
NATIONAL_CODE_PATTERN = r"^\d\.\d{6}$"

# Calendar days → working days for checking a process against the legal time:
# in any 7 consecutive days there are at least 5 working days when no holiday
# falls in them, so N calendar days hold at least floor(N × 5 / 7) working days.
WORKING_DAYS_PER_WEEK = 5


def _check_actor(actor, action: str) -> None:
    if actor is not None:
        require(actor, Procedure, action)


# --- legal time ------------------------------------------------------------------------


def hours_per_working_day() -> Decimal:
    """Working hours in a day, from the calendar's sessions (8 by default)."""
    from tinhso.core.calendar import WorkingCalendar

    calendar = WorkingCalendar(overrides={})
    return Decimal(calendar.day_us) / Decimal(3_600_000_000)


def legal_hours(amount: Decimal | int | float | str, unit: str) -> Decimal:
    """A legal time as working hours, the budget a process template must fit in.

    Working days count as the calendar's day length (8 h); calendar days as
    ``floor(N × 5 / 7)`` working days (see ``WORKING_DAYS_PER_WEEK``).
    """
    value = Decimal(str(amount))
    if unit == TimeUnit.WORKING_HOURS:
        return value
    if unit == TimeUnit.CALENDAR_DAYS:
        value = Decimal(math.floor(value * WORKING_DAYS_PER_WEEK / 7))
    return value * hours_per_working_day()


# --- process templates -----------------------------------------------------------------


def _process_error(message, code: str, **details: Any) -> InvalidProcess:
    return InvalidProcess(message, code=code, details=details or None)


def validate_steps(steps: list[Mapping[str, Any]], *, budget_hours: Decimal) -> None:
    """Check a process's steps; raise ``InvalidProcess`` with a code for the first broken rule.

    Each step is a mapping with ``order``, ``code``, ``name``, ``role``,
    ``agency_kind``, ``duration_hours``, ``kind``, ``on_approve`` and
    ``on_refuse`` (step codes or empty). Rules: at least one step; orders
    positive and distinct; codes distinct; one receive step, first; one return
    step, last; known roles and agency kinds; branches point to other steps of
    the same template, approval only forward; durations add up to no more than
    ``budget_hours``.
    """
    if not steps:
        raise _process_error(_("Quy trình phải có ít nhất một bước."), "process_empty")
    ordered = sorted(steps, key=lambda step: _int(step.get("order")))
    orders = [_int(step.get("order")) for step in ordered]
    if any(order <= 0 for order in orders) or len(set(orders)) != len(orders):
        raise _process_error(
            _("Thứ tự các bước phải là số nguyên dương, không trùng nhau."), "process_bad_order"
        )
    codes = [str(step.get("code") or "") for step in ordered]
    if any(not code for code in codes) or len(set(codes)) != len(codes):
        raise _process_error(
            _("Mỗi bước phải có mã riêng, không trùng nhau."), "process_duplicate_step"
        )
    kinds = [step.get("kind") for step in ordered]
    if kinds[0] != StepKind.RECEIVE or kinds.count(StepKind.RECEIVE) != 1:
        raise _process_error(
            _("Quy trình phải có đúng một bước tiếp nhận, là bước đầu tiên."),
            "process_receive_first",
        )
    if kinds[-1] != StepKind.RETURN or kinds.count(StepKind.RETURN) != 1:
        raise _process_error(
            _("Quy trình phải có đúng một bước trả kết quả, là bước cuối cùng."),
            "process_return_last",
        )
    position = {code: index for index, code in enumerate(codes)}
    total = Decimal(0)
    for index, step in enumerate(ordered):
        if step.get("kind") not in StepKind.values:
            raise _process_error(
                _("Bước «%(step)s»: loại bước không hợp lệ.") % {"step": codes[index]},
                "process_bad_kind",
                step=codes[index],
            )
        if step.get("role") not in Role.values or step.get("role") == Role.CITIZEN:
            raise _process_error(
                _("Bước «%(step)s»: vai trò xử lý không hợp lệ.") % {"step": codes[index]},
                "process_bad_role",
                step=codes[index],
            )
        if (step.get("agency_kind") or "") not in ("", *OrganisationKind.values):
            raise _process_error(
                _("Bước «%(step)s»: loại cơ quan xử lý không hợp lệ.") % {"step": codes[index]},
                "process_bad_agency_kind",
                step=codes[index],
            )
        duration = _decimal(step.get("duration_hours"))
        if duration is None or duration < 0:
            raise _process_error(
                _("Bước «%(step)s»: thời gian phải là số giờ không âm.") % {"step": codes[index]},
                "process_bad_duration",
                step=codes[index],
            )
        total += duration
        for branch in ("on_approve", "on_refuse"):
            target = step.get(branch) or ""
            if not target:
                continue
            if target not in position or target == codes[index]:
                raise _process_error(
                    _("Bước «%(step)s»: bước chuyển tiếp «%(target)s» không thuộc quy trình.")
                    % {"step": codes[index], "target": target},
                    "process_bad_branch",
                    step=codes[index],
                )
            if branch == "on_approve" and position[target] <= index:
                raise _process_error(
                    _("Bước «%(step)s»: khi đồng ý chỉ được chuyển tới bước sau.")
                    % {"step": codes[index]},
                    "process_bad_branch",
                    step=codes[index],
                )
    if total > budget_hours:
        raise _process_error(
            _(
                "Tổng thời gian các bước (%(total)s giờ làm việc) vượt thời hạn giải quyết "
                "theo quy định (%(legal)s giờ làm việc)."
            )
            % {"total": _fmt(total), "legal": _fmt(budget_hours)},
            "process_too_long",
            total_hours=_fmt(total),
            legal_hours=_fmt(budget_hours),
        )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _step_dict(step: ProcessStep, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "order": step.order,
        "code": step.code,
        "name": step.name,
        "role": step.role,
        "agency_kind": step.agency_kind,
        "duration_hours": step.duration_hours,
        "kind": step.kind,
        "on_approve": codes.get(step.on_approve_id, ""),
        "on_refuse": codes.get(step.on_refuse_id, ""),
    }


def template_validate(template: ProcessTemplate) -> None:
    """Check a stored template against its procedure's (or case's) legal time and shape."""
    steps = list(template.steps.order_by("order"))
    codes = {step.pk: step.code for step in steps}
    amount, unit = template.procedure.legal_duration(template.case)
    validate_steps(
        [_step_dict(step, codes) for step in steps], budget_hours=legal_hours(amount, unit)
    )


def _write_steps(template: ProcessTemplate, steps: Iterable[Mapping[str, Any]]) -> None:
    """Replace the template's steps by ``steps`` (already validated), keeping rows by code."""
    steps = sorted(steps, key=lambda step: _int(step.get("order")))
    existing = {step.code: step for step in template.steps.all()}
    wanted = {str(step["code"]) for step in steps}
    template.steps.exclude(code__in=wanted).delete()
    # Free the (template, order) slots first: orders may be swapped between codes.
    if existing:
        for offset, step in enumerate(template.steps.all()):
            ProcessStep.objects.filter(pk=step.pk).update(order=10_000 + offset)
    rows: dict[str, ProcessStep] = {}
    for data in steps:
        row = existing.get(str(data["code"])) or ProcessStep(template=template)
        row.order = _int(data["order"])
        row.code = str(data["code"])
        row.name = str(data.get("name") or data["code"])
        row.role = data["role"]
        row.agency_kind = data.get("agency_kind") or ""
        row.duration_hours = _decimal(data["duration_hours"])
        row.kind = data["kind"]
        row.on_approve = None
        row.on_refuse = None
        row.save()
        rows[row.code] = row
    for data in steps:
        row = rows[str(data["code"])]
        row.on_approve = rows.get(data.get("on_approve") or "")
        row.on_refuse = rows.get(data.get("on_refuse") or "")
        row.save(update_fields=["on_approve", "on_refuse"])


def template_save(
    *,
    actor,
    procedure: Procedure,
    case: ProcedureCase | None = None,
    name: str,
    steps: list[Mapping[str, Any]],
) -> ProcessTemplate:
    """Create or replace the process of a procedure (or of one of its cases), validated first."""
    _check_actor(actor, "change")
    if case is not None and case.procedure_id != procedure.pk:
        raise InvalidProcess(_("Trường hợp không thuộc thủ tục này."), code="process_bad_case")
    amount, unit = procedure.legal_duration(case)
    validate_steps(steps, budget_hours=legal_hours(amount, unit))
    with transaction.atomic():
        template = (
            ProcessTemplate.objects.select_for_update()
            .filter(procedure=procedure, case=case)
            .order_by("pk")
            .first()
        )
        created = template is None
        if created:
            template = ProcessTemplate.objects.create(procedure=procedure, case=case, name=name)
        elif template.name != name:
            template.name = name
            template.save(update_fields=["name"])
        _write_steps(template, steps)
        audit_record(
            actor=actor,
            action="process_template.save",
            obj=template,
            changes={
                "procedure": procedure.national_code,
                "case": case.code if case else None,
                "created": created,
                "steps": [
                    {"code": str(s["code"]), "hours": _fmt(_decimal(s["duration_hours"]))}
                    for s in steps
                ],
            },
        )
    return template


# --- procedures ------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "name",
    "field",
    "level",
    "agency_kind",
    "implementing_agency",
    "service_level",
    "processing_time",
    "time_unit",
    "online_processing_time",
    "applicants",
    "steps_note",
    "receiving_note",
    "conditions",
    "fee_note",
    "result_type",
    "legal_basis",
    "is_demo",
    "is_active",
)


def _snapshot(procedure: Procedure) -> dict[str, Any]:
    data = {name: getattr(procedure, name) for name in EDITABLE_FIELDS if name != "field"}
    data["field"] = procedure.field.code if procedure.field_id else None
    data["national_code"] = procedure.national_code
    return {
        key: (_fmt(value) if isinstance(value, Decimal) else value) for key, value in data.items()
    }


def _clean_procedure(procedure: Procedure) -> None:
    import re

    problems: dict[str, str] = {}
    if not re.match(NATIONAL_CODE_PATTERN, procedure.national_code or ""):
        problems["national_code"] = str(_("Mã thủ tục phải có dạng 1.001193."))
    if not (procedure.name or "").strip():
        problems["name"] = str(_("Thiếu tên thủ tục."))
    if procedure.level not in ProcedureLevel.values:
        problems["level"] = str(_("Cấp thực hiện không hợp lệ."))
    if procedure.agency_kind not in OrganisationKind.values:
        problems["agency_kind"] = str(_("Loại cơ quan có thẩm quyền không hợp lệ."))
    if procedure.service_level not in ServiceLevel.values:
        problems["service_level"] = str(_("Mức độ dịch vụ công không hợp lệ."))
    if procedure.time_unit not in TimeUnit.values:
        problems["time_unit"] = str(_("Đơn vị thời hạn không hợp lệ."))
    for name in ("processing_time", "online_processing_time"):
        value = getattr(procedure, name)
        if value is None and name == "online_processing_time":
            continue
        number = _decimal(value)
        if number is None or number < 0 or number >= 1_000_000:
            problems[name] = str(_("Thời hạn phải là số không âm."))
        else:
            setattr(procedure, name, number)
    if problems:
        raise InvalidProcedure(details=problems)


def _coerce_field(value: Field | str) -> Field:
    if isinstance(value, Field):
        return value
    field = Field.objects.filter(code=str(value)).first()
    if field is None:
        raise InvalidProcedure(details={"field": str(_("Không có lĩnh vực mã này."))})
    return field


def procedure_create(*, actor, national_code: str, **fields: Any) -> Procedure:
    """Add a procedure to the catalogue under its national code."""
    _check_actor(actor, "add")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidProcedure(details={name: str(_("Trường không tồn tại.")) for name in unknown})
    if "field" not in fields:
        raise InvalidProcedure(details={"field": str(_("Thiếu lĩnh vực."))})
    fields["field"] = _coerce_field(fields["field"])
    procedure = Procedure(national_code=str(national_code).strip(), **fields)
    _clean_procedure(procedure)
    try:
        with transaction.atomic():
            if Procedure.objects.filter(national_code=procedure.national_code).exists():
                raise InvalidProcedure(
                    _("Đã có thủ tục mang mã này."),
                    code="procedure_exists",
                    details={"national_code": procedure.national_code},
                )
            procedure.save(force_insert=True)
            audit_record(
                actor=actor, action="procedure.create", obj=procedure, changes=_snapshot(procedure)
            )
    except IntegrityError:
        raise InvalidProcedure(
            _("Đã có thủ tục mang mã này."),
            code="procedure_exists",
            details={"national_code": procedure.national_code},
        ) from None
    return procedure


def procedure_update(*, actor, procedure: Procedure | str, **fields: Any) -> Procedure:
    """Change a procedure's fields (not its national code); audits what changed."""
    from tinhso.procedures.errors import ProcedureNotFound

    _check_actor(actor, "change")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidProcedure(details={name: str(_("Trường không tồn tại.")) for name in unknown})
    if "field" in fields:
        fields["field"] = _coerce_field(fields["field"])
    code = procedure.national_code if isinstance(procedure, Procedure) else str(procedure)
    with transaction.atomic():
        row = Procedure.objects.select_for_update().filter(national_code=code).first()
        if row is None:
            raise ProcedureNotFound()
        before = _snapshot(row)
        for name, value in fields.items():
            setattr(row, name, value)
        _clean_procedure(row)
        row.save()
        after = _snapshot(row)
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        audit_record(actor=actor, action="procedure.update", obj=row, changes=changes)
    return row
