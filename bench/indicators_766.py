"""Decision 766 indicators over a province-year of a million dossiers: time and query plan.

Run: .venv/bin/python bench/indicators_766.py [--year 2025] [--scale 1000000] [--repeat 5]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/indicators_766.py

Uses ``DATABASE_URL`` or the PostgreSQL database ``tinhso_bench_inbox`` on 127.0.0.1
(the one ``bench/inbox_pages.py`` uses). On a fresh database it creates it, runs
``tinhso demo --no-serve`` and ``tinhso seed_dossiers --year YEAR`` until the year holds
``--scale`` dossiers (with their files, supplement counts, apology letters and
payments), creates the dossier indexes a reused database lacks and runs ``ANALYZE``
(autovacuum may be off). Then:

1. for the city leader (the whole province), the same leader narrowed to one
   department (``organisation=``), the department's head and a commune's head, it
   computes the indicators of the year (``tinhso.ioc.indicators.compute``) ``--repeat``
   times after one warm-up call and prints the median and maximum seconds, the query
   count and the on-time figures;
2. the drill-down of the biggest number (the dossiers submitted in the year, and the
   handled ones) as the page and the API run it: the count and the first page;
3. ``EXPLAIN (ANALYZE, BUFFERS)`` of every query of the city leader's ``compute``
   and of the drill-down's page query.

Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
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
    manage,
    prepare_demo,
    setup_django,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench_inbox"
LEADER, HEAD, COMMUNE_HEAD = "lanhdao.tp", "lanhdao.so", "lanhdao.xa"


def seed(env: dict, year: int, scale: int) -> None:
    from tinhso.dossiers.models import Dossier

    existing = Dossier.objects.filter(submitted_at__year=year).count()
    missing = scale - existing
    if missing > 0:
        started = time.perf_counter()
        manage(
            env,
            "seed_dossiers",
            "--scale",
            str(missing),
            "--batch",
            "10000",
            "--year",
            str(year),
            capture=True,
        )
        seconds = time.perf_counter() - started
        print(
            f"seeded {missing:,} dossiers of {year} in {seconds:.0f} s ({missing / seconds:,.0f}/s)"
        )
    print(f"dossiers submitted in {year}: {max(existing, scale):,}")


def ensure_indexes() -> None:
    """The dossier indexes the models declare that a reused database lacks (0001 regenerated)."""
    from django.db import connection

    from tinhso.dossiers.models import ApologyLetter, Dossier, DossierFile

    for model in (Dossier, DossierFile, ApologyLetter):
        with connection.cursor() as cursor:
            existing = set(connection.introspection.get_constraints(cursor, model._meta.db_table))
        for index in model._meta.indexes:
            if index.name in existing:
                continue
            started = time.perf_counter()
            with connection.schema_editor() as editor:
                editor.add_index(model, index)
            print(f"index {index.name} created: {time.perf_counter() - started:.1f} s")


def analyze_if_needed() -> None:
    """``ANALYZE`` when the dossier table has never been analysed (autovacuum may be off)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(last_analyze, last_autoanalyze) IS NULL OR n_mod_since_analyze > 0"
            " FROM pg_stat_user_tables WHERE relname = 'dossiers_dossier'"
        )
        row = cursor.fetchone()
        if row and not row[0]:
            return
        started = time.perf_counter()
        cursor.execute("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - started:.1f} s")


