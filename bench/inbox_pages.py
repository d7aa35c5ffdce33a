"""Officers' inbox, due-soon and overdue lists with a million dossiers: time per page and queries.

Run: .venv/bin/python bench/inbox_pages.py [--scale 1000000] [--repeat 20]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/inbox_pages.py

1. Uses ``DATABASE_URL`` or the PostgreSQL database ``tinhso_bench_inbox`` on
   127.0.0.1 (created when missing): ``tinhso demo --no-serve`` (agencies, demo
   accounts, catalogue), then ``tinhso seed_dossiers`` until it holds
   ``--scale`` dossiers (a database already holding them is reused), then
   ``ANALYZE`` so the planner knows the tables as a running server would.
2. For each demo officer (desk officer of the province centre and of a commune,
   specialist, head of department, city leader) and each list of the back
   office (inbox, due soon, overdue, all dossiers in scope), in this process:
   - the selector (``tinhso.dossiers.selectors``) for page 1, and for a deep page
     (offset ``--deep-offset``) of the inbox;
   - the same list through its API endpoint (``/api/v1/dossiers/inbox`` ...) and,
     when the back-office page exists, through the page (``/quan-tri/ho-so/``
     and its tabs ``?loai=sap-den-han``, ``qua-han``, ``tat-ca``),
     with Django's test client (signed in, templates rendered);
   each ``--repeat`` times: median and max milliseconds, and the query count
   (``CaptureQueriesContext``), plus the list's total.
3. Prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the queries behind a commune desk
   officer's inbox and the city leader's overdue list (the count and the page).

Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
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
OFFICERS = ("motcua", "motcua.xa", "chuyenvien", "lanhdao.so", "lanhdao.tp")
# The plans printed: a commune desk's inbox, and the largest list (a city leader's overdue).
EXPLAINED = (("motcua.xa", "inbox"), ("lanhdao.tp", "overdue"))
PAGE_URL = "/quan-tri/ho-so/"
PAGE_TABS = {
    "inbox": {},
    "due_soon": {"loai": "sap-den-han"},
    "overdue": {"loai": "qua-han"},
    "all": {"loai": "tat-ca"},
}
API = {
    "inbox": "/api/v1/dossiers/inbox",
    "due_soon": "/api/v1/dossiers/due-soon",
    "overdue": "/api/v1/dossiers/overdue",
    "all": "/api/v1/dossiers/",
}


def seed(env: dict, scale: int) -> None:
    from tinhso.dossiers.models import Dossier

    existing = Dossier.objects.count()
    missing = scale - existing
    if missing > 0:
        started = time.perf_counter()
        manage(env, "seed_dossiers", "--scale", str(missing), "--batch", "10000", capture=True)
        seconds = time.perf_counter() - started
        print(f"dossiers: {missing:,} seeded in {seconds:.0f} s ({missing / seconds:,.0f}/s)")
    print(f"dossiers: {Dossier.objects.count():,} in the database")


def ensure_indexes() -> None:
    """Create the dossier indexes the model declares that a reused database lacks.

    The bench database outlives code changes (one migration per app is
    regenerated while the project is unreleased, so ``migrate`` does not add them).
    """
    from django.db import connection

    from tinhso.dossiers.models import Dossier

    with connection.cursor() as cursor:
        existing = set(connection.introspection.get_constraints(cursor, Dossier._meta.db_table))
    missing = [index for index in Dossier._meta.indexes if index.name not in existing]
    for index in missing:
        started = time.perf_counter()
        with connection.schema_editor() as editor:
            editor.add_index(Dossier, index)
        print(f"index {index.name} created: {time.perf_counter() - started:.1f} s")


def analyze() -> None:
    """Fresh planner statistics for every table, as autovacuum keeps them on a running server.

    Without them (autovacuum off, or not yet run after a bulk load) PostgreSQL
    takes the small tables for empty and picks nested loops over them.
    """
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    print(f"ANALYZE (all tables): {time.perf_counter() - started:.1f} s; autovacuum {autovacuum}")


def measure(call, repeat: int) -> tuple[float, float, int, object]:
    """(median ms, max ms, queries of one call, the last result) over ``repeat`` calls.

    One call first warms the caches (not timed), a second one is counted.
    """
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call()
    # A request resets the query log when it starts: empty it first, so the
    # capture's start index is 0 and the request's queries are seen.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    # Read now: the list is a view of the log that the next request empties.
    queries = len(captured.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times), max(times), queries, result


def fresh(selector):
    """The selector as a new request calls it: the user's scope not yet computed."""
    from tinhso.core.permissions import clear_scope_cache

    def call(user, **kwargs):
        clear_scope_cache(user)
        return selector(user, **kwargs)

    return call


