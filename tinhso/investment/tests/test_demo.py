"""The demo's public-investment data and the bulk seeder of the benchmarks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Sum

from tinhso.core.exceptions import ValidationError
from tinhso.core.models import AuditEvent, User
from tinhso.investment.choices import ProjectTier
from tinhso.investment.models import (
    Alert,
    Contract,
    Disbursement,
    Obstacle,
    PlanLine,
    ProgressSnapshot,
    Project,
    ProjectDecision,
    ProjectOwnership,
)
from tinhso.investment.rules import DEFAULT_CURVE, project_group
from tinhso.investment.selectors import measures

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)  # a fixed day: the demo's "current year" runs to 15 March 2026
BN = 1_000_000_000


@pytest.fixture
def demo_base():
    from tinhso.core.demo.seeder import demo_seed

    demo_seed(actor=None, citizens=5)


@pytest.fixture
def demo(demo_base):
    from tinhso.investment.demo import investment_demo_seed

    return investment_demo_seed(actor=None, today=TODAY)


def _user(username):
    return User.objects.get(username=username)


def _demo_has_about_1500_projects_in_three_tiers_each_with_an_owner_and_a_plan(demo):
    assert demo.projects == Project.objects.count() == 1500
    tiers = dict(Project.objects.values_list("tier").annotate(n=Count("id")))
    assert set(tiers) == {ProjectTier.PROVINCE, ProjectTier.COMMUNE, ProjectTier.DISTRICT_LEGACY}
    assert tiers[ProjectTier.COMMUNE] > tiers[ProjectTier.PROVINCE] > 0
    # every project: an owner in its history, an investment decision, annual plan lines
    assert not Project.objects.filter(ownerships__isnull=True).exists()
    assert not Project.objects.filter(plan_lines__isnull=True).exists()
    assert not Project.objects.exclude(plan_lines__plan__kind="annual").exists()
    decided = set(
        ProjectDecision.objects.filter(kind="investment").values_list("project_id", flat=True)
    )
    assert len(decided) == 1500
    # the current owner is the open ownership row; former district projects changed hands
    open_rows = ProjectOwnership.objects.filter(valid_to__isnull=True)
    assert open_rows.count() == 1500
    assert all(p.owner_id == o for p, o in _current_owners())
    legacy = Project.objects.filter(tier=ProjectTier.DISTRICT_LEGACY)
    assert legacy.exists()
    assert not legacy.annotate(n=Count("ownerships")).exclude(n=2).exists()
    # groups follow sector and amount
    for project in Project.objects.all()[:300]:
        assert project.group == project_group(project.sector, project.total_investment)


def _current_owners():
    rows = ProjectOwnership.objects.filter(valid_to__isnull=True).select_related("project")
    return [(row.project, row.owner_id) for row in rows]


def _the_city_construction_board_runs_66_projects_worth_3800_bn(demo):
    from tinhso.core.demo.agencies import CIVIL_BOARD_CODE

    board = Project.objects.filter(owner__identifier_code=CIVIL_BOARD_CODE)
    assert board.count() == 66
    assert board.aggregate(s=Sum("total_investment"))["s"] == 3_800 * BN
    # and its owner account sees exactly those
    assert Project.objects.restrict(_user("chudautu"), "view").count() == 66


def _province_disbursement_follows_the_2025_curve(demo):
    leader = _user("lanhdao.tp")
    figures = measures.project_figures(leader, year=2025, as_of=dt.date(2026, 1, 31))
    plan = sum(f.plan for f in figures.values())
    assert plan > 1_000 * BN
    cumulative = measures.monthly_cumulative(leader, year=2025)
    reached = [Decimal(100 * c) / plan for c in cumulative]
    for month, (got, want) in enumerate(zip(reached, DEFAULT_CURVE, strict=True), start=1):
        # within a point and a half of each month's target, on it at 31 January
        tolerance = Decimal("0.05") if month == 13 else Decimal("1.5")
        assert abs(got - want) <= tolerance, (month, got, want)
    # the pages' overview says the same at 31 January 2026
    overview = measures.overview(leader, year=2025, as_of=dt.date(2026, 1, 31))
    assert abs(overview.total.rate - Decimal("99.7")) <= Decimal("0.05")
    # the Prime Minister's plan is most of the plan, the rest the city's and communes' own
    pm = sum(f.plan_pm for f in figures.values())
    assert 0.7 * plan < pm < plan


def _projects_spread_around_the_curve(demo):
    leader = _user("lanhdao.tp")
    mid_year = measures.project_figures(leader, year=2025, as_of=dt.date(2025, 6, 30))
    rates = [f.rate for f in mid_year.values() if f.plan > 0 and f.rate is not None]
    target = DEFAULT_CURVE[5]  # 50% at the end of June
    far_behind = [r for r in rates if r < target / 2]
    ahead = [r for r in rates if r > target + 10]
    assert len(far_behind) > 30
    assert len(ahead) > 30
    # the current year runs to the day before: some owners have not reported for weeks
    cutoff = TODAY - dt.timedelta(days=30)
    silent = Project.objects.filter(
        phase="implementation", plan_lines__year=2026, last_reported_at__date__lt=cutoff
    ).distinct()
    assert silent.count() >= 10
    assert not Disbursement.objects.filter(date__gte=TODAY).exists()
    # a few contracts end within the month while the works are far from done
    soon = Contract.objects.filter(end_date__gte=TODAY, end_date__lte=TODAY + dt.timedelta(30))
    assert soon.exists()
    latest = {
        row["project_id"]: row["last"]
        for row in ProgressSnapshot.objects.values("project_id").annotate(last=Max("date"))
    }
    low = [
        c
        for c in soon
        if ProgressSnapshot.objects.get(
            project_id=c.project_id, date=latest[c.project_id]
        ).physical_percent
        < 80
    ]
    assert low
    assert Obstacle.objects.filter(resolved_at__isnull=True).exists()
    # carried-over lines, with their extension, and the city's supplements exist
    assert PlanLine.objects.filter(kind="carried_over", extension_decision_number__gt="").exists()
    assert PlanLine.objects.filter(kind="supplement", assigned_by="province").exists()


def _demo_runs_the_alert_engine(demo):
    assert demo.alerts > 0
    kinds = set(Alert.objects.filter(closed_at__isnull=True).values_list("kind", flat=True))
    assert {"below_month_target", "no_update", "contract_ending_low_progress"} <= kinds


def _demo_accounts_see_the_module(demo):
    from tinhso.core.demo.seeder import demo_accounts

    leader = _user("lanhdao.tp")
    assert Project.objects.restrict(leader, "view").count() == 1500
    owner = _user("chudautu.xa")
    mine = Project.objects.restrict(owner, "view")
    assert mine.count() >= 10
    assert set(mine.values_list("owner_id", flat=True)) == {owner.organisation_id}
    assert Disbursement.objects.filter(reported_by=owner).exists()
    usernames = [row["username"] for row in demo_accounts()]
    assert {"chudautu", "chudautu.xa", "lanhdao.tp"} <= set(usernames)
    # the owner goes on reporting through the services: the demo's ids leave room
    from tinhso.investment import services

    lines = PlanLine.objects.filter(
        project__owner_id=owner.organisation_id, year=2026, kind="initial"
    ).annotate(paid=Sum("disbursements__amount"))
    line = next(x for x in lines if x.amount - (x.paid or 0) > 1_000_000)
    made = services.disbursement_record(
        actor=owner,
        plan_line_id=line.pk,
        date=TODAY - dt.timedelta(days=1),
        amount=1_000_000,
        today=TODAY,
    )
    assert made.pk > Disbursement.objects.exclude(pk=made.pk).aggregate(m=Max("id"))["m"]


def _demo_is_loaded_once(demo):
    from tinhso.investment.demo import investment_demo_seed

    counts = (Project.objects.count(), Disbursement.objects.count(), Alert.objects.count())
    events = AuditEvent.objects.count()
    assert AuditEvent.objects.filter(action="investment.demo_seed").count() == 1
    again = investment_demo_seed(actor=None, today=TODAY)
    assert again.skipped
    assert (Project.objects.count(), Disbursement.objects.count(), Alert.objects.count()) == counts
    assert AuditEvent.objects.count() == events


def test_demo_waits_for_the_core_demo():
    from tinhso.investment.demo import investment_demo_seed

    # without the city's agencies and communes' committees there is nothing to build on
    assert investment_demo_seed(actor=None, today=TODAY).skipped
    assert not Project.objects.exists()


def test_the_demo_data_set(demo):
    # One load (about 1,500 projects and their year) checked from every side.
    _demo_has_about_1500_projects_in_three_tiers_each_with_an_owner_and_a_plan(demo)
    _the_city_construction_board_runs_66_projects_worth_3800_bn(demo)
    _province_disbursement_follows_the_2025_curve(demo)
    _projects_spread_around_the_curve(demo)
    _demo_runs_the_alert_engine(demo)
    _demo_accounts_see_the_module(demo)
    _demo_is_loaded_once(demo)


# --- the bulk seeder ---------------------------------------------------------------


def test_seed_investment_makes_projects_and_disbursements_in_bulk(demo_base, capsys):
    from tinhso.investment.demo import projects_bulk_seed

    report = projects_bulk_seed(actor=None, projects=60, disbursements=3000, today=TODAY)
    assert report.projects == Project.objects.count() == 60
    rows = Disbursement.objects.count()
    assert report.disbursements == rows
    assert 2700 <= rows <= 3300  # about the number asked
    # the rows point at their own project's lines, within each line's amount
    assert not Disbursement.objects.exclude(project_id=F("plan_line__project_id")).exists()
    over = [
        line
        for line in PlanLine.objects.annotate(paid=Sum("disbursements__amount"))
        if line.paid and line.paid > line.amount
    ]
    assert not over
    # the province's sum still follows the curve
    leader = _user("lanhdao.tp")
    plan = sum(f.plan for f in measures.project_figures(leader, year=2025, as_of=TODAY).values())
    cumulative = measures.monthly_cumulative(leader, year=2025)
    assert abs(Decimal(100 * cumulative[5]) / plan - DEFAULT_CURVE[5]) <= 2
    # a second run adds projects under new codes; one audit event per run
    call_command("seed_investment", "--projects", "20", "--disbursements", "500")
    assert Project.objects.count() == 80
    assert Project.objects.filter(code__startswith="BX.").count() == 80
    assert AuditEvent.objects.filter(action="investment.bulk_seed").count() == 2
    assert "dự án" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("projects", "disbursements"), [("0", "10"), ("abc", "10"), ("10", "-1"), ("10", "x")]
)
def test_seed_investment_refuses_bad_numbers(demo_base, projects, disbursements):
    from tinhso.investment.demo import projects_bulk_seed

    with pytest.raises(ValidationError) as caught:
        projects_bulk_seed(actor=None, projects=projects, disbursements=disbursements)
    assert caught.value.code == "invalid_arguments"
    with pytest.raises(CommandError):
        call_command("seed_investment", "--projects", projects, "--disbursements", disbursements)
    assert not Project.objects.exists()


def test_seed_investment_needs_the_core_demo():
    from tinhso.investment.demo import projects_bulk_seed

    with pytest.raises(ValidationError) as caught:
        projects_bulk_seed(actor=None, projects=5, disbursements=10)
    assert caught.value.code == "demo_missing"


def test_the_generator_is_deterministic(demo_base):
    from django.db import transaction

    from tinhso.investment.demo import projects_bulk_seed

    def digest():
        projects = list(
            Project.objects.order_by("code").values_list(
                "code", "name", "total_investment", "owner_id", "unit_id", "phase"
            )
        )
        paid = list(
            Disbursement.objects.values_list("project__code", "date", "amount").order_by(
                "project__code", "date", "amount"
            )
        )
        return projects, paid

    seen = []
    for _run in range(2):
        with transaction.atomic():
            projects_bulk_seed(actor=None, projects=40, disbursements=800, today=TODAY)
            seen.append(digest())
            transaction.set_rollback(True)
    # the same seed and day give the same projects and the same payments
    assert seen[0][0] and seen[0][1]
    assert seen[0] == seen[1]
