"""Unit look-up and name search through the API under a local load generator.

Run: .venv/bin/python bench/units_lookup.py [--workers 4] [--duration 10] [--connections 32]

1. Prepares a database: SQLite under var/bench/ by default, or the one in
   DATABASE_URL; migrates it and loads the administrative units.
2. Starts ``gunicorn config.wsgi`` (2–4 sync workers) on 127.0.0.1, on a free port.
3. Drives it with ``wrk -t2 -c32 -d10s`` (bench/_harness.py) and a Lua script rotating over
   many (code, date) pairs for ``GET /api/v1/units/{code}?on=``, over many
   diacritic-free names for ``GET /api/v1/units?q=``, and ``GET /healthz`` as a
   ceiling (the cheapest request the stack serves). Without wrk it falls back to a
   bounded thread pool in Python (slower: the generator itself limits the figures).
4. Prints requests/s, p50, p99 and max latency, and the count of answers per status.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    ROOT,
    WRK_GET,
    Server,
    bench_env,
    database_url,
    describe_url,
    get_paths_request,
    lua_string,
    machine_line,
    print_header,
    print_row,
    run_threads,
    run_wrk,
    warm_up,
    wrk_available,
)

DATA = ROOT / "tinhso" / "core" / "data" / "admin_units"

# Dates either side of the reform: each code is asked for in the version it exists in.
PRE_DATES = ["2020-01-01", "2024-12-31", "2025-06-30"]
POST_DATES = ["2025-07-01", "2025-08-15", "2026-01-01"]


def sample_paths(count: int, seed: int = 2025) -> tuple[list[str], list[str]]:
    """(look-up paths, search paths) drawn from the shipped unit files."""
    sys.path.insert(0, str(ROOT))
    from tinhso.core.text import fold as fold_text

    rng = random.Random(seed)
    lookups: list[str] = []
    names: set[str] = set()
    for name, dates in (("units-2025-01.csv", PRE_DATES), ("units-2025-07.csv", POST_DATES)):
        with (DATA / name).open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rng.sample(rows, min(count // 2, len(rows))):
            lookups.append(f"/api/v1/units/{row['code']}?on={rng.choice(dates)}")
            names.add(fold_text(row["name"]))
    rng.shuffle(lookups)
    searches = [f"/api/v1/units?q={n.replace(' ', '+')}&limit=20" for n in sorted(names)]
    rng.shuffle(searches)
    return lookups, searches[:count]


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def prepare(env: dict[str, str]) -> None:
    python = sys.executable
    t0 = time.perf_counter()
    run([python, "manage.py", "migrate", "-v0"], env)
    t1 = time.perf_counter()
    run([python, "manage.py", "load_units", "-v0"], env)
    t2 = time.perf_counter()
    run([python, "manage.py", "load_units", "-v0"], env)
    t3 = time.perf_counter()
    print(
        f"database: migrate {t1 - t0:.1f} s, load_units {t2 - t1:.1f} s, "
        f"second load_units (no change) {t3 - t2:.1f} s  (each includes Django start-up)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, choices=[2, 3, 4])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--paths", type=int, default=2000, help="distinct URLs per scenario")
    parser.add_argument("--python-client", action="store_true", help="skip wrk")
    args = parser.parse_args()

    # A fresh SQLite file each run (so the first load is a real one), or DATABASE_URL.
    env = bench_env(database_url=database_url("units"))
    print(f"database: {describe_url(env['DATABASE_URL'])}")
    prepare(env)

    lookups, searches = sample_paths(args.paths)
    with Server(env, workers=args.workers) as server:
        use_wrk = wrk_available() and not args.python_client
        tool = (
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
            if use_wrk
            else f"Python thread pool, {args.connections} connections, {args.duration} s"
        )
        print(f"server: {server.description}")
        print(f"load: {tool}; {len(lookups)} look-up URLs, {len(searches)} search URLs")
        print(machine_line())
        print()
        print_header()
        for name, label, paths in (
            ("healthz", "GET /healthz (ceiling)", ["/healthz"]),
            ("lookup", "GET /api/v1/units/{code}?on=", lookups),
            ("search", "GET /api/v1/units?q=", searches),
        ):
            warm_up(server.port, paths[:100], rounds=1 if len(paths) > 1 else 50)
            if use_wrk:
                script = WRK_GET % {"paths": ",".join(lua_string(p) for p in paths)}
                result = run_wrk(
                    server.port,
                    script,
                    name=f"units-{name}",
                    threads=args.threads,
                    connections=args.connections,
                    duration=args.duration,
                )
            else:
                result = run_threads(
                    server.port,
                    get_paths_request(paths),
                    connections=args.connections,
                    duration=args.duration,
                )
            print_row(label, result)


if __name__ == "__main__":
    main()
