"""Investment services: rules, every refusal (nothing half-written), scope, versions."""

import datetime as dt

import pytest

from tinhso.core.exceptions import NotFound, PermissionDenied
from tinhso.core.models import AuditEvent
from tinhso.investment import errors, services
from tinhso.investment.choices import (
    AssignedBy,
    DisbursementKind,
    DisbursementStatus,
    FundingSource,
    PlanKind,
    PlanLineKind,
    ProjectGroup,
    Sector,
)
from tinhso.investment.models import (
    CapitalPlan,
    Disbursement,
    PlanLine,
    Project,
    ProjectOwnership,
    TotalInvestmentVersion,
)
from tinhso.investment.rules import MAX_AMOUNT
from tinhso.investment.tests.factories import (
    BN,
    annual_plan,
    make_disbursement,
    make_line,
    make_project,
)

pytestmark = pytest.mark.django_db

D = dt.date


def counts():
    return (
        Disbursement.objects.count(),
        PlanLine.objects.count(),
        Project.objects.count(),
        AuditEvent.objects.count(),
    )


# --- projects -----------------------------------------------------------------


def test_project_create_derives_group_keeps_owner_and_total_history(world):
    project = make_project(world, sector=Sector.HEALTH_CULTURE_EDUCATION, total=1_700 * BN)
    assert project.group == ProjectGroup.A
    assert project.version == 1
    assert ProjectOwnership.objects.get(project=project).owner == world.board
    assert TotalInvestmentVersion.objects.get(project=project).amount == 1_700 * BN
    assert AuditEvent.objects.filter(action="investment.project_create").count() == 1


def test_group_override_needs_a_reason(world):
    with pytest.raises(errors.InvalidGroupOverride):
        make_project(world, group_override=ProjectGroup.A)
    project = make_project(
        world, group_override=ProjectGroup.A, group_override_reason="Dự án an ninh đặc biệt"
    )
    assert project.group == ProjectGroup.A


def test_project_code_taken_is_refused(world):
    make_project(world, code="DA-1")
    before = counts()
    with pytest.raises(errors.ProjectCodeTaken):
        make_project(world, code="DA-1")
    assert counts() == before


def test_owner_cannot_create_a_project(world):
    with pytest.raises(PermissionDenied):
        services.project_create(
            actor=world.owner,
            code="X",
            name="X",
            tier="province",
            owner=world.board,
            sector=Sector.IRRIGATION,
            unit=world.province,
        )


def test_commune_leader_cannot_place_a_project_outside_the_commune(world):
    with pytest.raises(PermissionDenied):
        services.project_create(
            actor=world.commune_leader,
            code="X",
            name="X",
            tier="commune",
            owner=world.commune_committee,
            sector=Sector.IRRIGATION,
            unit=world.other_commune,
        )


def test_project_update_rederives_group_and_records_total_version(world):
    project = make_project(world, sector=Sector.IRRIGATION, total=100 * BN)
    assert project.group == ProjectGroup.C
    project = services.project_update(
        actor=world.owner,
        project_id=project.pk,
        expected_version=1,
        changes={"phase": "implementation"},
        total_investment=200 * BN,
    )
    assert project.group == ProjectGroup.B
    assert project.version == 2
    assert TotalInvestmentVersion.objects.filter(project=project).count() == 2


def test_project_update_with_a_stale_version_is_refused(world):
    project = make_project(world)
    services.project_update(
        actor=world.owner, project_id=project.pk, expected_version=1, changes={"name": "Mới"}
    )
    with pytest.raises(errors.StaleVersion) as caught:
        services.project_update(
            actor=world.owner, project_id=project.pk, expected_version=1, changes={"name": "Cũ"}
        )
    assert caught.value.status == 409
    project.refresh_from_db()
    assert project.name == "Mới"
    assert project.version == 2


def test_owner_cannot_edit_another_owners_project(world):
    project = make_project(world, owner=world.traffic_board)
    with pytest.raises(NotFound):
        services.project_update(
            actor=world.owner, project_id=project.pk, expected_version=None, changes={"name": "X"}
        )
    project.refresh_from_db()
    assert project.name != "X"


