"""Shared data for the sign-in and scope tests: a small, made-up unit tree and its people.

The codes (Z1, Z1001 ...) do not exist in the real unit lists, so this data
never collides with the units the suite loads once per run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import pytest
from django.core.cache import cache
from django.utils import timezone

from tinhso.core.choices import MergeKind, OrganisationKind, Role, UnitLevel, UnitVersion
from tinhso.core.models import (
    AdministrativeUnit,
    Citizen,
    Organisation,
    UnitSuccession,
    User,
)
from tinhso.core.services.users import user_create

PASSWORD = "Rau-muong-xao-toi-2025"


def make_unit(code, name, level, parent=None, version=UnitVersion.POST_2025):
    return AdministrativeUnit.objects.create(
        version=version,
        code=code,
        name=name,
        full_name=name,
        level=level,
        type=level,
        parent=parent,
    )


def make_org(code, name, unit, kind=OrganisationKind.COMMUNE_COMMITTEE, parent=None):
    return Organisation.objects.create(
        identifier_code=code, name=name, kind=kind, unit=unit, parent=parent
    )


def make_user(username, role, *, organisation=None, units=(), citizen=None, totp=False):
    user = user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        organisation=organisation,
        units=units,
        citizen=citizen,
        full_name=username.replace("_", " ").title(),
    )
    if totp:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return user


def otp_code(secret: str, steps: int = 0) -> str:
    """The code of ``secret`` ``steps`` 30-second steps from now (±1 is accepted)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


@dataclass
class World:
    province: AdministrativeUnit
    commune_a: AdministrativeUnit
    commune_b: AdministrativeUnit
    other_province: AdministrativeUnit
    other_commune: AdministrativeUnit
    old_commune: AdministrativeUnit
    org_a: Organisation
    org_a_office: Organisation
    org_b: Organisation
    org_province: Organisation
    org_other: Organisation
    citizen_row: Citizen
    other_citizen_row: Citizen
    citizen: User
    other_citizen: User
    desk_a: User
    specialist_a: User
    specialist_b: User
    head_a: User
    commune_leader: User
    province_leader: User
    other_leader: User
    it_admin: User


@pytest.fixture(autouse=True)
def _fresh_cache():
    # One-time codes already used are remembered in the cache; ids repeat across tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    province = make_unit("Z1", "Tỉnh Thử Nghiệm", UnitLevel.PROVINCE)
    commune_a = make_unit("Z1001", "Xã An Lạc", UnitLevel.COMMUNE, province)
    commune_b = make_unit("Z1002", "Phường Bình Minh", UnitLevel.COMMUNE, province)
    other_province = make_unit("Z2", "Tỉnh Bên Cạnh", UnitLevel.PROVINCE)
    other_commune = make_unit("Z2001", "Xã Đông Hải", UnitLevel.COMMUNE, other_province)
    old_province = make_unit("Z9", "Tỉnh Cũ", UnitLevel.PROVINCE, version=UnitVersion.PRE_2025)
    old_district = make_unit(
        "Z90", "Huyện Cũ", UnitLevel.DISTRICT, old_province, version=UnitVersion.PRE_2025
    )
    old_commune = make_unit(
        "Z9001", "Xã Cũ", UnitLevel.COMMUNE, old_district, version=UnitVersion.PRE_2025
    )
    UnitSuccession.objects.create(
        old_unit=old_commune,
        old_label="Xã Cũ",
        old_parent=old_district,
        new_unit=commune_a,
        merge=MergeKind.FULL,
        effective_on="2025-07-01",
    )
    org_a = make_org("Z00.01.H01", "UBND xã An Lạc", commune_a)
    org_a_office = make_org(
        "Z00.01.H01.01", "Văn phòng UBND xã An Lạc", commune_a, OrganisationKind.OTHER, org_a
    )
    org_b = make_org("Z00.02.H01", "UBND phường Bình Minh", commune_b)
    org_province = make_org(
        "Z00.00.H01", "UBND tỉnh Thử Nghiệm", province, OrganisationKind.PROVINCIAL_COMMITTEE
    )
    org_other = make_org("Z00.09.H01", "UBND xã Đông Hải", other_commune)
    citizen_row = Citizen.objects.create(id_number="031090000001", full_name="Nguyễn Văn An")
    other_citizen_row = Citizen.objects.create(id_number="031190000002", full_name="Trần Thị Bình")
    return World(
        province=province,
        commune_a=commune_a,
        commune_b=commune_b,
        other_province=other_province,
        other_commune=other_commune,
        old_commune=old_commune,
        org_a=org_a,
        org_a_office=org_a_office,
        org_b=org_b,
        org_province=org_province,
        org_other=org_other,
        citizen_row=citizen_row,
        other_citizen_row=other_citizen_row,
        citizen=make_user("031090000001", Role.CITIZEN, citizen=citizen_row),
        other_citizen=make_user("031190000002", Role.CITIZEN, citizen=other_citizen_row),
        desk_a=make_user("mot_cua_a", Role.DESK_OFFICER, organisation=org_a),
        specialist_a=make_user("chuyen_vien_a", Role.SPECIALIST, organisation=org_a_office),
        specialist_b=make_user("chuyen_vien_b", Role.SPECIALIST, organisation=org_b),
        head_a=make_user("truong_a", Role.HEAD, organisation=org_a),
        commune_leader=make_user("lanh_dao_xa", Role.LEADER, organisation=org_a, units=[commune_a]),
        province_leader=make_user(
            "lanh_dao_tinh", Role.LEADER, organisation=org_province, units=[province]
        ),
        other_leader=make_user("lanh_dao_ben_canh", Role.LEADER, organisation=org_other),
        it_admin=make_user("quan_tri", Role.IT_ADMIN, organisation=org_province, totp=True),
    )


def fresh(user: User) -> User:
    """The same account loaded again, as the next request would see it (no cached scope)."""
    return User.objects.get(pk=user.pk)
