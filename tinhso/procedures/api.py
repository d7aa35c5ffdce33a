"""Procedure catalogue API: public reads of procedures and fields."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tinhso.core.exceptions import ValidationError
from tinhso.procedures import selectors
from tinhso.procedures.choices import ProcedureLevel, ServiceLevel
from tinhso.procedures.models import Procedure

router = Router(tags=["procedures"])


class FieldOut(Schema):
    code: str
    name: str
    procedure_count: int | None = None


class ProcedureSummary(Schema):
    national_code: str
    name: str
    field: FieldOut
    level: str
    level_label: str
    agency_kind: str
    service_level: str
    service_level_label: str
    processing_time: float
    time_unit: str
    time_unit_label: str
    is_demo: bool


class ProcedurePage(Schema):
    count: int
    items: list[ProcedureSummary]


class CaseOut(Schema):
    code: str
    name: str
    processing_time: float
    time_unit: str


class FeeOut(Schema):
    case: str | None
    name: str
    kind: str
    amount: int
    note: str


class ComponentOut(Schema):
    code: str
    case: str | None
    name: str
    originals: int
    copies: int
    required: bool
    reusable: bool
    template_name: str
    template_url: str | None
    accepted_types: list[str]
    max_size_mb: int


class StepOut(Schema):
    order: int
    code: str
    name: str
    role: str
    agency_kind: str
    duration_hours: float
    kind: str
    on_approve: str | None
    on_refuse: str | None


class TemplateOut(Schema):
    case: str | None
    name: str
    steps: list[StepOut]


class ProcedureDetail(ProcedureSummary):
    agency_kind_label: str
    implementing_agency: str
    online_processing_time: float | None
    applicants: str
    steps_note: str
    receiving_note: str
    conditions: str
    fee_note: str
    result_type: str
    legal_basis: str
    cases: list[CaseOut]
    fees: list[FeeOut]
    components: list[ComponentOut]
    templates: list[TemplateOut]


class ProcedureFilter(Schema):
    q: str = ""
    level: ProcedureLevel | None = None
    field: str = ""
    service_level: ServiceLevel | None = None
    agency_kind: str = ""
    limit: int = 20
    offset: int = 0


def _user(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _summary(procedure: Procedure) -> dict:
    return {
        "national_code": procedure.national_code,
        "name": procedure.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "level": procedure.level,
        "level_label": str(procedure.get_level_display()),
        "agency_kind": procedure.agency_kind,
        "service_level": procedure.service_level,
        "service_level_label": str(procedure.get_service_level_display()),
        "processing_time": float(procedure.processing_time),
        "time_unit": procedure.time_unit,
        "time_unit_label": str(procedure.get_time_unit_display()),
        "is_demo": procedure.is_demo,
    }


def procedure_detail_dict(procedure: Procedure) -> dict:
    """The full public record of a procedure (prefetched by ``selectors.get_procedure``)."""
    data = _summary(procedure)
    data.update(
        agency_kind_label=str(procedure.get_agency_kind_display()),
        implementing_agency=procedure.implementing_agency,
        online_processing_time=(
            float(procedure.online_processing_time)
            if procedure.online_processing_time is not None
            else None
        ),
        applicants=procedure.applicants,
        steps_note=procedure.steps_note,
        receiving_note=procedure.receiving_note,
        conditions=procedure.conditions,
        fee_note=procedure.fee_note,
        result_type=procedure.result_type,
        legal_basis=procedure.legal_basis,
    )
    cases = {case.pk: case for case in procedure.cases.all()}
    data["cases"] = [
        {
            "code": case.code,
            "name": case.name,
            "processing_time": float(procedure.legal_duration(case)[0]),
            "time_unit": procedure.legal_duration(case)[1],
        }
        for case in cases.values()
    ]
    data["fees"] = [
        {
            "case": cases[fee.case_id].code if fee.case_id else None,
            "name": fee.name,
            "kind": fee.kind,
            "amount": fee.amount,
            "note": fee.note,
        }
        for fee in procedure.fee_items.all()
    ]
    data["components"] = [
        {
            "code": item.code,
            "case": cases[item.case_id].code if item.case_id else None,
            "name": item.name,
            "originals": item.originals,
            "copies": item.copies,
            "required": item.required,
            "reusable": item.reusable,
            "template_name": item.template_name,
            "template_url": item.template_file.url if item.template_file else None,
            "accepted_types": item.extensions,
            "max_size_mb": item.max_size_mb,
        }
        for item in procedure.components.all()
    ]
    templates = []
    for template in procedure.templates.all():
        steps = list(template.steps.all())
        codes = {step.pk: step.code for step in steps}
        templates.append(
            {
                "case": cases[template.case_id].code if template.case_id else None,
                "name": template.name,
                "steps": [
                    {
                        "order": step.order,
                        "code": step.code,
                        "name": step.name,
                        "role": step.role,
                        "agency_kind": step.agency_kind,
                        "duration_hours": float(step.duration_hours),
                        "kind": step.kind,
                        "on_approve": codes.get(step.on_approve_id),
                        "on_refuse": codes.get(step.on_refuse_id),
                    }
                    for step in steps
                ],
            }
        )
    data["templates"] = templates
    return data


@router.get(
    "/procedures",
    response=ProcedurePage,
    auth=None,
    summary="Tìm thủ tục hành chính",
    description="Tìm theo tên hoặc mã (`q`, không phân biệt dấu và hoa thường), lọc theo cấp "
    "thực hiện, lĩnh vực (mã), mức độ dịch vụ công, loại cơ quan.",
)
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilter]):
    if not 1 <= filters.limit <= selectors.MAX_LIMIT or filters.offset < 0:
        raise ValidationError(
            _("Tham số limit phải từ 1 đến %(max)d và offset không âm.")
            % {"max": selectors.MAX_LIMIT},
            code="invalid_pagination",
        )
    items, count = selectors.procedure_search(
        filters.q[:200],
        user=_user(request),
        level=filters.level.value if filters.level else "",
        field=filters.field[:32],
        service_level=filters.service_level.value if filters.service_level else "",
        agency_kind=filters.agency_kind[:32],
        limit=filters.limit,
        offset=filters.offset,
    )
    return {"count": count, "items": [_summary(item) for item in items]}


@router.get(
    "/procedures/fields",
    response=list[FieldOut],
    auth=None,
    summary="Danh sách lĩnh vực",
)
def list_fields(request: HttpRequest):
    return [
        {"code": item.code, "name": item.name, "procedure_count": item.procedure_count}
        for item in selectors.field_list(user=_user(request), with_counts=True)
    ]


@router.get(
    "/procedures/{national_code}",
    response=ProcedureDetail,
    auth=None,
    summary="Chi tiết một thủ tục theo mã",
    description="Thời hạn, phí và lệ phí, thành phần hồ sơ, trường hợp và quy trình xử lý.",
)
def procedure_detail(request: HttpRequest, national_code: str):
    return procedure_detail_dict(selectors.get_procedure(national_code, user=_user(request)))
