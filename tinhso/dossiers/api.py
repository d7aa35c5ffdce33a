"""One-stop dossiers over HTTP (mounted at ``/api/v1/dossiers/``).

Submitting and supplementing take ``multipart/form-data`` (files named by
component code); every other body is JSON. Submitting needs an
``Idempotency-Key`` header: the same key from the same account returns the
first dossier (201 the first time, 200 after). Public tracking needs no sign-in.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tinhso.core.auth import api_auth
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.permissions import require
from tinhso.dossiers import selectors
from tinhso.dossiers.actions import ACTIONS, dossier_act
from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.errors import IdempotencyKeyRequired
from tinhso.dossiers.models import Dossier

router = Router(tags=["dossiers"])


class Ref(Schema):
    code: str
    name: str


class FileOut(Schema):
    id: str
    component: str
    name: str
    size: int
    content_type: str
    supplement: bool


class SupplementOut(Schema):
    requested_at: dt.datetime
    reason: str
    items: list[str]
    resolved_at: dt.datetime | None


class DossierItem(Schema):
    code: str
    version: int
    status: str
    status_label: str
    procedure: Ref
    applicant_name: str
    channel: str
    receiving_organisation: Ref
    competent_organisation: Ref
    current_organisation: Ref | None
    current_role: str
    step_code: str
    assignee: str | None
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    step_due_at: dt.datetime | None
    paused: bool
    supplement_count: int


class DossierOut(DossierItem):
    case: str | None
    unit: str
    applicant_id_number_masked: str
    applicant_phone: str
    applicant_email: str
    form_data: dict[str, Any]
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    returned_late: bool | None
    paused_since: dt.datetime | None
    paused_hours: float
    refusal_reason: str
    files: list[FileOut]
    supplements: list[SupplementOut]
    actions: list[str] = Field(description="Thao tác người đang đăng nhập được thực hiện")


class DossierPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DossierItem]


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    step_code: str
    actor: str
    organisation: str | None
    note: str
    at: dt.datetime
    data: dict[str, Any]


class TrackOut(Schema):
    code: str
    status: str
    status_label: str
    procedure: Ref
    applicant_name_masked: str
    receiving_organisation: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplement_requested: bool
    history: list[dict[str, Any]]


class ActIn(Schema):
    expected_version: int | None = Field(
        None, description="Phiên bản hồ sơ người dùng đã thấy; sai thì 409 stale_version"
    )
    reason: str = ""
    note: str = ""
    items: list[str] = []
    assignee: int | None = None
    organisation: str = ""


def _ref(organisation) -> Ref | None:
    if organisation is None:
        return None
    return Ref(code=organisation.identifier_code, name=organisation.name)


def _item_fields(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "version": dossier.version,
        "status": dossier.status,
        "status_label": str(DossierStatus(dossier.status).label),
        "procedure": Ref(code=dossier.procedure.national_code, name=dossier.procedure.name),
        "applicant_name": dossier.applicant.full_name,
        "channel": dossier.channel,
        "receiving_organisation": _ref(dossier.receiving_organisation),
        "competent_organisation": _ref(dossier.competent_organisation),
        "current_organisation": _ref(dossier.current_organisation),
        "current_role": dossier.current_role,
        "step_code": dossier.step_code,
        "assignee": str(dossier.assignee) if dossier.assignee_id else None,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "step_due_at": dossier.step_due_at,
        "paused": dossier.paused_since is not None,
        "supplement_count": dossier.supplement_count,
    }


def _item(dossier: Dossier) -> DossierItem:
    return DossierItem(**_item_fields(dossier))


def _detail(dossier: Dossier, user) -> DossierOut:
    files = [
        FileOut(
            id=str(row.stored_file_id),
            component=row.component.code,
            name=row.stored_file.original_name,
            size=row.stored_file.size,
            content_type=row.stored_file.content_type,
            supplement=row.supplement_id is not None,
        )
        for row in selectors.dossier_files(dossier)
    ]
    supplements = [
        SupplementOut(
            requested_at=s.requested_at, reason=s.reason, items=s.items, resolved_at=s.resolved_at
        )
        for s in dossier.supplements.order_by("requested_at", "id")
    ]
    return DossierOut(
        **_item_fields(dossier),
        case=dossier.case.code if dossier.case_id else None,
        unit=dossier.unit.code,
        applicant_id_number_masked=dossier.applicant.masked_id_number,
        applicant_phone=dossier.applicant_phone,
        applicant_email=dossier.applicant_email,
        form_data=dossier.form_data,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        returned_late=dossier.returned_late,
        paused_since=dossier.paused_since,
        paused_hours=(dossier.paused_total or dt.timedelta(0)).total_seconds() / 3600,
        refusal_reason=dossier.refusal_reason,
        files=files,
        supplements=supplements,
        actions=selectors.available_actions(user, dossier),
    )


def _page(items, total, limit, offset) -> DossierPage:
    return DossierPage(
        count=total,
        limit=max(1, min(int(limit), selectors.MAX_LIMIT)),
        offset=max(0, int(offset)),
        items=[_item(d) for d in items],
    )


def _files_by_component(request) -> dict[str, list]:
    return {key: request.FILES.getlist(key) for key in request.FILES}


def _form_data(raw: str | None) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValidationError(
            _("Trường form_data phải là JSON hợp lệ."), code="invalid_form_data"
        ) from None
    if not isinstance(value, dict):
        raise ValidationError(_("Tờ khai phải là một đối tượng JSON."), code="invalid_form_data")
    return value


def _papers(raw: str | None) -> dict[str, int] | None:
    """``papers``: JSON object mapping a component code to the id of one of the applicant's results."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        raise ValidationError(
            _(
                "Trường papers phải là đối tượng JSON ghép mã thành phần với mã số "
                "giấy tờ (số nguyên) trong kho giấy tờ."
            ),
            code="invalid_papers",
        )
    return {str(k)[:64]: v for k, v in list(value.items())[:50]}


