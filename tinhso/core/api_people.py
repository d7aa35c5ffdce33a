"""People over HTTP: checking ID numbers (public) and the citizen register (signed in).

The checks look only at a number's structure; they never say whether a person
is registered. Lists show ID numbers masked; only the citizen sees their own in full.
"""

from __future__ import annotations

import datetime as dt

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tinhso.core.auth import api_auth
from tinhso.core.choices import Role
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.models import Citizen
from tinhso.core.selectors.people import citizen_list_for, get_citizen_for
from tinhso.core.validators import parse_bhyt, parse_cccd

router = Router(tags=["people"])

PAGE_SIZE_MAX = 100


class CccdIn(Schema):
    id_number: str
    date_of_birth: str | None = None
    sex: str | None = None


class CccdOut(Schema):
    valid: bool
    id_number_masked: str
    place_code: str
    place_name: str
    born_abroad: bool
    sex: str
    year_of_birth: int
    century: int


class BhytIn(Schema):
    number: str


class BhytOut(Schema):
    valid: bool
    format: str
    social_insurance_number: str
    group_code: str | None
    benefit_level: int | None
    province_code: str | None


class CitizenOut(Schema):
    id: int
    id_number: str | None
    id_number_masked: str
    full_name: str
    date_of_birth: dt.date | None
    sex: str


class CitizenPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CitizenOut]


def _date_of_birth(value: str | None) -> dt.date | None:
    if value is None or not value.strip():
        return None
    error = ValidationError(
        _("Ngày sinh “%(value)s” không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 1990-05-17.")
        % {"value": value.strip()[:20]},
        code="date_of_birth_invalid",
    )
    try:
        day = parse_date(value.strip())
    except ValueError:  # well formed but impossible: 2000-02-30
        raise error from None
    if day is None:
        raise error
    return day


@router.post("/people/validate-cccd", response=CccdOut, summary="Kiểm tra số CCCD")
def validate_cccd(request, payload: CccdIn):
    """What a CCCD encodes (place of birth registration, sex, year of birth), or a 400
    naming what is wrong. Nothing is looked up: it does not say whether the person exists."""
    info = parse_cccd(
        payload.id_number,
        date_of_birth=_date_of_birth(payload.date_of_birth),
        sex=payload.sex or None,
    )
    return CccdOut(
        valid=True,
        id_number_masked=Citizen(id_number=info.number).masked_id_number,
        place_code=info.place_code,
        place_name=info.place_name,
        born_abroad=info.born_abroad,
        sex=info.sex,
        year_of_birth=info.year_of_birth,
        century=info.century_start // 100 + 1,
    )


@router.post("/people/validate-bhyt", response=BhytOut, summary="Kiểm tra mã số BHYT")
def validate_bhyt(request, payload: BhytIn):
    """Both card formats: 15 characters (before April 2021) or the 10-digit number."""
    info = parse_bhyt(payload.number)
    return BhytOut(
        valid=True,
        format="old_15" if info.group_code else "new_10",
        social_insurance_number=info.social_insurance_number,
        group_code=info.group_code,
        benefit_level=info.benefit_level,
        province_code=info.province_code,
    )


def _out(citizen: Citizen, user) -> CitizenOut:
    own = user.role == Role.CITIZEN and user.citizen_id == citizen.pk
    return CitizenOut(
        id=citizen.pk,
        id_number=citizen.id_number if own else None,
        id_number_masked=citizen.masked_id_number,
        full_name=citizen.full_name,
        date_of_birth=citizen.date_of_birth,
        sex=citizen.sex,
    )


@router.get("/people", response=CitizenPage, auth=api_auth, summary="Danh sách công dân")
def people_list(request, q: str | None = None, page: int = 1, page_size: int = 20):
    """Officers only; ID numbers masked. ``q``: part of the name or a whole 12-digit number."""
    user = request.auth
    if user.role == Role.CITIZEN:
        raise PermissionDenied()
    if page < 1 or not 1 <= page_size <= PAGE_SIZE_MAX:
        raise ValidationError(
            _("Trang phải từ 1 trở lên và cỡ trang từ 1 đến %(max)s.") % {"max": PAGE_SIZE_MAX},
            code="pagination_invalid",
        )
    rows = citizen_list_for(user, q=(q or "")[:150])
    count = rows.count()
    start = (page - 1) * page_size
    items = [_out(c, user) for c in rows[start : start + page_size]]
    return CitizenPage(count=count, page=page, page_size=page_size, items=items)


@router.get("/people/{citizen_id}", response=CitizenOut, auth=api_auth, summary="Một công dân")
def people_detail(request, citizen_id: str):
    """A citizen sees only themselves; anyone else, like a missing id, gets 404."""
    citizen = get_citizen_for(request.auth, citizen_id)
    return _out(citizen, request.auth)
