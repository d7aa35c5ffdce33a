"""Public investment over HTTP (mounted at ``/api/v1/investment/``).

Everything is scoped: a project owner reaches their organisation's projects, a
leader those in their units' subtree; another owner's project answers 404.
Writes take the ``expected_version`` of the project the client showed and
answer 409 ``stale_version`` when it changed since (docs/investment.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tinhso.core.auth import api_auth
from tinhso.investment import services
from tinhso.investment.choices import DisbursementKind
from tinhso.investment.models import Alert
from tinhso.investment.selectors import (
    alerts_for,
    disbursements_for,
    plan_lines_for,
    project_for,
    projects_for,
)
from tinhso.investment.selectors import measures as m

router = Router(tags=["investment"])
PAGE_SIZE = 50


class ProjectOut(Schema):
    code: str
    name: str
    tier: str
    owner: str
    owner_code: str
    unit_code: str
    unit_name: str
    sector: str
    group: str
    phase: str
    total_investment: int
    start_year: int | None
    end_year: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    version: int


class ProjectPage(Schema):
    count: int
    page: int
    results: list[ProjectOut]


class PlanLineOut(Schema):
    id: int
    plan: str
    year: int | None
    source: str
    assigned_by: str
    kind: str
    amount: int
    deadline: dt.date | None


class DisbursementOut(Schema):
    id: int
    plan_line: int
    project: str
    date: dt.date
    amount: int
    kind: str
    status: str
    treasury_reference: str
    project_version: int


class FiguresOut(Schema):
    key: str | int | None
    label: str
    plan_pm: int
    plan: int
    disbursed: int
    rate_pm: float | None
    rate: float | None
    projects: int


class ProjectMeasuresOut(Schema):
    plan_pm: int
    plan: int
    disbursed: int
    rate_pm: float | None
    rate: float | None
    target: float
    gap: float | None
    deadline: dt.date
    days_to_deadline: int
    allocation_years_over: int


class ProjectDetailOut(ProjectOut):
    plan_lines: list[PlanLineOut]
    disbursements: list[DisbursementOut]
    measures: ProjectMeasuresOut


class CurvePointOut(Schema):
    month: int
    date: dt.date
    target: float
    disbursed: int | None
    rate: float | None
    rate_pm: float | None


class OverrunOut(Schema):
    code: str
    group: str
    start_year: int | None
    years_over: int
    plan: int


class OverviewOut(Schema):
    year: int
    as_of: dt.date
    total: FiguresOut
    target: float
    gap: float | None
    deadline: dt.date
    days_to_deadline: int
    by_source: list[FiguresOut]
    by_tier: list[FiguresOut]
    by_owner: list[FiguresOut]
    by_unit: list[FiguresOut]
    behind: FiguresOut
    overrun: list[OverrunOut]
    carried_over: FiguresOut
    curve: list[CurvePointOut]


class MeasuresIn(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    as_of: dt.date | None = None
    confirmed_only: bool = False


class ProjectsIn(Schema):
    q: str = Field("", max_length=100)
    tier: str = Field("", max_length=16)
    page: int = Field(1, ge=1, le=100_000)


class ProjectUpdateIn(Schema):
    expected_version: int
    name: str | None = Field(None, max_length=500)
    phase: str | None = Field(None, max_length=16)
    start_year: int | None = None
    end_year: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str | None = Field(None, max_length=10_000)
    total_investment: int | None = None


class DisbursementIn(Schema):
    plan_line: int
    date: dt.date
    amount: int
    kind: str = DisbursementKind.PAYMENT
    treasury_reference: str = Field("", max_length=64)
    note: str = Field("", max_length=500)
    expected_version: int | None = None


class ConfirmIn(Schema):
    confirmed: bool = True
    reason: str = Field("", max_length=500)


class AlertOut(Schema):
    id: int
    project: str
    owner: str
    kind: str
    period: str
    severity: str
    message: str
    evidence: dict
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None


class AlertsIn(Schema):
    open: bool = True
    project: str = Field("", max_length=32)
    page: int = Field(1, ge=1, le=100_000)


class AlertPage(Schema):
    count: int
    page: int
    results: list[AlertOut]


def _project(p) -> dict:
    return {
        "code": p.code,
        "name": p.name,
        "tier": p.tier,
        "owner": p.owner.name,
        "owner_code": p.owner.identifier_code,
        "unit_code": p.unit.code,
        "unit_name": p.unit.full_name,
        "sector": p.sector,
        "group": p.group,
        "phase": p.phase,
        "total_investment": p.total_investment,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "version": p.version,
    }


def _figures(f: m.Figures) -> dict:
    data = f.as_dict()
    data["key"] = data["key"] if isinstance(data["key"], int | str) else None
    data["rate"] = float(f.rate) if f.rate is not None else None
    data["rate_pm"] = float(f.rate_pm) if f.rate_pm is not None else None
    return data


def _num(value) -> float | None:
    return float(value) if value is not None else None


def _year_as_of(year: int | None, as_of: dt.date | None) -> tuple[int, dt.date]:
    today = timezone.localdate()
    as_of = as_of or today
    return (year or as_of.year), as_of


def _disbursement(row, version: int | None = None) -> dict:
    return {
        "id": row.pk,
        "plan_line": row.plan_line_id,
        "project": row.project.code,
        "date": row.date,
        "amount": row.amount,
        "kind": row.kind,
        "status": row.status,
        "treasury_reference": row.treasury_reference,
        "project_version": version if version is not None else row.project.version,
    }


@router.get("/projects", response=ProjectPage, auth=api_auth, summary="Danh sách dự án")
def project_list(request, params: Query[ProjectsIn]):
    queryset = projects_for(request.auth, search=params.q.strip(), tier=params.tier)
    page = params.page
    rows = list(queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"count": queryset.count(), "page": page, "results": [_project(p) for p in rows]}


@router.get("/projects/{code}", response=ProjectDetailOut, auth=api_auth, summary="Chi tiết dự án")
def project_detail(request, code: str, params: Query[MeasuresIn]):
    user = request.auth
    project = project_for(user, code=code)
    year, as_of = _year_as_of(params.year, params.as_of)
    figures = m.project_measures(user, project, year=year, as_of=as_of)
    return {
        **_project(project),
        "plan_lines": [
            {
                "id": line.pk,
                "plan": str(line.plan),
                "year": line.year,
                "source": line.source,
                "assigned_by": line.assigned_by,
                "kind": line.kind,
                "amount": line.amount,
                "deadline": line.deadline,
            }
            for line in plan_lines_for(user, project)
        ],
        "disbursements": [
            _disbursement(row, project.version) for row in disbursements_for(user, project)[:100]
        ],
        "measures": {
            **figures,
            "rate": _num(figures["rate"]),
            "rate_pm": _num(figures["rate_pm"]),
            "target": float(figures["target"]),
            "gap": _num(figures["gap"]),
        },
    }


@router.patch(
    "/projects/{code}", response=ProjectOut, auth=api_auth, summary="Cập nhật thông tin dự án"
)
def project_patch(request, code: str, payload: ProjectUpdateIn):
    user = request.auth
    project = project_for(user, code=code)
    data = payload.dict(exclude_unset=True)
    expected = data.pop("expected_version")
    total = data.pop("total_investment", None)
    project = services.project_update(
        actor=user,
        project_id=project.pk,
        expected_version=expected,
        changes=data,
        total_investment=total,
    )
    return _project(project)


@router.get("/measures", response=OverviewOut, auth=api_auth, summary="Số liệu giải ngân")
def measures_overview(request, params: Query[MeasuresIn]):
    year, as_of = _year_as_of(params.year, params.as_of)
    result = m.overview(request.auth, year=year, as_of=as_of, confirmed_only=params.confirmed_only)
    return {
        "year": result.year,
        "as_of": result.as_of,
        "total": _figures(result.total),
        "target": float(result.target),
        "gap": _num(result.gap),
        "deadline": result.deadline,
        "days_to_deadline": result.days_to_deadline,
        "by_source": [_figures(f) for f in result.by_source],
        "by_tier": [_figures(f) for f in result.by_tier],
        "by_owner": [_figures(f) for f in result.by_owner],
        "by_unit": [_figures(f) for f in result.by_unit],
        "behind": _figures(result.behind),
        "overrun": result.overrun,
        "carried_over": _figures(result.carried_over),
        "curve": [
            {
                **point,
                "target": float(point["target"]),
                "rate": _num(point["rate"]),
                "rate_pm": _num(point["rate_pm"]),
            }
            for point in result.curve
        ],
    }


@router.post(
    "/disbursements",
    response={201: DisbursementOut},
    auth=api_auth,
    summary="Báo cáo một khoản giải ngân",
)
def disbursement_create(request, payload: DisbursementIn):
    row = services.disbursement_record(
        actor=request.auth,
        plan_line_id=payload.plan_line,
        date=payload.date,
        amount=payload.amount,
        kind=payload.kind,
        treasury_reference=payload.treasury_reference,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return Status(201, _disbursement(row, row.project.version))


@router.post(
    "/disbursements/{disbursement_id}/confirm",
    response=DisbursementOut,
    auth=api_auth,
    summary="Xác nhận hoặc từ chối khoản giải ngân",
)
def disbursement_confirm(request, disbursement_id: int, payload: ConfirmIn):
    row = services.disbursement_confirm(
        actor=request.auth,
        disbursement_id=disbursement_id,
        confirmed=payload.confirmed,
        reason=payload.reason,
    )
    return _disbursement(row)


def _alert(a) -> dict:
    return {
        "id": a.pk,
        "project": a.project.code,
        "owner": a.project.owner.name,
        "kind": a.kind,
        "period": a.period,
        "severity": a.severity,
        "message": a.message,
        "evidence": a.evidence,
        "created_at": a.created_at,
        "acknowledged_at": a.acknowledged_at,
        "closed_at": a.closed_at,
    }


@router.get("/alerts", response=AlertPage, auth=api_auth, summary="Cảnh báo")
def alert_list(request, params: Query[AlertsIn]):
    queryset = alerts_for(request.auth, open_only=params.open)
    if params.project:
        queryset = queryset.filter(project__code=params.project)
    page = params.page
    rows = list(queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"count": queryset.count(), "page": page, "results": [_alert(a) for a in rows]}


@router.post(
    "/alerts/{alert_id}/ack", response=AlertOut, auth=api_auth, summary="Xác nhận đã xem cảnh báo"
)
def alert_ack(request, alert_id: int):
    alert = services.alert_acknowledge(actor=request.auth, alert_id=alert_id)
    return _alert(Alert.objects.select_related("project", "project__owner").get(pk=alert.pk))
