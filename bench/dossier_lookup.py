"""Public dossier look-up by code plus ID number over HTTP, next to the server's ceiling.

Run: .venv/bin/python bench/dossier_lookup.py [--scale 100000] [--duration 10] [--connections 32]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_lookup \\
         .venv/bin/python bench/dossier_lookup.py

1. Prepares a database: a fresh SQLite file ``var/bench/dossiers.sqlite3`` by
   default, or the one in ``DATABASE_URL`` (created when missing); ``tinhso demo
   --no-serve`` (units, agencies, accounts, catalogue), then ``tinhso
   seed_dossiers`` up to ``--scale`` dossiers (a PostgreSQL database already
   holding that many is reused as it is).
2. Draws ``--pairs`` real (code, ID number) pairs at random from the database,
   and as many wrong ones: a real code with another citizen's ID number, and a
   code that does not exist.
3. Starts gunicorn (``--workers`` sync workers) with ``bench/bench_settings.py``:
   the local settings with the tracking look-up's failure limit raised out of
   reach. The path measured is the real one (the per-address failure counter
   is read, and incremented for each wrong pair, in the cache); only the 429
   never comes, since wrk is one address sending thousands of wrong pairs.
4. In the same run, with wrk and a Lua script rotating over the pairs:
   ``GET /api/v1/ping`` (constant JSON, no database: the ceiling), the look-up
   with right pairs (200), with wrong pairs (must be 404, and as fast), and a mix
   (``--wrong-share`` wrong). Without wrk, a bounded Python thread pool.
5. Prints requests/s, p50, p99 and max latency and the count per status; exits
   non-zero if a right pair did not give 200 or a wrong one not 404.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    WRK_GET,
    LoadResult,
    Server,
    bench_env,
    database_url,
    describe_url,
    get_paths_request,
    is_postgres,
    lua_string,
    machine_line,
    manage,
    prepare_demo,
    print_header,
    print_row,
    run_threads,
    run_wrk,
    setup_django,
    warm_up,
    wrk_available,
)

TRACK = "/api/v1/dossiers/track"


def dossier_count() -> int:
    from tinhso.dossiers.models import Dossier

    return Dossier.objects.count()


def seed(env: dict, scale: int) -> None:
    existing = dossier_count()
    missing = scale - existing
    if missing <= 0:
        print(f"dossiers: {existing:,} already in the database, none added")
        return
    started = time.perf_counter()
    manage(env, "seed_dossiers", "--scale", str(missing), "--batch", "10000", capture=True)
    seconds = time.perf_counter() - started
    print(
        f"dossiers: {missing:,} seeded in {seconds:.1f} s ({missing / seconds:,.0f}/s with "
        f"start-up), {existing + missing:,} in all"
    )


def draw_pairs(count: int, seed_value: int = 2025) -> tuple[list[str], list[str]]:
    """(right look-up paths, wrong look-up paths), ``count`` of each."""
    from django.db.models import Max

    from tinhso.core.models import Citizen
    from tinhso.dossiers.models import Dossier

    rng = random.Random(seed_value)
    top = Dossier.objects.aggregate(top=Max("id"))["top"]
    ids = rng.sample(range(1, top + 1), min(top, count * 2))
    rows = list(
        Dossier.objects.filter(id__in=ids, code__isnull=False).values_list(
            "code", "applicant__id_number"
        )[:count]
    )
    numbers = list(Citizen.objects.values_list("id_number", flat=True)[:5000])

    def path(code: str, number: str) -> str:
        return f"{TRACK}?{urlencode({'code': code, 'id_number': number})}"

    right = [path(code, number) for code, number in rows]
    wrong = []
    for i, (code, number) in enumerate(rows):
        if i % 2:
            other = rng.choice(numbers)
            while other == number:
                other = rng.choice(numbers)
            wrong.append(path(code, other))  # a real code, someone else's ID number
        else:
            agency, _day, counter = code.rsplit("-", 2)
            wrong.append(path(f"{agency}-991231-{counter}", number))  # no such code
    rng.shuffle(right)
    rng.shuffle(wrong)
    return right, wrong


def mixed(right: list[str], wrong: list[str], share: float, seed_value: int = 7) -> list[str]:
    rng = random.Random(seed_value)
    count = len(right)
    paths = [rng.choice(wrong) if rng.random() < share else right[i] for i in range(count)]
    return paths


def drive(server: Server, name: str, paths: list[str], args) -> LoadResult:
    if wrk_available() and not args.python_client:
        script = WRK_GET % {"paths": ",".join(lua_string(p) for p in paths)}
        return run_wrk(
            server.port,
            script,
            name=f"dossier-lookup-{name}",
            threads=args.threads,
            connections=args.connections,
            duration=args.duration,
        )
    return run_threads(
        server.port,
        get_paths_request(paths),
        connections=args.connections,
        duration=args.duration,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="dossiers in the database")
    parser.add_argument("--pairs", type=int, default=5000, help="distinct right pairs (and wrong)")
    parser.add_argument("--wrong-share", type=float, default=0.1, help="wrong pairs in the mix")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--python-client", action="store_true", help="skip wrk")
    args = parser.parse_args()
    if args.scale < 1 or not 0 <= args.wrong_share <= 1:
        parser.error("--scale must be positive and --wrong-share between 0 and 1")

    url = database_url("dossiers", fresh_sqlite=True)
    env = bench_env(database_url=url)
    print(f"database: {describe_url(url)}")
    print(f"demo data: {prepare_demo(env):.1f} s (tinhso demo --no-serve)")
    setup_django(env)
    seed(env, args.scale)
    right, wrong = draw_pairs(args.pairs)
    mix = mixed(right, wrong, args.wrong_share)
    from django.db import connections

    connections.close_all()  # SQLite: no reader left open in this process during the load

    with Server(env, workers=args.workers) as server:
        tool = (
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
            if wrk_available() and not args.python_client
            else f"Python thread pool, {args.connections} connections, {args.duration} s"
        )
        print(f"server: {server.description}, settings bench_settings (look-up limit raised)")
        print(f"load: {tool} per scenario; {len(right):,} right pairs, {len(wrong):,} wrong")
        print(machine_line())
        print()
        print_header()
        results = {}
        for name, label, paths in (
            ("ping", "GET /api/v1/ping (ceiling, no database)", ["/api/v1/ping"]),
            ("right", "track, right pairs (200)", right),
            ("wrong", "track, wrong pairs (404)", wrong),
            ("mixed", f"track, {args.wrong_share:.0%} wrong pairs", mix),
        ):
            warm_up(server.port, paths[:50], rounds=1 if len(paths) > 1 else 50)
            results[name] = drive(server, name, paths, args)
            print_row(label, results[name])
        print(machine_line())

    ping = results["ping"].rps
    print()
    for name in ("right", "wrong", "mixed"):
        print(f"{name}: {results[name].rps / ping:.0%} of the ceiling's requests/s")
    problems = []
    if set(results["right"].statuses) != {200}:
        problems.append(f"right pairs answered {results['right'].statuses_text()}")
    if set(results["wrong"].statuses) != {404}:
        problems.append(f"wrong pairs answered {results['wrong'].statuses_text()}")
    if set(results["mixed"].statuses) - {200, 404}:
        problems.append(f"the mix answered {results['mixed'].statuses_text()}")
    if any(r.errors for r in results.values()):
        problems.append("socket errors or timeouts")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if is_postgres(url):
        print("(PostgreSQL: the database is kept; the next run reuses its dossiers)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
