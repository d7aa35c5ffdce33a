"""Public API of the administrative units: look-up as of a date, search, succession, tree."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from tinhso.core.models import AdministrativeUnit
from tinhso.core.selectors.units import (
    PRE_REFORM_LAST_DAY,
    SEARCH_LIMIT_MAX,
    Succession,
    parse_date,
    unit_ancestors,
    unit_descendants,
    unit_get,
    unit_search,
    unit_sources,
    unit_successors,
)

router = Router(tags=["units"])


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


class ParentOut(Schema):
    code: str
    full_name: str
    level: str


class UnitOut(Schema):
    code: str
    version: str
    name: str
    full_name: str
    level: str
    type: str
    parent: ParentOut | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class SuccessionOut(Schema):
    unit: UnitOut | None
    merge: str
    label: str
    old_parent: ParentOut | None
    via: list[str]


def _parent(unit: AdministrativeUnit | None) -> dict | None:
    if unit is None:
        return None
    return {"code": unit.code, "full_name": unit.full_name, "level": unit.level}


def _unit(unit: AdministrativeUnit | None) -> dict | None:
    """A unit and its parent; the selectors load the parent in the same query."""
    if unit is None:
        return None
    return {
        "code": unit.code,
        "version": unit.version,
        "name": unit.name,
        "full_name": unit.full_name,
        "level": unit.level,
        "type": unit.type,
        "parent": _parent(unit.parent) if unit.parent_id is not None else None,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def _succession(item: Succession) -> dict:
    return {
        "unit": _unit(item.unit),
        "merge": item.merge,
        "label": item.label or (item.unit.full_name if item.unit else ""),
        "old_parent": _parent(item.old_parent),
        "via": item.via,
    }


ERRORS = {400: ErrorOut, 404: ErrorOut}
DATE_HELP = "Ngày tra cứu YYYY-MM-DD (mặc định: hôm nay)."


@router.get(
    "",
    response={200: list[UnitOut], 400: ErrorOut},
    auth=None,
    summary="Tìm đơn vị hành chính theo tên (không cần dấu)",
    description=(
        "Tìm theo tên, không phân biệt dấu và chữ hoa. `on`: chỉ các đơn vị có hiệu lực vào ngày "
        "đó (bỏ trống: cả hai phiên bản trước và sau 01/7/2025). `level`: province, district, "
        f"commune. `province`: mã tỉnh. `limit`: 1–{SEARCH_LIMIT_MAX}."
    ),
)
def search_units(
    request,
    q: str = "",
    on: str | None = None,
    level: str | None = None,
    province: str | None = None,
    limit: int = 20,
):
    units = unit_search(q[:100], on=on, level=level, province=province, limit=limit)
    return [_unit(u) for u in units]


@router.get(
    "/{code}",
    response={200: UnitOut, **ERRORS},
    auth=None,
    summary="Tra cứu đơn vị hành chính theo mã vào một ngày",
    description="Mã đơn vị đổi nghĩa theo phiên bản (ví dụ 30307), nên tra theo ngày. " + DATE_HELP,
)
def get_unit(request, code: str, on: str | None = None):
    return _unit(unit_get(code, on))


@router.get(
    "/{code}/successors",
    response={200: list[SuccessionOut], **ERRORS},
    auth=None,
    summary="Đơn vị mới mà một đơn vị cũ đã trở thành",
    description="Với huyện, tỉnh cũ: tổng hợp theo các xã. Mặc định tra mã vào ngày 30/6/2025.",
)
def get_successors(request, code: str, on: str | None = None):
    unit = unit_get(code, parse_date(on, default=PRE_REFORM_LAST_DAY))
    return [_succession(item) for item in unit_successors(unit)]


@router.get(
    "/{code}/sources",
    response={200: list[SuccessionOut], **ERRORS},
    auth=None,
    summary="Các đơn vị cũ hợp thành một đơn vị mới",
    description="Với tỉnh mới: các tỉnh cũ. " + DATE_HELP,
)
def get_sources(request, code: str, on: str | None = None):
    return [_succession(item) for item in unit_sources(unit_get(code, on))]


@router.get(
    "/{code}/ancestors",
    response={200: list[UnitOut], **ERRORS},
    auth=None,
    summary="Các đơn vị cấp trên (tỉnh trước)",
    description=DATE_HELP,
)
def get_ancestors(request, code: str, on: str | None = None):
    return [_unit(u) for u in unit_ancestors(unit_get(code, on))]


@router.get(
    "/{code}/descendants",
    response={200: list[UnitOut], **ERRORS},
    auth=None,
    summary="Các đơn vị cấp dưới trong cùng phiên bản",
    description=DATE_HELP + " `level`: district hoặc commune.",
)
def get_descendants(request, code: str, on: str | None = None, level: str | None = None):
    unit = unit_get(code, on)
    return [_unit(u) for u in unit_descendants(unit, level)]
