"""The investment overview page and its API with 1,500 projects and 500,000 disbursements.

Run: .venv/bin/python bench/investment_overview.py [--projects 1500] [--rows 500000]
         [--repeat 5] [--duration 10] [--connections 4]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/investment_overview.py

1. Uses ``DATABASE_URL`` or the PostgreSQL database ``tinhso_bench_invpages`` on
   127.0.0.1 (created when missing), prepared with ``tinhso demo --no-serve``.
   When the database holds fewer than ``--projects`` projects or ``--rows``
   disbursements, the script adds projects coded ``OV-nnnnn`` (the demo's project
   boards and commune committees, province and commune tiers, every sector), two
   annual lines each (central budget assigned by the Prime Minister, provincial
   budget by the province) for ``--year`` and the disbursements, spread over the
   year, each line ending between 10% and 100% disbursed, written with ``COPY``
   (the services are measured by the tests, not here). The monthly disbursement
   summary the measures read is rebuilt (timed) when it does not account for
   every disbursement row (``investment_measures.ensure_summary``). Then
   ``ANALYZE``.
2. In this process, with Django's test client signed in as the city leader
   (``lanhdao.tp``, the whole province) and as the demo project owner
   (``chudautu``): ``GET /quan-tri/dau-tu/?nam=YEAR`` (the page, templates
   rendered; the overview cache emptied before each call, and once more with the
   figures cached), the same with a filter (one owner), and
   ``GET /api/v1/investment/measures?year=YEAR`` (bearer token): the first call
   (cold: nothing of it read before in this process), then the median and max
   of ``--repeat`` calls (warm), and the query count.
3. Over HTTP: gunicorn (``--workers``) and ``wrk`` (``--connections`` for
   ``--duration`` seconds) on the leader's page (after the first request the
   figures come from the overview cache while nothing changes; each gunicorn
   worker has its own unless ``REDIS_URL`` is set) and API: requests per second
   and latency percentiles.

Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    Server,
    bench_env,
    describe_url,
    ensure_postgres_database,
    is_postgres,
    lua_string,
    machine_line,
    prepare_demo,
    print_header,
    print_row,
    run_wrk,
    setup_django,
    warm_up,
    wrk_available,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench_invpages"
LEADER, OWNER = "lanhdao.tp", "chudautu"
BN = 1_000_000_000


def seed(projects: int, rows: int, year: int) -> None:
    """Projects, plan lines and disbursements up to the counts asked (COPY on PostgreSQL)."""
    from django.db import connection, transaction

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

    have_projects = Project.objects.count()
    have_rows = Disbursement.objects.count()
    if have_projects >= projects and have_rows >= rows:
        print(f"data present: {have_projects:,} projects, {have_rows:,} disbursements")
        return
    started = time.perf_counter()
    rng = random.Random(year)
    province = AdministrativeUnit.objects.get(version=UnitVersion.POST_2025, code="31")
    owner = User.objects.get(username=OWNER)
    boards = list(Organisation.objects.filter(kind=OrganisationKind.PROJECT_BOARD))
    communes = list(
        Organisation.objects.filter(kind=OrganisationKind.COMMUNE_COMMITTEE).select_related("unit")
    )
    sectors = list(Sector.values)
    offset = Project.objects.filter(code__startswith="OV-").count()
    with transaction.atomic():
        plan, _created = CapitalPlan.objects.get_or_create(
            unit=province,
            kind=PlanKind.ANNUAL,
            year_from=year,
            year_to=year,
            defaults={"name": f"Kế hoạch đầu tư công năm {year}"},
        )
        new = []
        for index in range(offset, offset + max(projects - have_projects, 0)):
            on_province = index % 3 == 0 or not communes
            organisation = (
                boards[index % len(boards)] if on_province else communes[index % len(communes)]
            )
            if index < 66:
                organisation, on_province = owner.organisation, True
            total = rng.randint(5, 400) * BN
            sector = sectors[index % len(sectors)]
            new.append(
                Project(
                    code=f"OV-{index:05d}",
                    name=f"Dự án đo tải số {index}",
                    tier=ProjectTier.PROVINCE if on_province else ProjectTier.COMMUNE,
                    owner=organisation,
                    sector=sector,
                    group=project_group(sector, total),
                    total_investment=total,
                    unit=province if on_province else organisation.unit,
                    phase=ProjectPhase.IMPLEMENTATION,
                    start_year=rng.choice((2021, 2022, 2023, 2024, year)),
                    end_year=year + 1,
                )
            )
        Project.objects.bulk_create(new, batch_size=1000)
        lines = []
        for project in Project.objects.filter(plan_lines__isnull=True).only(
            "id", "total_investment"
        ):
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
                        year=year,
                        deadline=default_deadline(year),
                    )
                )
        PlanLine.objects.bulk_create(lines, batch_size=2000)
    all_lines = list(
        PlanLine.objects.filter(year=year, amount__gt=0).values_list("pk", "project_id", "amount")
    )
    missing = rows - have_rows
    if missing > 0 and all_lines:
        per_line = max(1, missing // len(all_lines))
        first = dt.date(year, 1, 1)
        days = min((dt.date.today() - first).days, 364)
        now = dt.datetime.now(dt.UTC).isoformat()
        buffer = io.StringIO()
        written = 0
        for line_id, project_id, amount in all_lines:
            if written >= missing:
                break
            count = min(per_line, missing - written)
            each = max(1, int(amount * rng.uniform(0.1, 1.0)) // count)
            for _ in range(count):
                on = first + dt.timedelta(days=rng.randint(0, max(days, 0)))
                status = "treasury_confirmed" if rng.random() < 0.7 else "reported"
                buffer.write(
                    f"{line_id}\t{project_id}\t{on.isoformat()}\t{each}\tpayment\t\t{status}\t\t{now}\n"
                )
            written += count
        buffer.seek(0)
        columns = (
            "plan_line_id, project_id, date, amount, kind, treasury_reference, status, note,"
            " created_at"
        )
        table = Disbursement._meta.db_table
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
        else:  # SQLite: the same rows through the ORM
            batch = []
            for text in buffer:
                line_id, project_id, on, amount, kind, _ref, status, _note, _at = text.split("\t")
                batch.append(
                    Disbursement(
                        plan_line_id=int(line_id),
                        project_id=int(project_id),
                        date=dt.date.fromisoformat(on),
                        amount=int(amount),
                        kind=kind,
                        status=status,
                    )
                )
            Disbursement.objects.bulk_create(batch, batch_size=5000)
    seconds = time.perf_counter() - started
    print(
        f"seeded to {Project.objects.count():,} projects, {PlanLine.objects.count():,} plan lines,"
        f" {Disbursement.objects.count():,} disbursements in {seconds:.0f} s"
    )


def analyze() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - started:.1f} s")


def timed(call, repeat: int):
    """(first ms, median ms, max ms, queries of one call, last response): the first call, then
    ``repeat`` more."""
    from django.db import connection

    started = time.perf_counter()
    call()  # the first call: cold
    first = (time.perf_counter() - started) * 1e3
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        response = call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - started) * 1e3)
    return first, statistics.median(times), max(times), count[0], response


def cold(call):
    """``call`` with the overview cache emptied first: the figures read from the tables."""
    from django.core.cache import cache

    def run():
        cache.clear()
        return call()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1500)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-http", action="store_true", help="skip gunicorn + wrk")
    args = parser.parse_args()

    import os

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if is_postgres(url):
        ensure_postgres_database(url)
    env = bench_env(database_url=url, DATABASE_URL=url)
    print(describe_url(url))
    print(machine_line())
    print(f"demo prepared in {prepare_demo(env):.0f} s")
    setup_django(env)

    from django.test import Client

    from tinhso.core.auth import api_token_issue
    from tinhso.core.models import User
    from tinhso.investment.models import Disbursement, Project

    seed(args.projects, args.rows, args.year)
    from investment_measures import ensure_summary

    ensure_summary()
    analyze()
    print(
        f"data: {Project.objects.count():,} projects, {Disbursement.objects.count():,} disbursements"
    )

    users = {name: User.objects.get(username=name) for name in (LEADER, OWNER)}
    page = f"/quan-tri/dau-tu/?nam={args.year}"
    owner_filter = f"{page}&chu-dau-tu={users[OWNER].organisation_id}"
    api = f"/api/v1/investment/measures?year={args.year}"
    _token, key = api_token_issue(user=users[LEADER])
    clients = {}
    for name, user in users.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        clients[name] = client
    print(
        f"\n{'in process (test client)':<44}{'first ms':>10}{'median ms':>10}{'max ms':>9}"
        f"{'queries':>9}"
    )
    scenarios = [
        ("page, leader (whole province)", cold(lambda: clients[LEADER].get(page))),
        ("page, leader, again (figures cached)", lambda: clients[LEADER].get(page)),
        ("page, leader, one owner's filter", cold(lambda: clients[LEADER].get(owner_filter))),
        ("page, project owner (one board)", cold(lambda: clients[OWNER].get(page))),
        (
            "API measures, leader",
            lambda: Client(HTTP_HOST="127.0.0.1").get(api, HTTP_AUTHORIZATION=f"Bearer {key}"),
        ),
    ]
    for label, call in scenarios:
        first, median, worst, queries, response = timed(call, args.repeat)
        assert response.status_code == 200, (label, response.status_code)
        print(f"{label:<44}{first:>10.0f}{median:>10.0f}{worst:>9.0f}{queries:>9}")

    if args.no_http:
        return 0
    if not wrk_available():
        print("wrk is not installed: HTTP load skipped")
        return 0
    from django.conf import settings

    cookie_name = settings.SESSION_COOKIE_NAME
    session = clients[LEADER].cookies[cookie_name].value
    with Server(env, workers=args.workers) as server:
        warm_up(server.port, [])
        print(f"\n{server.description}; wrk {args.connections} connections, {args.duration} s")
        print_header()
        for label, path, header in (
            ("GET page, leader", page, f"Cookie: {cookie_name}={session}"),
            ("GET API measures, leader", api, f"Authorization: Bearer {key}"),
        ):
            name, value = header.split(": ", 1)
            script = (
                f"wrk.method = 'GET'\nwrk.path = {lua_string(path)}\n"
                f"wrk.headers[{lua_string(name)}] = {lua_string(value)}\n"
            )
            result = run_wrk(
                server.port,
                script,
                name="investment_overview",
                threads=1,
                connections=args.connections,
                duration=args.duration,
            )
            print_row(label, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
