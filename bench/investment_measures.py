"""Public-investment measures over 1,500 projects and 500,000 disbursements: time and queries.

Run: .venv/bin/python bench/investment_measures.py [--projects 1500] [--rows 500000] [--repeat 5]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/investment_measures.py

Uses ``DATABASE_URL`` or the PostgreSQL database ``tinhso_bench_invest`` on 127.0.0.1
(created when missing), prepared with ``tinhso demo --no-serve`` (which loads the
investment demo when present). It then tops the database up, once, to ``--projects``
projects (adding ``BENCH-nnnnn`` projects over the demo's project boards and commune
committees, each with two annual plan lines: central budget assigned by the Prime
Minister, provincial budget by the province) and to ``--rows`` disbursements spread
over the year on the annual lines of the year, written with ``bulk_create`` (the
services are measured by the tests, not here), and rebuilds the monthly
disbursement summary the measures read (``summaries.rebuild_all``, timed) whenever
it does not account for every disbursement row. Then it prints the first call
(figures never read before in this process: cold) and the median and maximum of
``--repeat`` calls after it (warm), with the query count:

1. ``measures.overview`` for the city leader (the whole province) and for the demo
   project owner ``chudautu`` (one board), on 31 December (whole months: the
   summary alone) and on 17 December (the month under way read from the
   disbursements);
2. ``GET /api/v1/investment/measures`` for the leader through Django's test client
   (the full request: auth, scope, serialisation);
3. ``alerts_evaluate`` (first run and a second, idempotent one);
4. ``EXPLAIN ANALYZE`` of the leader's overview queries (PostgreSQL, unless
   ``--no-explain``).

Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    bench_env,
    describe_url,
    ensure_postgres_database,
    is_postgres,
    machine_line,
    prepare_demo,
    setup_django,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench_invest"
LEADER, OWNER = "lanhdao.tp", "chudautu"
YEAR = 2025
BN = 1_000_000_000


def seed(projects: int, rows: int) -> None:
    from django.db import transaction

    from tinhso.core.choices import OrganisationKind, UnitVersion
    from tinhso.core.models import AdministrativeUnit, Organisation, User
    from tinhso.investment.choices import (
        AssignedBy,
        FundingSource,
        PlanKind,
        PlanLineKind,
        ProjectPhase,
        ProjectTier,
        Sector,
    )
    from tinhso.investment.models import CapitalPlan, Disbursement, PlanLine, Project
    from tinhso.investment.rules import default_deadline, project_group

    existing = Project.objects.count()
    if existing >= projects and Disbursement.objects.count() >= rows:
        print(
            f"data present: {existing:,} projects, {Disbursement.objects.count():,} disbursements"
        )
        return
    started = time.perf_counter()
    rng = random.Random(2025)
    province = AdministrativeUnit.objects.get(version=UnitVersion.POST_2025, code="31")
    owner = User.objects.get(username=OWNER)
    boards = list(Organisation.objects.filter(kind=OrganisationKind.PROJECT_BOARD))
    communes = list(
        Organisation.objects.filter(kind=OrganisationKind.COMMUNE_COMMITTEE).select_related("unit")
    )
    sectors = list(Sector.values)
    with transaction.atomic():
        plan, _ = CapitalPlan.objects.get_or_create(
            unit=province,
            kind=PlanKind.ANNUAL,
            year_from=YEAR,
            year_to=YEAR,
            defaults={"name": f"Kế hoạch đầu tư công năm {YEAR}"},
        )
        new = []
        first_index = Project.objects.filter(code__startswith="BENCH-").count()
        for index in range(first_index, first_index + max(0, projects - existing)):
            on_province = index % 3 == 0 or not communes
            organisation = (
                boards[index % len(boards)] if on_province else communes[index % len(communes)]
            )
            if index < 66:
                organisation = owner.organisation  # the provincial board's 66 projects
                on_province = True
            total = rng.randint(5, 400) * BN
            sector = sectors[index % len(sectors)]
            new.append(
                Project(
                    code=f"BENCH-{index:05d}",
                    name=f"Dự án thử tải số {index}",
                    tier=ProjectTier.PROVINCE if on_province else ProjectTier.COMMUNE,
                    owner=organisation,
                    sector=sector,
                    group=project_group(sector, total),
                    total_investment=total,
                    unit=province if on_province else organisation.unit,
                    phase=ProjectPhase.IMPLEMENTATION,
                    start_year=rng.choice((2021, 2022, 2023, 2024, 2025)),
                    end_year=2026,
                )
            )
        Project.objects.bulk_create(new, batch_size=1000)
        lines = []
        for project in Project.objects.filter(code__startswith="BENCH-", plan_lines__isnull=True):
            share = project.total_investment // 4
            for source, assigned_by in (
                (FundingSource.CENTRAL_BUDGET, AssignedBy.PRIME_MINISTER),
                (FundingSource.PROVINCIAL_BUDGET, AssignedBy.PROVINCE),
            ):
                lines.append(
                    PlanLine(
                        plan=plan,
                        project=project,
                        source=source,
                        assigned_by=assigned_by,
                        kind=PlanLineKind.INITIAL,
                        amount=share,
                        year=YEAR,
                        deadline=default_deadline(YEAR),
                    )
                )
        PlanLine.objects.bulk_create(lines, batch_size=2000)
    # Top the disbursements up to ``rows`` over every annual line of the year.
    all_lines = list(
        PlanLine.objects.filter(year=YEAR, plan__kind=PlanKind.ANNUAL)
        .exclude(kind=PlanLineKind.CARRIED_OVER)
        .values_list("pk", "project_id", "amount")
    )
    missing = rows - Disbursement.objects.count()
    per_line = max(1, -(-missing // max(1, len(all_lines))))
    batch = []
    written = 0
    first = dt.date(YEAR, 1, 1)
    for line_id, project_id, amount in all_lines:
        if written >= missing:
            break
        # A share of the line, so that demo rows plus these stay near the plan.
        target = int(max(amount, BN) * rng.uniform(0.05, 0.5))
        each = max(1, target // per_line)
        for _ in range(min(per_line, missing - written)):
            batch.append(
                Disbursement(
                    plan_line_id=line_id,
                    project_id=project_id,
                    date=first + dt.timedelta(days=rng.randint(0, 364)),
                    amount=each,
                    status="treasury_confirmed" if rng.random() < 0.7 else "reported",
                )
            )
        written += min(per_line, missing - written)
        if len(batch) >= 20_000:
            Disbursement.objects.bulk_create(batch)
            batch = []
    if batch:
        Disbursement.objects.bulk_create(batch)
    seconds = time.perf_counter() - started
    print(
        f"seeded {projects - existing:,} projects, {len(lines):,} plan lines, "
        f"{Disbursement.objects.count():,} disbursements in {seconds:.0f} s"
    )


def ensure_summary() -> None:
    """Rebuild the monthly summary when it does not account for every disbursement row."""
    from django.db.models import Sum

    from tinhso.investment.choices import DisbursementStatus
    from tinhso.investment.models import Disbursement, DisbursementMonth
    from tinhso.investment.summaries import rebuild_all

    rows = Disbursement.objects.exclude(status=DisbursementStatus.REJECTED).count()
    summed = DisbursementMonth.objects.aggregate(n=Sum("count"))["n"] or 0
    if rows == summed:
        print(
            f"summary present: {DisbursementMonth.objects.count():,} rows for {rows:,} disbursements"
        )
        return
    started = time.perf_counter()
    report = rebuild_all()
    print(
        f"summary rebuilt in {time.perf_counter() - started:.1f} s: {report.written:,} rows, "
        f"{report.plan_lines:,} plan lines, {report.disbursements:,} disbursements"
    )


def timed(call, repeat: int):
    """(first call s, median s, max s, queries, result): the first call is the cold one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    with CaptureQueriesContext(connection) as captured:
        result = call()
    queries = len(captured.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times), max(times), queries, result