def test_owner_change_is_for_leaders_and_keeps_history(world):
    project = make_project(world, owner_from=D(2024, 1, 1))
    with pytest.raises(PermissionDenied):
        services.project_update(
            actor=world.owner,
            project_id=project.pk,
            expected_version=None,
            changes={},
            owner=world.traffic_board,
        )
    services.project_update(
        actor=world.leader,
        project_id=project.pk,
        expected_version=None,
        changes={},
        owner=world.traffic_board,
        on=D(2025, 6, 1),
    )
    rows = list(ProjectOwnership.objects.filter(project=project).order_by("valid_from"))
    assert [r.owner for r in rows] == [world.board, world.traffic_board]
    assert rows[0].valid_to == D(2025, 5, 31)
    assert rows[1].valid_to is None


# --- plan lines -----------------------------------------------------------------


def test_plan_line_of_an_annual_plan_gets_the_year_and_31_january(world):
    project = make_project(world)
    line = make_line(world, project, 10 * BN)
    assert (line.year, line.deadline) == (2025, D(2026, 1, 31))


def test_a_later_deadline_needs_an_extension_decision(world):
    project = make_project(world)
    with pytest.raises(errors.InvalidProjectData):
        make_line(world, project, 10 * BN, deadline=D(2026, 12, 31))
    line = make_line(
        world,
        project,
        10 * BN,
        deadline=D(2026, 12, 31),
        extension_decision_number="123/QĐ-UBND",
    )
    assert line.deadline == D(2026, 12, 31)


def test_negative_plan_line_is_refused_except_an_adjustment(world):
    project = make_project(world)
    with pytest.raises(errors.InvalidAmount):
        make_line(world, project, -1)
    make_line(world, project, 10 * BN)
    line = make_line(world, project, -2 * BN, kind=PlanLineKind.ADJUSTMENT)
    assert line.amount == -2 * BN


def test_adjustment_below_what_was_disbursed_is_refused(world):
    project = make_project(world)
    line = make_line(world, project, 10 * BN)
    make_disbursement(world, line, 9 * BN, D(2025, 5, 1))
    before = counts()
    with pytest.raises(errors.PlanBelowDisbursed):
        make_line(world, project, -2 * BN, kind=PlanLineKind.ADJUSTMENT)
    assert counts() == before


def test_owner_cannot_add_plan_lines(world):
    project = make_project(world)
    with pytest.raises(PermissionDenied):
        services.plan_line_add(
            actor=world.owner,
            plan=annual_plan(world),
            project_id=project.pk,
            source=FundingSource.CENTRAL_BUDGET,
            assigned_by=AssignedBy.PRIME_MINISTER,
            amount=1,
        )


# --- disbursements: every refusal -----------------------------------------------


@pytest.fixture
def line(world):
    project = make_project(world)
    return make_line(world, project, 10 * BN)


def _refused(world, line, error, **kwargs):
    before = counts()
    version = Project.objects.get(pk=line.project_id).version
    args = {"amount": BN, "on": D(2025, 5, 1)} | kwargs
    with pytest.raises(error):
        make_disbursement(world, line, args.pop("amount"), args.pop("on"), **args)
    assert counts() == before
    assert Project.objects.get(pk=line.project_id).version == version


def test_disbursement_is_recorded_audited_and_bumps_version(world, line):
    row = make_disbursement(world, line, 2 * BN, D(2025, 5, 1))
    assert row.status == DisbursementStatus.REPORTED
    assert row.project_id == line.project_id
    project = Project.objects.get(pk=line.project_id)
    assert project.version == 3  # created, plan line, disbursement
    assert project.last_reported_at is not None
    assert AuditEvent.objects.filter(action="investment.disbursement_record").count() == 1


@pytest.mark.parametrize("amount", [0, -5, "-5", "abc", 1.5, True, None, MAX_AMOUNT + 1, 2**63])
def test_bad_amounts_are_refused(world, line, amount):
    _refused(world, line, errors.InvalidAmount, amount=amount)


def test_recovery_is_stored_negative_and_cannot_exceed_disbursed(world, line):
    make_disbursement(world, line, 3 * BN, D(2025, 5, 1))
    row = make_disbursement(world, line, BN, D(2025, 5, 2), kind=DisbursementKind.RECOVERY)
    assert row.amount == -BN
    row = make_disbursement(world, line, -BN, D(2025, 5, 3), kind=DisbursementKind.RECOVERY)
    assert row.amount == -BN
    _refused(world, line, errors.InvalidAmount, amount=2 * BN, kind=DisbursementKind.RECOVERY)
    _refused(world, line, errors.InvalidAmount, amount=0, kind=DisbursementKind.RECOVERY)


