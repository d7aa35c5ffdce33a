"""Organisations (agencies) API: public reads of the agency list."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tinhso.core.choices import OrganisationKind
from tinhso.core.exceptions import ValidationError
from tinhso.core.models import Organisation
from tinhso.core.selectors.organisations import get_organisation, organisation_list

router = Router(tags=["organisations"])

MAX_LIMIT = 500


class UnitRef(Schema):
    code: str
    version: str
    full_name: str


class OrganisationOut(Schema):
    identifier_code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    unit: UnitRef
    parent: str | None
    email: str
    phone: str
    address: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class OrganisationPage(Schema):
    count: int
    items: list[OrganisationOut]


class OrganisationFilter(Schema):
    kind: OrganisationKind | None = None
    unit: str | None = None
    q: str | None = None
    limit: int = 100
    offset: int = 0


def _out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        identifier_code=org.identifier_code,
        name=org.name,
        short_name=org.short_name,
        kind=org.kind,
        kind_label=str(org.get_kind_display()),
        unit=UnitRef(code=org.unit.code, version=org.unit.version, full_name=org.unit.full_name),
        parent=org.parent.identifier_code if org.parent_id else None,
        email=org.email,
        phone=org.phone,
        address=org.address,
        valid_from=org.valid_from,
        valid_to=org.valid_to,
    )


def _user(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@router.get(
    "/organisations",
    response=OrganisationPage,
    auth=None,
    summary="Danh sách cơ quan, đơn vị",
    description="Lọc theo loại (`kind`), mã đơn vị hành chính phục vụ (`unit`) và tên "
    "hoặc mã định danh (`q`, không phân biệt dấu và hoa thường).",
)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]):
    if not 1 <= filters.limit <= MAX_LIMIT or filters.offset < 0:
        raise ValidationError(
            _("Tham số limit phải từ 1 đến %(max)d và offset không âm.") % {"max": MAX_LIMIT},
            code="invalid_pagination",
        )
    qs = organisation_list(
        user=_user(request),
        kind=filters.kind.value if filters.kind else None,
        unit=filters.unit,
        q=filters.q,
    )
    count = qs.count()
    items = [_out(org) for org in qs[filters.offset : filters.offset + filters.limit]]
    return OrganisationPage(count=count, items=items)


@router.get(
    "/organisations/{identifier_code}",
    response=OrganisationOut,
    auth=None,
    summary="Một cơ quan, đơn vị theo mã định danh",
)
def organisation_detail(request: HttpRequest, identifier_code: str):
    return _out(get_organisation(identifier_code, user=_user(request)))