SUBMIT_FIELDS = frozenset(
    {
        "papers",
        "procedure",
        "case",
        "unit",
        "channel",
        "receiving_organisation",
        "applicant_id_number",
        "applicant_phone",
        "applicant_email",
        "form_data",
    }
)


@router.post(
    "",
    response={200: DossierOut, 201: DossierOut},
    auth=api_auth,
    summary="Nộp hồ sơ",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "schema": {"type": "string", "minLength": 8, "maxLength": 64},
                "description": "Khoá chống gửi trùng: gửi lại cùng khoá trả về hồ sơ đã tạo",
            }
        ],
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["procedure", "unit"],
                        "properties": {
                            "procedure": {"type": "string", "description": "Mã thủ tục"},
                            "case": {"type": "string", "description": "Mã trường hợp"},
                            "unit": {"type": "string", "description": "Mã đơn vị hành chính"},
                            "channel": {"type": "string", "enum": list(Channel.values)},
                            "receiving_organisation": {
                                "type": "string",
                                "description": "Mã định danh nơi tiếp nhận (phi địa giới)",
                            },
                            "applicant_id_number": {
                                "type": "string",
                                "description": "CCCD người nộp (cán bộ một cửa nộp thay)",
                            },
                            "applicant_phone": {"type": "string"},
                            "applicant_email": {"type": "string"},
                            "form_data": {"type": "string", "description": "Tờ khai (JSON)"},
                            "papers": {
                                "type": "string",
                                "description": (
                                    "Giấy tờ dùng lại từ kho giấy tờ (JSON): mã thành phần → "
                                    "mã số kết quả (id trong GET /api/v1/dossiers/results/mine); "
                                    "chỉ cho thành phần cho phép dùng lại"
                                ),
                                "example": '{"to-khai": 12}',
                            },
                        },
                        "additionalProperties": {
                            "type": "string",
                            "format": "binary",
                            "description": "Tệp của thành phần hồ sơ, tên trường là mã thành phần",
                        },
                    }
                }
            },
            "required": True,
        },
    },
)
def dossier_submit_endpoint(request):
    """A citizen submits online; a desk officer submits in person or by post for a citizen.

    Files are fields named by the component's code (several files per component
    allowed); unknown fields are refused (``unknown_field``).
    """
    from tinhso.core.choices import Role, UnitVersion
    from tinhso.core.models import AdministrativeUnit, Citizen, Organisation
    from tinhso.dossiers.services import dossier_submit
    from tinhso.procedures.selectors import get_procedure

    user = request.auth
    require(user, Dossier, "add")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise IdempotencyKeyRequired()
    post = request.POST
    unknown = sorted(k[:64] for k in post if k not in SUBMIT_FIELDS)
    if unknown:
        from tinhso.dossiers.errors import UnknownField

        raise UnknownField(
            _("Hồ sơ có trường không thuộc thủ tục: %(fields)s.")
            % {"fields": ", ".join(unknown[:10])},
            details={"fields": unknown[:10]},
        )
    procedure = get_procedure(post.get("procedure", ""))
    case = None
    if post.get("case"):
        case = procedure.cases.filter(code=post["case"][:64]).first()
        if case is None:
            raise ValidationError(_("Trường hợp không thuộc thủ tục này."), code="invalid_case")
    unit = AdministrativeUnit.objects.filter(
        version=UnitVersion.POST_2025, code=post.get("unit", "")[:5]
    ).first()
    if unit is None:
        from tinhso.dossiers.errors import InvalidUnit

        raise InvalidUnit()
    channel = post.get("channel") or (
        Channel.ONLINE if user.role == Role.CITIZEN else Channel.IN_PERSON
    )
    if user.role == Role.CITIZEN:
        applicant = user.citizen
        if applicant is None:
            from tinhso.dossiers.errors import CitizenRequired

            raise CitizenRequired()
    else:
        applicant = Citizen.objects.filter(
            id_number=post.get("applicant_id_number", "")[:12]
        ).first()
        if applicant is None:
            raise ValidationError(
                _("Không tìm thấy công dân có số định danh này; hãy đăng ký công dân trước."),
                code="applicant_not_found",
            )
    receiving = None
    if post.get("receiving_organisation"):
        receiving = Organisation.objects.filter(
            identifier_code=post["receiving_organisation"][:32]
        ).first()
        if receiving is None:
            from tinhso.dossiers.errors import InvalidReceivingOrganisation

            raise InvalidReceivingOrganisation()
    existed = Dossier.objects.filter(submitted_by=user, idempotency_key=key).exists()
    dossier = dossier_submit(
        actor=user,
        procedure=procedure,
        case=case,
        applicant=applicant,
        channel=channel,
        receiving_organisation=receiving,
        unit=unit,
        form_data=_form_data(post.get("form_data")),
        files=_files_by_component(request),
        idempotency_key=key,
        applicant_phone=post.get("applicant_phone", ""),
        applicant_email=post.get("applicant_email", ""),
        papers=_papers(post.get("papers")),
    )
    dossier = selectors.dossier_get_for(user, dossier.code)
    return Status(200 if existed else 201, _detail(dossier, user))