def page_exists() -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(PAGE_URL)
    except Resolver404:
        return False
    return True


ROW = "{:<12}{:<10}{:<26}{:>9}{:>9}{:>9}{:>9}"


def explain(label: str, call) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each query ``call`` runs, as PostgreSQL ran it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"--- {label}: {sql[:160]}{'…' if len(sql) > 160 else ''}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (line,) in cursor.fetchall():
                print("    " + line)


def time_lists(users: dict, lists: dict, has_page: bool, args) -> None:
    """The table: each officer, each list, each way of asking for it."""
    from django.test import Client

    print(machine_line())
    print(f"each figure: median and max of {args.repeat} calls after one warm-up call")
    if not has_page:
        print(f"(no page at {PAGE_URL} yet: selectors and API only)")
    print()
    print(ROW.format("officer", "list", "through", "total", "median", "max", "queries"))
    slowest = (0.0, "")
    for username in OFFICERS:
        user = users.get(username)
        if user is None:
            print(f"{username}: no such demo account")
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, selector in lists.items():
            ways = [
                ("selector, page 1", lambda s=selector, u=user: fresh(s)(u, limit=20, offset=0)),
                ("API, page 1", lambda c=client, n=name: c.get(API[n], {"limit": 20})),
            ]
            if name == "inbox":
                ways.insert(
                    1,
                    (
                        f"selector, offset {args.deep_offset}",
                        lambda s=selector, u=user: fresh(s)(u, limit=20, offset=args.deep_offset),
                    ),
                )
            if has_page:
                ways.append(
                    ("page, page 1", lambda c=client, n=name: c.get(PAGE_URL, PAGE_TABS[n]))
                )
            total = ""
            for label, call in ways:
                median, worst, queries, result = measure(call, args.repeat)
                if isinstance(result, tuple):
                    total = f"{result[1]:,}"
                elif result.status_code != 200:
                    label += f" [{result.status_code}]"
                print(
                    ROW.format(
                        username,
                        name,
                        label,
                        total,
                        f"{median:.1f}",
                        f"{worst:.1f}",
                        queries,
                    )
                )
                slowest = max(slowest, (median, f"{username} {name} {label}"))
    print()
    print(f"slowest median: {slowest[0]:.1f} ms ({slowest[1]})")
    print(machine_line())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--deep-offset", type=int, default=2000)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--only-explain", action="store_true", help="skip the timings")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if is_postgres(url):
        ensure_postgres_database(url)
    env = bench_env(database_url=url)
    print(f"database: {describe_url(url)}")
    print(f"demo data: {prepare_demo(env):.1f} s (tinhso demo --no-serve, skipped when present)")
    setup_django(env)
    seed(env, args.scale)
    ensure_indexes()
    if is_postgres(url):
        analyze()

    from tinhso.core.models import User
    from tinhso.dossiers import selectors

    users = {u.username: u for u in User.objects.filter(username__in=OFFICERS)}
    has_page = page_exists()
    lists = {
        "inbox": selectors.inbox_for,
        "due_soon": selectors.due_soon_for,
        "overdue": selectors.overdue_for,
        "all": selectors.dossier_list_for,
    }
    if not args.only_explain:
        time_lists(users, lists, has_page, args)

    if not args.no_explain and is_postgres(url):
        print()
        for username, name in EXPLAINED:
            if username in users:
                user = users[username]
                explain(
                    f"{username} {name}",
                    lambda u=user, s=lists[name]: fresh(s)(u, limit=20, offset=0),
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
