"""Test data for public investment: a province with owners, leaders, projects and plans.

``make_world()`` builds the people; ``make_project``, ``make_line`` and
``make_disbursement`` go through the services (audited, checked), so what they
build is what the platform would hold. Reusable by the pages, the Excel upload,
the OC4IDS export and the demo's tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tinhso.core.choices import OrganisationKind, Role, UnitVersion
from tinhso.core.models import AdministrativeUnit, Organisation, User
from tinhso.investment import services
from tinhso.investment.choices import (
    AssignedBy,
    DisbursementKind,
    FundingSource,
    PlanKind,
    PlanLineKind,
    ProjectPhase,
    ProjectTier,
    Sector,
)
from tinhso.investment.models import CapitalPlan, Disbursement, PlanLine, Project

PASSWORD = "Mat-khau-thu-2025"
BN = 1_000_000_000


@dataclass
class InvestmentWorld:
    province: AdministrativeUnit
    commune: AdministrativeUnit
    other_commune: AdministrativeUnit
    committee: Organisation
    board: Organisation  # the provincial construction board (owner A)
    traffic_board: Organisation  # another owner (owner B)
    commune_committee: Organisation
    owner: User  # staff of ``board``
    other_owner: User  # staff of ``traffic_board``
    commune_owner: User  # staff of the commune committee as a project owner
    leader: User  # province leader: everything in the province
    commune_leader: User  # the commune's leader: the commune's projects
    specialist: User  # a department's specialist with no project
    it_admin: User


def _org(code, name, kind, unit, parent=None) -> Organisation:
    org = Organisation(identifier_code=code, name=name, kind=kind, unit=unit, parent=parent)
    org.save()
    return org


def _user(username, role, organisation, units=()) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        organisation=organisation,
        full_name=username.replace(".", " ").title(),
        email=f"{username}@example.vn",
    )
    if units:
        user.units.set(units)
    return user


def make_world() -> InvestmentWorld:
    province = AdministrativeUnit.objects.get(version=UnitVersion.POST_2025, code="31")
    commune, other_commune = list(
        AdministrativeUnit.objects.filter(version=UnitVersion.POST_2025, parent=province).order_by(
            "code"
        )[:2]
    )
    committee = _org(
        "000.00.00.H24",
        "Ủy ban nhân dân thành phố Hải Phòng",
        OrganisationKind.PROVINCIAL_COMMITTEE,
        province,
    )
    board = _org(
        "000.00.41.H24",
        "Ban Quản lý dự án đầu tư xây dựng thành phố",
        OrganisationKind.PROJECT_BOARD,
        province,
        committee,
    )
    traffic_board = _org(
        "000.00.42.H24",
        "Ban Quản lý dự án đầu tư xây dựng công trình giao thông",
        OrganisationKind.PROJECT_BOARD,
        province,
        committee,
    )
    commune_committee = _org(
        "000.01.90.H24",
        f"Ủy ban nhân dân {commune.name}",
        OrganisationKind.COMMUNE_COMMITTEE,
        commune,
        committee,
    )
    other_dept = _org(
        "000.00.03.H24", "Sở Tư pháp", OrganisationKind.DEPARTMENT, province, committee
    )
    return InvestmentWorld(
        province=province,
        commune=commune,
        other_commune=other_commune,
        committee=committee,
        board=board,
        traffic_board=traffic_board,
        commune_committee=commune_committee,
        owner=_user("chudautu.ban", Role.PROJECT_OWNER, board),
        other_owner=_user("chudautu.giaothong", Role.PROJECT_OWNER, traffic_board),
        commune_owner=_user("chudautu.xa", Role.PROJECT_OWNER, commune_committee),
        leader=_user("lanhdao.tp", Role.LEADER, committee, units=[province]),
        commune_leader=_user("lanhdao.xa", Role.LEADER, commune_committee, units=[commune]),
        specialist=_user("chuyenvien", Role.SPECIALIST, other_dept),
        it_admin=_user("quantri", Role.IT_ADMIN, committee),
    )


_counter = {"n": 0}


def make_project(
    world: InvestmentWorld,
    *,
    owner: Organisation | None = None,
    code: str | None = None,
    name: str = "Cải tạo, nâng cấp đường trục xã",
    unit: AdministrativeUnit | None = None,
    tier: str = ProjectTier.PROVINCE,
    sector: str = Sector.TRANSPORT_OTHER,
    total: int = 100 * BN,
    phase: str = ProjectPhase.IMPLEMENTATION,
    start_year: int = 2024,
    end_year: int = 2026,
    **extra,
) -> Project:
    _counter["n"] += 1
    return services.project_create(
        actor=world.leader,
        code=code or f"DA-{_counter['n']:05d}",
        name=name,
        tier=tier,
        owner=owner or world.board,
        sector=sector,
        unit=unit or world.province,
        total_investment=total,
        phase=phase,
        start_year=start_year,
        end_year=end_year,
        **extra,
    )


def annual_plan(world: InvestmentWorld, year: int = 2025) -> CapitalPlan:
    return services.capital_plan_get_or_create(
        actor=world.leader,
        kind=PlanKind.ANNUAL,
        year_from=year,
        year_to=year,
        unit=world.province,
        name=f"Kế hoạch đầu tư công năm {year}",
    )


def make_line(
    world: InvestmentWorld,
    project: Project,
    amount: int,
    *,
    year: int = 2025,
    source: str = FundingSource.PROVINCIAL_BUDGET,
    assigned_by: str = AssignedBy.PRIME_MINISTER,
    kind: str = PlanLineKind.INITIAL,
    **extra,
) -> PlanLine:
    return services.plan_line_add(
        actor=world.leader,
        plan=annual_plan(world, year),
        project_id=project.pk,
        source=source,
        assigned_by=assigned_by,
        kind=kind,
        amount=amount,
        **extra,
    )


def make_disbursement(
    world: InvestmentWorld,
    line: PlanLine,
    amount: int,
    on: dt.date,
    *,
    actor: User | None = None,
    kind: str = DisbursementKind.PAYMENT,
    today: dt.date | None = None,
) -> Disbursement:
    return services.disbursement_record(
        actor=actor or world.owner,
        plan_line_id=line.pk,
        date=on,
        amount=amount,
        kind=kind,
        today=today or dt.date(2026, 2, 28),
    )