def busiest_department(year: int):
    """The department deciding the most dossiers of the year (the "one department" case)."""
    from django.db.models import Count

    from tinhso.core.choices import OrganisationKind
    from tinhso.core.models import Organisation
    from tinhso.dossiers.models import Dossier

    top = (
        Dossier.objects.filter(
            submitted_at__year=year,
            competent_organisation__kind=OrganisationKind.DEPARTMENT,
        )
        .values("competent_organisation")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Organisation.objects.get(pk=top["competent_organisation"]) if top else None


def timed(call, repeat: int):
    """(median s, max s, queries of one call, last result): one warm-up, one counted, then timed."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call()
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    queries = len(captured.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), queries, result


def explain(label: str, call) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tinhso.ioc import indicators

    with CaptureQueriesContext(connection) as captured:
        call()
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"\n--- {label}: {sql[:200]}{'…' if len(sql) > 200 else ''}")
        # The aggregate runs with the work_mem compute() gives it; explain it so.
        memory = indicators._hashed_sets() if "FILTER" in sql else contextlib.nullcontext()
        with memory, connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (line,) in cursor.fetchall():
                print("    " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025, help="the year measured and seeded")
    parser.add_argument("--scale", type=int, default=1_000_000, help="dossiers in the year")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--skip-demo", action="store_true", help="the database already holds the demo data"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if is_postgres(url):
        ensure_postgres_database(url)
    env = bench_env(database_url=url)
    print(f"database: {describe_url(url)}")
    if not args.skip_demo:
        print(
            f"demo data: {prepare_demo(env):.1f} s (tinhso demo --no-serve, skipped when present)"
        )
    setup_django(env)
    seed(env, args.year, args.scale)
    ensure_indexes()
    if is_postgres(url):
        analyze_if_needed()

    from django.test import Client

    from tinhso.core.models import User
    from tinhso.core.permissions import clear_scope_cache
    from tinhso.ioc import indicators

    users = {u.username: u for u in User.objects.filter(username__in=(LEADER, HEAD, COMMUNE_HEAD))}
    leader = users[LEADER]
    period = indicators.make_period(dt.date(args.year, 1, 1), dt.date(args.year, 12, 31))
    print(machine_line())
    print(f"period: {period.first} to {period.last}; median and max of {args.repeat} calls")

    def compute(user, **filters):
        def call():
            clear_scope_cache(user)
            return indicators.compute(user, period, **filters)

        return call

    cases = [(f"{LEADER} (province)", compute(leader))]
    department = busiest_department(args.year)
    if department is not None:
        cases.append(
            (
                f"{LEADER}, organisation={department.identifier_code}",
                compute(leader, organisation=department),
            )
        )
    if HEAD in users:
        cases.append((f"{HEAD} (own department)", compute(users[HEAD])))
    if COMMUNE_HEAD in users:
        cases.append((f"{COMMUNE_HEAD} (commune)", compute(users[COMMUNE_HEAD])))
    print("\nindicators (compute):")
    for label, call in cases:
        median, worst, queries, report = timed(call, args.repeat)
        on_time = next(r for r in report.results if r.definition.code == "progress_on_time")
        online = next(r for r in report.results if r.definition.code == "online_submitted")
        print(
            f"  {label:44} median {median:.2f} s, max {worst:.2f} s, {queries} queries; "
            f"on time {on_time.numerator:,} / {on_time.denominator:,}, "
            f"online {online.numerator:,} / {online.denominator:,}, "
            f"points {report.total} / {report.measured_max}, apologies {report.apologies:,}"
        )

    print("\ndrill-down, city leader (count + first page of 50):")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(leader)
    query = {"tu": period.first.isoformat(), "den": period.last.isoformat()}
    api_query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    for code, part in (("online_submitted", "denominator"), ("progress_on_time", "denominator")):
        median, worst, queries, response = timed(
            lambda c=code, p=part: client.get(f"/quan-tri/chi-so-766/{c}/{p}/", query), args.repeat
        )
        print(
            f"  page {code}/{part:12} median {median:.2f} s, max {worst:.2f} s, {queries} queries [{response.status_code}]"
        )
        median, worst, queries, response = timed(
            lambda c=code, p=part: client.get(f"/api/v1/ioc/indicators-766/{c}/{p}", api_query),
            args.repeat,
        )
        count = response.json().get("count") if response.status_code == 200 else "-"
        print(
            f"  API  {code}/{part:12} median {median:.2f} s, max {worst:.2f} s, {queries} queries"
            f" [{response.status_code}], count {count}"
        )

    print(machine_line())
    if not args.no_explain and is_postgres(url):
        explain(f"{LEADER} compute", compute(leader))
        if HEAD in users:
            explain(f"{HEAD} compute", compute(users[HEAD]))

        def drill():
            queryset = indicators.drill_down(leader, period, "online_submitted", "denominator")
            queryset.count()
            list(queryset.select_related("procedure", "competent_organisation")[:50])

        explain(f"{LEADER} drill-down online_submitted/denominator", drill)
    return 0


if __name__ == "__main__":
    sys.exit(main())
