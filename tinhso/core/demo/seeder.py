"""The DEMO data set: Hải Phòng's agencies, demo accounts for every role, citizens.

``demo_seed`` is idempotent: it creates only what is missing, and
``demo_is_seeded`` is a cheap check (two indexed queries) that lets
``tinhso demo`` skip the whole step on a second run.

Every account shares the documented DEMO password ``DEMO_PASSWORD``; it exists
only here, is printed by ``tinhso demo``, and the seeder refuses to run under
the production settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core.audit import audit_record
from tinhso.core.choices import OrganisationKind, Role, UnitVersion
from tinhso.core.demo import agencies
from tinhso.core.demo.people import PeopleGenerator
from tinhso.core.exceptions import TinhsoError
from tinhso.core.models import AdministrativeUnit, Citizen, Organisation, User

DEMO_PASSWORD = "TinhSo@Demo2025"  # noqa: S105 (documented demo password, demo data only)
DEMO_CITIZENS = 300
DEMO_SEED = 2025
DEMO_COMMUNE_CODE = "10507"  # Phường Thành Đông, in the old city of Hải Dương


class DemoUnavailable(TinhsoError):
    status = 409
    code = "demo_unavailable"
    default_message = gettext_lazy("Không thể tạo dữ liệu trình diễn.")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    organisation_code: str | None  # None: the commune committee of DEMO_COMMUNE_CODE
    scope: str  # "province", "commune" or "" (the organisation's unit)


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("congdan", Role.CITIZEN, "", "", ""),
    DemoAccount("motcua", Role.DESK_OFFICER, "Trần Thị Mai", agencies.CENTRE_CODE, "province"),
    DemoAccount("motcua.xa", Role.DESK_OFFICER, "Phạm Văn Hưng", None, "commune"),
    DemoAccount("chuyenvien", Role.SPECIALIST, "Lê Minh Tuấn", agencies.JUSTICE_CODE, ""),
    DemoAccount("lanhdao.so", Role.HEAD, "Vũ Thị Hồng Nhung", agencies.JUSTICE_CODE, ""),
    DemoAccount(
        "lanhdao.tp", Role.LEADER, "Nguyễn Đức Thắng", agencies.CITY_COMMITTEE_CODE, "province"
    ),
    DemoAccount("quantri", Role.IT_ADMIN, "Đỗ Quang Huy", agencies.IT_CENTRE_CODE, "province"),
    DemoAccount("chudautu", Role.PROJECT_OWNER, "Hoàng Văn Long", agencies.CIVIL_BOARD_CODE, ""),
)
MARKER_USERNAME = "quantri"


@dataclass
class DemoReport:
    organisations_created: int = 0
    citizens_created: int = 0
    users_created: int = 0
    skipped: bool = False
    accounts: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "organisations_created": self.organisations_created,
            "citizens_created": self.citizens_created,
            "users_created": self.users_created,
            "skipped": self.skipped,
        }


def _province() -> AdministrativeUnit:
    province = AdministrativeUnit.objects.filter(
        version=UnitVersion.POST_2025, code=agencies.DEMO_PROVINCE_CODE
    ).first()
    if province is None:
        raise DemoUnavailable(
            _(
                "Chưa có danh mục đơn vị hành chính (thành phố Hải Phòng, mã %(code)s). "
                "Hãy chạy `tinhso load_units` trước."
            )
            % {"code": agencies.DEMO_PROVINCE_CODE},
            code="units_missing",
        )
    return province


def _communes(province: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.filter(version=province.version, parent=province).order_by(
            "code"
        )
    )


def commune_committee_name(unit: AdministrativeUnit) -> str:
    return f"Ủy ban nhân dân {unit.type} {unit.name}"


def demo_is_seeded() -> bool:
    """Cheap: the marker account exists and every commune has its committee."""
    if not User.objects.filter(username=MARKER_USERNAME).exists():
        return False
    province = AdministrativeUnit.objects.filter(
        version=UnitVersion.POST_2025, code=agencies.DEMO_PROVINCE_CODE
    ).first()
    if province is None:
        return False
    communes = AdministrativeUnit.objects.filter(version=province.version, parent=province)
    committees = Organisation.objects.filter(
        kind=OrganisationKind.COMMUNE_COMMITTEE, unit__in=communes
    )
    return committees.count() >= communes.count()


def refuse_in_production() -> None:
    if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production"):
        raise DemoUnavailable(
            _("Không tạo dữ liệu và tài khoản trình diễn trên cấu hình vận hành thật."),
            code="demo_in_production",
        )


def _seed_organisations(province, communes, valid_from) -> tuple[dict[str, Organisation], int]:
    existing = {org.identifier_code: org for org in Organisation.objects.all()}
    created = 0

    def ensure(code, name, short_name, kind, unit, parent):
        nonlocal created
        org = existing.get(code)
        if org is None:
            org = Organisation(
                identifier_code=code,
                name=name,
                short_name=short_name,
                kind=kind,
                unit=unit,
                parent=parent,
                valid_from=valid_from,
            )
            org.save(force_insert=True)
            existing[code] = org
            created += 1
        return org

    spec = agencies.CITY_COMMITTEE
    committee = ensure(
        agencies.identifier(agencies.DEMO_LEVEL1),
        spec.name,
        spec.short_name,
        spec.kind,
        province,
        None,
    )
    for spec in agencies.CITY_AGENCIES[1:]:
        ensure(
            agencies.identifier(agencies.DEMO_LEVEL1, spec.level2),
            spec.name,
            spec.short_name,
            spec.kind,
            province,
            committee,
        )
    for rank, unit in enumerate(communes, start=1):
        ensure(
            agencies.commune_identifier(rank),
            commune_committee_name(unit),
            f"UBND {unit.name}",
            OrganisationKind.COMMUNE_COMMITTEE,
            unit,
            committee,
        )
    return existing, created


def _seed_citizens(total: int) -> tuple[list[Citizen], int]:
    rows = PeopleGenerator(seed=DEMO_SEED).rows(total)
    numbers = [row[0] for row in rows]
    existing = set(
        Citizen.objects.filter(id_number__in=numbers).values_list("id_number", flat=True)
    )
    new = [
        Citizen(
            id_number=number,
            full_name=name,
            date_of_birth=born,
            sex=sex,
            phone=phone,
            email=email,
        )
        for number, name, born, sex, phone, email in rows
        if number not in existing
    ]
    Citizen.objects.bulk_create(new, batch_size=500)
    people = {c.id_number: c for c in Citizen.objects.filter(id_number__in=numbers)}
    return [people[number] for number in numbers], len(new)


def _seed_users(orgs, province, communes, first_citizen) -> int:
    from tinhso.core.services.users import user_create

    taken = set(
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    commune = next((u for u in communes if u.code == DEMO_COMMUNE_CODE), communes[0])
    commune_committee = Organisation.objects.get(
        kind=OrganisationKind.COMMUNE_COMMITTEE, unit=commune
    )
    created = 0
    for account in ACCOUNTS:
        if account.username in taken:
            continue
        if account.role == Role.CITIZEN:
            user_create(
                actor=None,
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                citizen=first_citizen,
            )
        else:
            organisation = (
                commune_committee
                if account.organisation_code is None
                else orgs[account.organisation_code]
            )
            units = {"province": [province], "commune": [commune]}.get(account.scope, [])
            user_create(
                actor=None,
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                organisation=organisation,
                units=units,
                full_name=account.full_name,
            )
        created += 1
    return created


def demo_seed(*, actor=None, citizens: int = DEMO_CITIZENS) -> DemoReport:
    """Create whatever part of the demo data set is missing, in one transaction."""
    refuse_in_production()
    province = _province()
    communes = _communes(province)
    if not communes:
        raise DemoUnavailable(
            _("Danh mục đơn vị hành chính chưa có xã, phường của thành phố Hải Phòng."),
            code="units_missing",
        )
    report = DemoReport()
    with transaction.atomic():
        orgs, report.organisations_created = _seed_organisations(
            province, communes, dt.date.fromisoformat(agencies.VALID_FROM_ISO)
        )
        people, report.citizens_created = _seed_citizens(citizens)
        report.users_created = _seed_users(orgs, province, communes, people[0])
        if report.organisations_created or report.citizens_created or report.users_created:
            audit_record(
                actor=actor,
                action="demo.seed",
                object_type="core.demo",
                object_repr="Dữ liệu trình diễn (demo)",
                changes={"demo": True, **report.as_dict()},
            )
    report.accounts = demo_accounts()
    return report


def demo_accounts() -> list[dict]:
    """The demo accounts as rows for the table ``tinhso demo`` prints."""
    usernames = [a.username for a in ACCOUNTS]
    # Domain apps may add demo accounts of their own (AppConfig.demo_usernames).
    for config in django_apps.get_app_configs():
        usernames += [u for u in getattr(config, "demo_usernames", ()) if u not in usernames]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=usernames).select_related(
            "organisation", "citizen"
        )
    }
    rows = []
    for username in usernames:
        user = users.get(username)
        if user is None:
            continue
        if user.citizen_id:
            where = _("CCCD %(number)s") % {"number": user.citizen.id_number}
        else:
            where = user.organisation.name if user.organisation_id else ""
        rows.append(
            {
                "username": user.username,
                "password": DEMO_PASSWORD,
                "role": str(Role(user.role).label),
                "full_name": user.full_name,
                "where": where,
            }
        )
    return rows


def citizen_bucket_counts() -> dict[str, int]:
    """How many citizens each generator bucket (first six digits) already holds."""
    return dict(
        Citizen.objects.annotate(bucket=Substr("id_number", 1, 6))
        .values_list("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
