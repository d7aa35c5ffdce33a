"""Measures against figures computed by hand (docs/investment.md, "Measures")."""

import datetime as dt
from decimal import Decimal

import pytest

from tinhso.investment import services
from tinhso.investment.choices import AssignedBy, DisbursementKind, FundingSource, PlanLineKind
from tinhso.investment.selectors import measures
from tinhso.investment.tests.factories import BN, make_disbursement, make_line, make_project

pytestmark = pytest.mark.django_db

D = dt.date
AS_OF = D(2025, 6, 30)


@pytest.fixture
def book(world):
    """Two projects, four lines (30 bn assigned by the Prime Minister, 40 bn in all).

    P1 (the construction board, province, started 2022, group C): central 10 bn
    (PM), provincial 5 bn (province), carried over 2 bn. P2 (the traffic board,
    in the commune, started 2024): provincial 20 bn (PM), commune 5 bn (commune).
    Disbursed by 30 June: P1 3 bn − 0.5 bn recovery (a 2 bn payment rejected),
    P2 4 bn (confirmed); later: P1 1 bn provincial (1 July), P2 1 bn commune
    (1 August); carried over: 1 bn.
    """
    p1 = make_project(world, code="P1", start_year=2022)
    p2 = make_project(
        world,
        code="P2",
        owner=world.traffic_board,
        unit=world.commune,
        tier="commune",
        start_year=2024,
    )
    central = make_line(world, p1, 10 * BN, source=FundingSource.CENTRAL_BUDGET)
    p1_local = make_line(world, p1, 5 * BN, assigned_by=AssignedBy.PROVINCE)
    carried = make_line(world, p1, 2 * BN, kind=PlanLineKind.CARRIED_OVER)
    p2_prov = make_line(world, p2, 20 * BN)
    p2_commune = make_line(
        world, p2, 5 * BN, source=FundingSource.COMMUNE_BUDGET, assigned_by=AssignedBy.COMMUNE
    )
    make_disbursement(world, central, 3 * BN, D(2025, 3, 10))
    rejected = make_disbursement(world, central, 2 * BN, D(2025, 6, 15))
    services.disbursement_confirm(actor=world.leader, disbursement_id=rejected.pk, confirmed=False)
    make_disbursement(world, central, BN // 2, D(2025, 6, 20), kind=DisbursementKind.RECOVERY)
    make_disbursement(world, p1_local, BN, D(2025, 7, 1))
    make_disbursement(world, carried, BN, D(2025, 4, 1))
    confirmed = make_disbursement(world, p2_prov, 4 * BN, D(2025, 5, 5), actor=world.other_owner)
    services.disbursement_confirm(actor=world.leader, disbursement_id=confirmed.pk)
    make_disbursement(world, p2_commune, BN, D(2025, 8, 1), actor=world.other_owner)
    return p1, p2


def test_province_totals_against_both_plans(world, book):
    result = measures.overview(world.leader, year=2025, as_of=AS_OF)
    assert result.total.plan_pm == 30 * BN
    assert result.total.plan == 40 * BN
    assert result.total.disbursed == 6_500_000_000
    assert result.total.rate_pm == Decimal("21.67")
    assert result.total.rate == Decimal("16.25")
    assert result.target == Decimal("50")
    assert result.gap == Decimal("33.75")
    assert result.days_to_deadline == 215
    assert result.deadline == D(2026, 1, 31)


def test_per_source_owner_unit_tier(world, book):
    result = measures.overview(world.leader, year=2025, as_of=AS_OF)
    sources = {f.key: (f.plan_pm, f.plan, f.disbursed, f.rate) for f in result.by_source}
    assert sources == {
        "central_budget": (10 * BN, 10 * BN, 2_500_000_000, Decimal("25.00")),
        "provincial_budget": (20 * BN, 25 * BN, 4 * BN, Decimal("16.00")),
        "commune_budget": (0, 5 * BN, 0, Decimal("0.00")),
    }
    owners = {f.key: (f.plan, f.disbursed, f.rate, f.rate_pm) for f in result.by_owner}
    assert owners[world.board.pk] == (15 * BN, 2_500_000_000, Decimal("16.67"), Decimal("25.00"))
    assert owners[world.traffic_board.pk] == (25 * BN, 4 * BN, Decimal("16.00"), Decimal("20.00"))
    # Ranking: slowest first.
    assert [f.key for f in result.by_owner] == [world.traffic_board.pk, world.board.pk]
    units = {f.key: f.disbursed for f in result.by_unit}
    assert units == {world.province.pk: 2_500_000_000, world.commune.pk: 4 * BN}
    tiers = {f.key: f.plan for f in result.by_tier}
    assert tiers == {"province": 15 * BN, "commune": 25 * BN}


def test_behind_schedule_overrun_and_carried_over(world, book):
    result = measures.overview(world.leader, year=2025, as_of=AS_OF)
    assert (result.behind.projects, result.behind.plan) == (2, 40 * BN)
    assert [(o["code"], o["years_over"]) for o in result.overrun] == [("P1", 1)]
    assert (result.carried_over.plan, result.carried_over.disbursed) == (2 * BN, BN)


def test_s_curve_series(world, book):
    series = measures.overview(world.leader, year=2025, as_of=AS_OF).curve
    assert len(series) == 13
    assert [p["disbursed"] for p in series[:7]] == [
        0, 0, 3 * BN, 3 * BN, 7 * BN, 6_500_000_000, None,
    ]  # fmt: skip
    assert series[2]["rate"] == Decimal("7.50")
    assert series[2]["target"] == Decimal("19")
    assert series[12]["target"] == Decimal("99.7")


def test_confirmed_only_counts_the_treasurys_figures(world, book):
    result = measures.overview(world.leader, year=2025, as_of=AS_OF, confirmed_only=True)
    assert result.total.disbursed == 4 * BN


def test_figures_later_in_the_year(world, book):
    result = measures.overview(world.leader, year=2025, as_of=D(2025, 12, 31))
    assert result.total.disbursed == 8_500_000_000
    assert result.target == Decimal("93")
    late = measures.overview(world.leader, year=2025, as_of=D(2026, 5, 1))
    assert late.as_of == D(2026, 1, 31)
    assert late.target == Decimal("99.7")
    assert late.days_to_deadline == 0


def test_scope_limits_the_figures(world, book):
    owner = measures.overview(world.owner, year=2025, as_of=AS_OF)
    assert (owner.total.plan, owner.total.disbursed) == (15 * BN, 2_500_000_000)
    commune = measures.overview(world.commune_leader, year=2025, as_of=AS_OF)
    assert (commune.total.plan, commune.total.disbursed) == (25 * BN, 4 * BN)


def test_province_curve_set_replaces_the_default(world, book):
    services.target_curve_set(
        actor=world.leader, year=2025, percents=[5 * i for i in range(1, 14)], unit=world.province
    )
    result = measures.overview(world.leader, year=2025, as_of=AS_OF, unit=world.province)
    assert result.target == Decimal("30")


def test_project_measures(world, book):
    p1, _ = book
    figures = measures.project_measures(world.owner, p1, year=2025, as_of=AS_OF)
    assert figures["plan"] == 15 * BN
    assert figures["plan_pm"] == 10 * BN
    assert figures["disbursed"] == 2_500_000_000
    assert figures["rate"] == Decimal("16.67")
    assert figures["gap"] == Decimal("33.33")
    assert figures["days_to_deadline"] == 215
    assert figures["allocation_years_over"] == 1


def test_overview_queries_are_bounded(world, book, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        measures.overview(world.leader, year=2025, as_of=AS_OF)