def explain(call) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "investment_" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        print("\n  " + sql[:200] + (" ..." if len(sql) > 200 else ""))
        for line in plan[:3] + [line for line in plan if "Execution Time" in line]:
            print("    " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1500)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if is_postgres(url):
        ensure_postgres_database(url)
    env = bench_env(database_url=url)
    print(f"database: {describe_url(url)}")
    print(f"demo data: {prepare_demo(env):.1f} s (tinhso demo --no-serve, skipped when present)")
    setup_django(env)
    seed(args.projects, args.rows)
    ensure_summary()
    if is_postgres(url):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE investment_capitalplan, investment_disbursement, investment_planline,"
                " investment_project, investment_disbursementmonth"
            )

    from django.test import Client

    from tinhso.core.auth import api_token_issue
    from tinhso.core.models import User
    from tinhso.core.permissions import clear_scope_cache
    from tinhso.investment.alerts import alerts_evaluate
    from tinhso.investment.selectors import measures

    users = {u.username: u for u in User.objects.filter(username__in=(LEADER, OWNER))}
    as_of = dt.date(YEAR, 12, 31)
    mid_month = dt.date(YEAR, 12, 17)
    print(machine_line())
    print(f"plan year {YEAR}; first call (cold), then median and max of {args.repeat} calls")

    def overview(user, day=as_of):
        def call():
            clear_scope_cache(user)
            return measures.overview(user, year=YEAR, as_of=day)

        return call

    for label, user, day in (
        (f"{LEADER} (province)", users[LEADER], as_of),
        (f"{LEADER} (province)", users[LEADER], mid_month),
        (f"{OWNER} (one board)", users[OWNER], as_of),
        (f"{OWNER} (one board)", users[OWNER], mid_month),
    ):
        first, median, worst, queries, result = timed(overview(user, day), args.repeat)
        print(
            f"  overview {label:24} on {day}: first {first:.3f} s, median {median:.3f} s, "
            f"max {worst:.3f} s, {queries} queries; "
            f"{len(result.projects):,} projects, plan {result.total.plan / BN:,.0f} bn, "
            f"disbursed {result.total.disbursed / BN:,.0f} bn ({result.total.rate}%)"
        )

    _token, key = api_token_issue(user=users[LEADER])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="127.0.0.1")

    def api_call():
        answer = client.get(
            "/api/v1/investment/measures", {"year": YEAR, "as_of": as_of.isoformat()}
        )
        assert answer.status_code == 200, answer.content[:300]
        return answer

    first, median, worst, queries, answer = timed(api_call, args.repeat)
    print(
        f"  GET /api/v1/investment/measures (leader)   first {first:.3f} s, median {median:.3f} s, "
        f"max {worst:.3f} s, {queries} queries, {len(answer.content):,} bytes"
    )

    for run in ("first", "second"):
        started = time.perf_counter()
        report = alerts_evaluate(today=dt.date(YEAR, 7, 5))
        print(
            f"  alerts_evaluate ({run} run)  {time.perf_counter() - started:.2f} s: "
            f"{report.as_dict()}"
        )

    if is_postgres(url) and not args.no_explain:
        print("\nEXPLAIN ANALYZE of the leader's overview:")
        explain(overview(users[LEADER]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
