"""Decision 766 indicators over HTTP (mounted at ``/api/v1/ioc/``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tinhso.core.auth import api_auth
from tinhso.core.exceptions import NotFound
from tinhso.ioc import indicators
from tinhso.ioc.paging import page_of

router = Router(tags=["ioc"])


class ReportIn(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    unit: str | None = None
    organisation: str | None = None
    page: int = Field(1, ge=1, le=100_000)


class IndicatorOut(Schema):
    code: str
    name: str
    measured: bool
    numerator: int | None
    denominator: int | None
    rate: float | None
    points: float | None
    max_points: float
    threshold: float
    source: str
    confirmed: bool
    note: str


class GroupOut(Schema):
    code: str
    name: str
    max_points: int
    points: float
    measured_max: float
    indicators: list[IndicatorOut]


class ReportOut(Schema):
    date_from: dt.date
    date_to: dt.date
    total: float
    measured_max: float
    apologies: int
    groups: list[GroupOut]


class DossierRow(Schema):
    code: str | None
    status: str
    channel: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    supplement_count: int


class DrillOut(Schema):
    count: int = Field(description="Số hồ sơ, tối đa 10.000 (xem count_capped).")
    count_capped: bool = Field(
        description="Danh sách có hơn 10.000 hồ sơ; số chính xác ở bộ chỉ số."
    )
    page: int
    has_next: bool
    results: list[DossierRow]


def _filters(unit: str | None, organisation: str | None) -> dict:
    from tinhso.core.choices import UnitVersion
    from tinhso.core.models import AdministrativeUnit, Organisation

    out = {}
    if unit:
        found = AdministrativeUnit.objects.filter(version=UnitVersion.POST_2025, code=unit).first()
        if found is None:
            raise NotFound(_("Không tìm thấy đơn vị hành chính."))
        out["unit"] = found
    if organisation:
        found = Organisation.objects.filter(identifier_code=organisation).first()
        if found is None:
            raise NotFound(_("Không tìm thấy cơ quan."))
        out["organisation"] = found
    return out


def _indicator(result) -> dict:
    definition = result.definition
    return {
        "code": definition.code,
        "name": str(definition.name),
        "measured": definition.measured,
        "numerator": result.numerator,
        "denominator": result.denominator,
        "rate": float(result.rate) if result.rate is not None else None,
        "points": float(result.points) if result.points is not None else None,
        "max_points": float(definition.max_points),
        "threshold": float(definition.threshold),
        "source": definition.source,
        "confirmed": definition.confirmed,
        "note": result.note,
    }


@router.get(
    "/indicators-766", response=ReportOut, auth=api_auth, summary="Bộ chỉ số 766 của một kỳ"
)
def indicators_766(
    request,
    params: Query[ReportIn],
):
    period = indicators.make_period(params.date_from, params.date_to)
    report = indicators.compute(request.auth, period, **_filters(params.unit, params.organisation))
    return {
        "date_from": period.first,
        "date_to": period.last,
        "total": float(report.total),
        "measured_max": float(report.measured_max),
        "apologies": report.apologies,
        "groups": [
            {**group, "indicators": [_indicator(r) for r in group["indicators"]]}
            for group in report.groups()
        ],
    }


PAGE_SIZE = 50


@router.get(
    "/indicators-766/{code}/{part}",
    response=DrillOut,
    auth=api_auth,
    summary="Các hồ sơ sau một con số",
)
def indicators_766_dossiers(
    request,
    code: str,
    part: str,
    params: Query[ReportIn],
):
    period = indicators.make_period(params.date_from, params.date_to)
    queryset = indicators.drill_down(
        request.auth, period, code, part, **_filters(params.unit, params.organisation)
    )
    page = params.page
    listed = page_of(queryset, page=page, size=PAGE_SIZE)
    return {
        "count": listed.count,
        "count_capped": listed.capped,
        "page": page,
        "has_next": listed.has_next,
        "results": listed.rows,
    }