@router.get("", response=DossierPage, auth=api_auth, summary="Danh sách hồ sơ")
def dossier_list(
    request,
    status: str = "",
    q: str = "",
    procedure: str = "",
    mine: bool = False,
    limit: int = 20,
    offset: int = 0,
):
    """A citizen's own dossiers; an official's within their scope (``mine``: assigned to them)."""
    if status and status not in DossierStatus.values:
        raise ValidationError(_("Trạng thái không hợp lệ."), code="invalid_status")
    items, total = selectors.dossier_list_for(
        request.auth, status=status, q=q, procedure=procedure, mine=mine, limit=limit, offset=offset
    )
    return _page(items, total, limit, offset)


@router.get("/inbox", response=DossierPage, auth=api_auth, summary="Hồ sơ chờ xử lý")
def dossier_inbox(request, limit: int = 20, offset: int = 0):
    """Dossiers at a step of the user's role in their organisation, or assigned to them."""
    items, total = selectors.inbox_for(request.auth, limit=limit, offset=offset)
    return _page(items, total, limit, offset)


@router.get("/due-soon", response=DossierPage, auth=api_auth, summary="Hồ sơ sắp đến hạn")
def dossier_due_soon(request, within_hours: float = 8, limit: int = 20, offset: int = 0):
    items, total = selectors.due_soon_for(
        request.auth, within_hours=within_hours, limit=limit, offset=offset
    )
    return _page(items, total, limit, offset)


@router.get("/overdue", response=DossierPage, auth=api_auth, summary="Hồ sơ quá hạn")
def dossier_overdue(request, limit: int = 20, offset: int = 0):
    items, total = selectors.overdue_for(request.auth, limit=limit, offset=offset)
    return _page(items, total, limit, offset)


