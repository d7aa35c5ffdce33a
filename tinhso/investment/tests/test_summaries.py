"""The monthly disbursement summary stays equal to a recomputation from the disbursements."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection

from tinhso.dossiers.tests.test_concurrency import (
    units_back_afterwards,  # noqa: F401 (the transactional test below empties the units)
)
from tinhso.investment import services, summaries
from tinhso.investment.choices import DisbursementKind, DisbursementStatus
from tinhso.investment.models import Disbursement, DisbursementMonth
from tinhso.investment.tests.factories import BN, make_disbursement, make_line, make_project

pytestmark = pytest.mark.django_db

D = dt.date


def assert_exact():
    assert summaries.stored() == summaries.recomputed()


def test_record_confirm_reject_and_recovery_keep_the_summary(world):
    project = make_project(world, code="S1")
    line = make_line(world, project, 10 * BN)
    first = make_disbursement(world, line, 3 * BN, D(2025, 3, 10))
    make_disbursement(world, line, BN, D(2025, 3, 20))
    march, april = (line.pk, project.pk, D(2025, 3, 1)), (line.pk, project.pk, D(2025, 4, 1))
    assert summaries.stored() == {march: (4 * BN, 2, 0, 0)}
    services.disbursement_confirm(actor=world.leader, disbursement_id=first.pk)
    assert summaries.stored() == {march: (4 * BN, 2, 3 * BN, 1)}
    third = make_disbursement(world, line, 2 * BN, D(2025, 4, 1))
    services.disbursement_confirm(actor=world.leader, disbursement_id=third.pk, confirmed=False)
    make_disbursement(world, line, BN // 2, D(2025, 4, 2), kind=DisbursementKind.RECOVERY)
    assert summaries.stored() == {march: (4 * BN, 2, 3 * BN, 1), april: (-BN // 2, 1, 0, 0)}
    assert_exact()


def test_a_refused_record_leaves_the_summary_unchanged(world):
    project = make_project(world, code="S2")
    line = make_line(world, project, 2 * BN)
    make_disbursement(world, line, BN, D(2025, 5, 5))
    before = summaries.stored()
    with pytest.raises(Exception):  # noqa: B017 (above the plan line: AbovePlan)
        make_disbursement(world, line, 5 * BN, D(2025, 5, 6))
    assert summaries.stored() == before


def test_a_deleted_disbursement_leaves_its_line_exact(world):
    project = make_project(world, code="S3")
    line = make_line(world, project, 10 * BN)
    row = make_disbursement(world, line, 2 * BN, D(2025, 6, 1))
    make_disbursement(world, line, BN, D(2025, 6, 2))
    row.delete()
    assert summaries.stored() == {(line.pk, project.pk, D(2025, 6, 1)): (BN, 1, 0, 0)}
    Disbursement.objects.filter(plan_line=line).delete()
    assert summaries.stored() == {}


def test_refresh_recomputes_rows_written_behind_its_back(world):
    project = make_project(world, code="S4")
    line = make_line(world, project, 10 * BN)
    other = make_line(world, project, 10 * BN)
    make_disbursement(world, line, BN, D(2025, 2, 1))
    Disbursement.objects.create(
        plan_line=line,
        project=project,
        date=D(2025, 2, 3),
        amount=2 * BN,
        status=DisbursementStatus.TREASURY_CONFIRMED,
    )
    Disbursement.objects.create(plan_line=other, project=project, date=D(2025, 7, 3), amount=BN)
    assert summaries.stored() != summaries.recomputed()
    summaries.refresh_plan_lines([line.pk])
    assert summaries.stored([line.pk]) == summaries.recomputed([line.pk])
    assert summaries.stored([other.pk]) == {}
    summaries.refresh_plan_lines(iter([other.pk, other.pk, 999_999]))
    assert_exact()
    summaries.refresh_plan_lines([])
    assert_exact()


def test_random_mix_of_operations_stays_exact(world):
    """Seeded record, confirm, reject and recovery operations over three lines."""
    rng = random.Random(58)
    project = make_project(world, code="S5")
    lines = [make_line(world, project, 50 * BN) for _ in range(3)]
    reported: list[int] = []
    for step in range(60):
        action = rng.random()
        if reported and action < 0.35:
            pk = reported.pop(rng.randrange(len(reported)))
            services.disbursement_confirm(
                actor=world.leader, disbursement_id=pk, confirmed=rng.random() < 0.7
            )
        else:
            line = rng.choice(lines)
            on = D(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 395))
            disbursed = sum(values[0] for values in summaries.stored([line.pk]).values())
            if action < 0.5 and disbursed > BN:
                row = make_disbursement(
                    world,
                    line,
                    rng.randint(1, disbursed // BN) * BN // 2,
                    on,
                    kind=DisbursementKind.RECOVERY,
                )
            else:
                row = make_disbursement(world, line, rng.randint(1, 5) * BN // 4, on)
            reported.append(row.pk)
        if step % 10 == 0:
            assert_exact()
    assert_exact()
    assert DisbursementMonth.objects.filter(confirmed_count__gt=0).exists()
    assert Disbursement.objects.filter(status=DisbursementStatus.REJECTED).exists()
    assert Disbursement.objects.filter(amount__lt=0).exists()


def test_rebuild_command_is_idempotent_and_prints_counts(world, capsys):
    project = make_project(world, code="S6")
    line = make_line(world, project, 10 * BN)
    make_disbursement(world, line, BN, D(2025, 2, 1))
    make_disbursement(world, line, BN, D(2025, 3, 1))
    DisbursementMonth.objects.all().delete()
    call_command("investment_summary_rebuild")
    out = capsys.readouterr().out
    assert_exact()
    first = summaries.stored()
    assert len(first) == 2
    assert "2" in out
    call_command("investment_summary_rebuild", "--json")
    out = capsys.readouterr().out
    assert summaries.stored() == first
    assert '"written": 2' in out and '"removed": 2' in out and '"disbursements": 2' in out


# --- the bulk writers ------------------------------------------------------------------


@pytest.fixture
def demo_base():
    from tinhso.core.demo.seeder import demo_seed

    demo_seed(actor=None, citizens=5)


def test_the_demo_fills_the_summary(demo_base):
    from tinhso.investment.demo import investment_demo_seed

    report = investment_demo_seed(actor=None, today=D(2026, 3, 16), alerts=False)
    assert report.disbursements > 10_000
    stored = summaries.stored()
    assert stored == summaries.recomputed()
    assert sum(values[1] for values in stored.values()) == report.disbursements


def test_seed_investment_fills_the_summary(demo_base):
    call_command("seed_investment", "--projects", "30", "--disbursements", "2000")
    assert Disbursement.objects.count() > 1500
    assert_exact()
    # a second run adds lines; the first run's rows are untouched and still exact
    call_command("seed_investment", "--projects", "10", "--disbursements", "300")
    assert_exact()


# --- the read path ---------------------------------------------------------------------


def _random_book(world, rng, projects: int = 3) -> None:
    for index in range(projects):
        project = make_project(world, code=f"R{index}")
        for line in (make_line(world, project, 40 * BN), make_line(world, project, 20 * BN)):
            for _ in range(rng.randint(2, 6)):
                on = D(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 395))
                row = make_disbursement(world, line, rng.randint(1, 8) * BN // 4, on)
                if rng.random() < 0.5:
                    services.disbursement_confirm(
                        actor=world.leader, disbursement_id=row.pk, confirmed=rng.random() < 0.8
                    )


def _brute(as_of: dt.date, *, confirmed_only: bool = False) -> int:
    rows = Disbursement.objects.filter(date__lte=as_of, plan_line__year=2025)
    if confirmed_only:
        rows = rows.filter(status=DisbursementStatus.TREASURY_CONFIRMED)
    else:
        rows = rows.exclude(status=DisbursementStatus.REJECTED)
    return sum(rows.values_list("amount", flat=True))


def test_overview_equals_a_sum_of_the_rows_on_any_day(world):
    from tinhso.investment.selectors import measures

    rng = random.Random(2025)
    _random_book(world, rng)
    days = [D(2025, 3, 31), D(2025, 3, 15), D(2025, 1, 1), D(2025, 12, 31), D(2026, 1, 20)]
    days += [D(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 395)) for _ in range(5)]
    for day in days:
        for confirmed_only in (False, True):
            result = measures.overview(
                world.leader, year=2025, as_of=day, confirmed_only=confirmed_only
            )
            assert result.total.disbursed == _brute(day, confirmed_only=confirmed_only), day
    curve = measures.overview(world.leader, year=2025, as_of=D(2026, 1, 31)).curve
    for point in curve:
        assert point["disbursed"] == _brute(point["date"])


def test_book_outside_the_plan_period_equals_a_sum_of_the_rows(world):
    from tinhso.investment.selectors import measures

    _random_book(world, random.Random(5), projects=2)
    for day in (D(2024, 12, 31), D(2025, 1, 1), D(2026, 2, 28), D(2026, 6, 15)):
        books = measures.book(world.leader, year=2025, as_of=day)
        assert sum(books.upto.values()) == _brute(day), day


def test_project_measures_equal_a_sum_of_the_rows(world):
    from tinhso.investment.selectors import measures

    _random_book(world, random.Random(7), projects=2)
    project = Disbursement.objects.first().project
    for day in (D(2025, 6, 30), D(2025, 6, 17)):
        figures = measures.project_measures(world.leader, project, year=2025, as_of=day)
        expected = sum(
            Disbursement.objects.filter(project=project, date__lte=day)
            .exclude(status=DisbursementStatus.REJECTED)
            .values_list("amount", flat=True)
        )
        assert figures["disbursed"] == expected


def _overview_sql(world, as_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tinhso.core.permissions import clear_scope_cache
    from tinhso.investment.selectors import measures

    clear_scope_cache(world.leader)
    with CaptureQueriesContext(connection) as captured:
        measures.overview(world.leader, year=2025, as_of=as_of)
    return [q["sql"] for q in captured.captured_queries]


def test_overview_reads_the_disbursements_only_for_the_month_under_way(world):
    _random_book(world, random.Random(3), projects=2)
    table = '"investment_disbursement"'
    month_end = _overview_sql(world, D(2025, 6, 30))
    assert not [sql for sql in month_end if table in sql]
    assert [sql for sql in month_end if '"investment_disbursementmonth"' in sql]
    mid_month = _overview_sql(world, D(2025, 6, 17))
    reads = [sql for sql in mid_month if table in sql]
    assert len(reads) == 1
    assert "2025-06-01" in reads[0] and "2025-06-17" in reads[0]
    assert len(mid_month) == len(month_end) + 1


def test_overview_query_count_does_not_grow_with_projects(world):
    rng = random.Random(11)
    _random_book(world, rng, projects=1)
    few = len(_overview_sql(world, D(2025, 6, 17)))
    for index in range(5):
        project = make_project(world, code=f"M{index}")
        line = make_line(world, project, 10 * BN)
        make_disbursement(world, line, BN, D(2025, 6, 10))
    assert len(_overview_sql(world, D(2025, 6, 17))) == few
    assert few <= 10


# --- concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real threads"
)
def test_concurrent_writers_refreshing_one_line_stay_exact():
    """Writers that do not lock the project (a bulk path) still leave the line exact."""
    import time

    from django.db import transaction

    from tinhso.dossiers.tests.test_concurrency import _ensure_units, run_threads
    from tinhso.investment.tests.factories import make_world

    _ensure_units()
    world = make_world()
    project = make_project(world, code="SC-1")
    line = make_line(world, project, 100 * BN)

    def work(index):
        with transaction.atomic():
            Disbursement.objects.create(
                plan_line=line, project=project, date=D(2025, 5, 1 + index), amount=BN
            )
            time.sleep(0.2)  # the others insert meanwhile
            summaries.refresh_plan_lines([line.pk])
        return index

    results, failures = run_threads(4, work)
    assert failures == [None] * 4
    assert sorted(results) == [0, 1, 2, 3]
    assert summaries.stored() == {(line.pk, project.pk, D(2025, 5, 1)): (4 * BN, 4, 0, 0)}