def test_cumulative_above_the_plan_line_is_refused(world, line):
    make_disbursement(world, line, 9 * BN, D(2025, 5, 1))
    _refused(world, line, errors.AbovePlan, amount=BN + 1)
    make_disbursement(world, line, BN, D(2025, 5, 2))


def test_rejected_disbursements_do_not_count_against_the_plan(world, line):
    row = make_disbursement(world, line, 9 * BN, D(2025, 5, 1))
    services.disbursement_confirm(actor=world.leader, disbursement_id=row.pk, confirmed=False)
    make_disbursement(world, line, 10 * BN, D(2025, 5, 2))


def test_cumulative_above_the_projects_plan_after_an_adjustment_is_refused(world, line):
    project = Project.objects.get(pk=line.project_id)
    make_line(world, project, -4 * BN, kind=PlanLineKind.ADJUSTMENT)
    make_disbursement(world, line, 6 * BN, D(2025, 5, 1))
    _refused(world, line, errors.AbovePlan, amount=1)


@pytest.mark.parametrize(
    "on", [D(2024, 12, 31), D(2026, 2, 1), D(2027, 1, 1)], ids=["before", "after", "far"]
)
def test_date_outside_the_plan_year_and_deadline_is_refused(world, line, on):
    _refused(world, line, errors.DateOutsidePlan, on=on)


def test_date_in_january_next_year_is_accepted_and_an_extension_moves_the_end(world, line):
    make_disbursement(world, line, BN, D(2026, 1, 31))
    project = Project.objects.get(pk=line.project_id)
    extended = make_line(
        world,
        project,
        BN,
        kind=PlanLineKind.SUPPLEMENT,
        deadline=D(2026, 6, 30),
        extension_decision_number="45/QĐ-UBND",
    )
    make_disbursement(world, extended, BN, D(2026, 6, 30), today=D(2026, 7, 1))
    _refused(world, extended, errors.DateOutsidePlan, on=D(2026, 7, 1), today=D(2026, 7, 2))


def test_date_in_the_future_is_refused(world, line):
    _refused(world, line, errors.DateOutsidePlan, on=D(2025, 5, 2), today=D(2025, 5, 1))


def test_unknown_plan_line_is_refused(world):
    before = counts()
    with pytest.raises(errors.PlanLineNotFound):
        services.disbursement_record(
            actor=world.owner, plan_line_id=987654, date=D(2025, 5, 1), amount=BN
        )
    with pytest.raises(errors.PlanLineNotFound):
        services.disbursement_record(
            actor=world.owner, plan_line_id="abc", date=D(2025, 5, 1), amount=BN
        )
    assert counts() == before


def test_another_owners_plan_line_looks_unknown(world, line):
    _refused(world, line, errors.PlanLineNotFound, actor=world.other_owner)


def test_leaders_and_specialists_do_not_report_disbursements(world, line):
    _refused(world, line, PermissionDenied, actor=world.leader)
    _refused(world, line, PermissionDenied, actor=world.specialist)


def test_medium_term_line_takes_no_disbursement(world):
    project = make_project(world)
    plan = services.capital_plan_get_or_create(
        actor=world.leader,
        kind=PlanKind.MEDIUM_TERM,
        year_from=2021,
        year_to=2025,
        unit=world.province,
    )
    medium = services.plan_line_add(
        actor=world.leader,
        plan=plan,
        project_id=project.pk,
        source=FundingSource.CENTRAL_BUDGET,
        assigned_by=AssignedBy.PRIME_MINISTER,
        amount=50 * BN,
    )
    _refused(world, medium, errors.PlanLineNotAnnual)


def test_disbursement_with_stale_version_is_refused(world, line):
    before = counts()
    with pytest.raises(errors.StaleVersion):
        services.disbursement_record(
            actor=world.owner,
            plan_line_id=line.pk,
            date=D(2025, 5, 1),
            amount=BN,
            expected_version=1,
            today=D(2025, 6, 1),
        )
    assert counts() == before


def test_confirm_and_reject(world, line):
    row = make_disbursement(world, line, BN, D(2025, 5, 1))
    with pytest.raises(PermissionDenied):
        services.disbursement_confirm(actor=world.owner, disbursement_id=row.pk)
    row = services.disbursement_confirm(actor=world.leader, disbursement_id=row.pk)
    assert row.status == DisbursementStatus.TREASURY_CONFIRMED
    with pytest.raises(errors.DisbursementNotReported):
        services.disbursement_confirm(actor=world.leader, disbursement_id=row.pk, confirmed=False)