@router.get("/track", response=TrackOut, summary="Tra cứu hồ sơ (không cần đăng nhập)")
def dossier_track(request, code: str = "", id_number: str = ""):
    """By dossier code plus the applicant's ID number; a wrong pair is the same 404 as a
    missing code, and too many failures from one address give 429 ``too_many_attempts``."""
    from django.utils.translation import gettext

    dossier = selectors.dossier_track(code, id_number)
    name = dossier.applicant.full_name.split()
    masked_name = " ".join([*(part[0] + "." for part in name[:-1]), name[-1]]) if name else ""
    history = [
        {
            "at": event.at,
            "status": event.to_status,
            "status_label": str(DossierStatus(event.to_status).label) if event.to_status else "",
        }
        for event in dossier.events.order_by("at", "id")
        if event.from_status != event.to_status
    ]
    return TrackOut(
        code=dossier.code,
        status=dossier.status,
        status_label=gettext(DossierStatus(dossier.status).label),
        procedure=Ref(code=dossier.procedure.national_code, name=dossier.procedure.name),
        applicant_name_masked=masked_name,
        receiving_organisation=dossier.receiving_organisation.name,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        supplement_requested=dossier.status == DossierStatus.SUPPLEMENT_REQUESTED,
        history=history,
    )


@router.get("/{code}", response=DossierOut, auth=api_auth, summary="Chi tiết hồ sơ")
def dossier_detail(request, code: str):
    return _detail(selectors.dossier_get_for(request.auth, code), request.auth)


@router.get("/{code}/history", response=list[EventOut], auth=api_auth, summary="Lịch sử xử lý")
def dossier_history(request, code: str):
    dossier = selectors.dossier_get_for(request.auth, code)
    return [
        EventOut(
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            step_code=e.step_code,
            actor=e.actor_label,
            organisation=e.organisation.name if e.organisation_id else None,
            note=e.note,
            at=e.at,
            data=e.data,
        )
        for e in selectors.dossier_history(dossier)
    ]


@router.post(
    "/{code}/actions/{action}",
    response=DossierOut,
    auth=api_auth,
    summary="Thực hiện thao tác trên hồ sơ",
    description="Thao tác: " + ", ".join(ACTIONS.names()),
)
def dossier_action(request, code: str, action: str, payload: ActIn):
    """One workflow action; send the ``version`` you saw as ``expected_version``."""
    user = request.auth
    dossier = selectors.dossier_get_for(user, code)
    if action == "submit_supplement":
        raise ValidationError(
            _("Nộp bổ sung gửi tệp qua địa chỉ /supplement (multipart/form-data)."),
            code="use_supplement_endpoint",
        )
    params = payload.dict(exclude={"expected_version"})
    dossier = dossier_act(
        actor=user,
        dossier=dossier,
        action=action,
        expected_version=payload.expected_version,
        **params,
    )
    return _detail(selectors.dossier_get_for(user, dossier.code), user)


@router.post(
    "/{code}/supplement",
    response=DossierOut,
    auth=api_auth,
    summary="Nộp bổ sung hồ sơ (tệp)",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "expected_version": {"type": "integer"},
                            "note": {"type": "string"},
                        },
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                }
            }
        }
    },
)
def dossier_supplement(request, code: str):
    user = request.auth
    dossier = selectors.dossier_get_for(user, code)
    post = request.POST
    unknown = sorted(k[:64] for k in post if k not in ("expected_version", "note"))
    if unknown:
        from tinhso.dossiers.errors import UnknownField

        raise UnknownField(details={"fields": unknown[:10]})
    version = post.get("expected_version")
    if version not in (None, "") and not str(version).isdigit():
        raise ValidationError(_("Phiên bản phải là số nguyên."), code="invalid_input")
    dossier = dossier_act(
        actor=user,
        dossier=dossier,
        action="submit_supplement",
        expected_version=int(version) if version not in (None, "") else None,
        files=_files_by_component(request),
        note=post.get("note", ""),
    )
    return _detail(selectors.dossier_get_for(user, dossier.code), user)


@router.get("/{code}/files/{file_id}", auth=api_auth, summary="Tải tệp của hồ sơ")
def dossier_file(request, code: str, file_id: str):
    from tinhso.core.files import file_response

    row = selectors.dossier_file_for(request.auth, code, file_id)
    return file_response(request, row.stored_file)


@router.get("/{code}/receipt.pdf", auth=api_auth, summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
def dossier_receipt(request, code: str):
    """The receipt (form 01) once received, or the refusal notice after a refusal at receipt."""
    from tinhso.dossiers.receipts import receipt_pdf

    dossier = selectors.dossier_get_for(request.auth, code)
    pdf, filename = receipt_pdf(dossier, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = ["NotFound", "PermissionDenied", "router"]
