"""Decision 766 indicators over a province-year of a million dossiers: time and query plan.

Run: .venv/bin/python bench/indicators_766.py [--year 2025] [--repeat 5]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/indicators_766.py

Uses ``DATABASE_URL`` or the PostgreSQL database ``tinhso_bench_inbox`` on 127.0.0.1,
which ``bench/inbox_pages.py`` fills with demo accounts and ``tinhso seed_dossiers``
(about a million dossiers); this script only reads it. For the city leader (the whole
province) and for a department head, it computes the indicators of one period
(``tinhso.ioc.indicators.compute``) ``--repeat`` times and prints the median and
maximum seconds, the query count and the on-time figures, then ``EXPLAIN (ANALYZE,
BUFFERS)`` of the aggregate query. Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import bench_env, describe_url, machine_line, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench_inbox"
USERS = ("lanhdao.tp", "lanhdao.so")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=None, help="the year (default: the busiest)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()

    import os

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    setup_django(bench_env(database_url=url))

    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import ExtractYear
    from django.test.utils import CaptureQueriesContext

    from tinhso.core.models import User
    from tinhso.dossiers.models import Dossier
    from tinhso.ioc import indicators

    print(machine_line())
    print(f"database: {describe_url(url)}; dossiers: {Dossier.objects.count():,}")
    year = args.year
    if year is None:
        busiest = (
            Dossier.objects.annotate(y=ExtractYear("submitted_at"))
            .values("y")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        year = busiest["y"]
    period = indicators.make_period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    print(f"period: {period.first} to {period.last}")

    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"{username}: no such account, skipped")
            continue
        times = []
        report = None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                report = indicators.compute(user, period)
                times.append(time.perf_counter() - start)
        on_time = next(r for r in report.results if r.definition.code == "progress_on_time")
        online = next(r for r in report.results if r.definition.code == "online_submitted")
        print(
            f"{username:12} median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
            f"{len(queries.captured_queries)} queries; on time {on_time.numerator:,} / "
            f"{on_time.denominator:,}, online {online.numerator:,} / {online.denominator:,}, "
            f"total {report.total} / {report.measured_max}"
        )

    if not args.no_explain:
        user = User.objects.get(username=USERS[0])
        with CaptureQueriesContext(connection) as queries:
            indicators.compute(user, period)
        aggregate = max(queries.captured_queries, key=lambda q: len(q["sql"]))["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + aggregate)
            print("\nEXPLAIN (ANALYZE, BUFFERS) of the aggregate (city leader):")
            for (line,) in cursor.fetchall():
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