def test_commune_leader_cannot_confirm_a_province_projects_disbursement(world, line):
    row = make_disbursement(world, line, BN, D(2025, 5, 1))
    with pytest.raises(NotFound):
        services.disbursement_confirm(actor=world.commune_leader, disbursement_id=row.pk)


# --- progress, obstacles, curves ----------------------------------------------------


def test_progress_snapshot_and_bad_percent(world):
    project = make_project(world)
    snapshot = services.progress_snapshot_add(
        actor=world.owner, project_id=project.pk, date=D(2025, 5, 1), physical_percent="42.5"
    )
    assert str(snapshot.physical_percent) == "42.50"
    for bad in ("101", "-1", "abc", "NaN"):
        with pytest.raises(errors.InvalidPercent):
            services.progress_snapshot_add(
                actor=world.owner, project_id=project.pk, date=D(2025, 5, 1), physical_percent=bad
            )
    with pytest.raises(NotFound):
        services.progress_snapshot_add(
            actor=world.other_owner, project_id=project.pk, date=D(2025, 5, 1), physical_percent=1
        )


def test_obstacle_add_and_resolve_once(world):
    project = make_project(world)
    obstacle = services.obstacle_add(
        actor=world.owner,
        project_id=project.pk,
        description="Chưa bàn giao mặt bằng đoạn Km3",
        cause="land_clearance",
        responsible_party="UBND xã",
        due_date=D(2025, 9, 30),
    )
    services.obstacle_resolve(actor=world.leader, obstacle_id=obstacle.pk, resolution="Đã bàn giao")
    with pytest.raises(errors.ObstacleResolved):
        services.obstacle_resolve(actor=world.owner, obstacle_id=obstacle.pk, resolution="x")
    with pytest.raises(NotFound):
        services.obstacle_resolve(actor=world.other_owner, obstacle_id=obstacle.pk, resolution="x")


def test_target_curve_must_rise_and_have_13_points(world):
    from tinhso.investment.rules import DEFAULT_CURVE

    points = services.target_curve_set(
        actor=world.leader, year=2025, percents=list(DEFAULT_CURVE), unit=world.province
    )
    assert len(points) == 13
    with pytest.raises(errors.InvalidPercent):
        services.target_curve_set(
            actor=world.leader, year=2025, percents=[5] + [3] * 12, unit=world.province
        )
    with pytest.raises(errors.InvalidPercent):
        services.target_curve_set(actor=world.leader, year=2025, percents=[3], unit=world.province)


def test_capital_plan_is_created_once(world):
    annual_plan(world)
    annual_plan(world)
    assert CapitalPlan.objects.count() == 1


def test_project_update_refuses_bad_values_without_writing(world):
    project = make_project(world)
    for changes in (
        {"phase": None},
        {"sector": "space"},
        {"start_year": 1800},
        {"latitude": "north"},
        {"end_year": 2000},
        {"colour": "red"},
        {"name": "   "},
    ):
        with pytest.raises(errors.InvalidProjectData):
            services.project_update(
                actor=world.owner, project_id=project.pk, expected_version=None, changes=changes
            )
    with pytest.raises(errors.InvalidProjectData):
        services.project_update(
            actor=world.owner, project_id=project.pk, expected_version="v1", changes={}
        )
    services.project_update(
        actor=world.owner,
        project_id=project.pk,
        expected_version=None,
        changes={"description": None, "latitude": "20.9373", "longitude": "106.3146"},
    )
    project.refresh_from_db()
    assert project.description == ""
    assert str(project.latitude) == "20.937300"
    assert project.version == 2


def test_disbursement_date_may_be_a_spreadsheet_datetime_or_iso_text(world, line):
    row = make_disbursement(world, line, BN, dt.datetime(2025, 5, 1, 0, 0))
    assert row.date == D(2025, 5, 1)
    row = make_disbursement(world, line, BN, "2025-05-02")
    assert row.date == D(2025, 5, 2)
    _refused(world, line, errors.DateOutsidePlan, on="02/05/2025")
    _refused(world, line, errors.DateOutsidePlan, on=None)
