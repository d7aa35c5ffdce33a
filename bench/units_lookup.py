"""Unit look-up and name search through the API under a local load generator.

Run: .venv/bin/python bench/units_lookup.py [--workers 4] [--duration 10] [--connections 32]

1. Prepares a database: SQLite under var/bench/ by default, or the one in
   DATABASE_URL; migrates it and loads the administrative units.
2. Starts ``gunicorn config.wsgi`` (2–4 sync workers) on 127.0.0.1, on a free port.
3. Drives it with ``wrk -t2 -c32 -d10s --latency`` and a Lua script rotating over
   many (code, date) pairs for ``GET /api/v1/units/{code}?on=``, over many
   diacritic-free names for ``GET /api/v1/units?q=``, and ``GET /healthz`` as a
   ceiling (the cheapest request the stack serves). Without wrk it falls back to a
   bounded thread pool in Python (slower: the generator itself limits the figures).
4. Prints requests/s, p50 and p99 latency, and the count of non-2xx answers.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
DATA = ROOT / "tinhso" / "core" / "data" / "admin_units"
HOST = "127.0.0.1"

# Dates either side of the reform: each code is asked for in the version it exists in.
PRE_DATES = ["2020-01-01", "2024-12-31", "2025-06-30"]
POST_DATES = ["2025-07-01", "2025-08-15", "2026-01-01"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


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


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def warm_up(port: int, paths: list[str]) -> None:
    """A few sequential requests so every worker has imported and connected."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    for path in paths * (1 if len(paths) > 1 else 50):
        conn.request("GET", path)
        conn.getresponse().read()
    conn.close()


LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
local non2xx = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
"""


def _seconds(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        return float("nan")
    number, unit = float(match.group(1)), match.group(2)
    return number * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def with_wrk(port: int, name: str, paths: list[str], args) -> dict:
    script = OUT / f"{name}.lua"
    script.write_text(LUA % ",".join(f'"{p}"' for p in paths), encoding="utf-8")
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        str(script),
        f"http://{HOST}:{port}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _seconds(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _seconds(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket": errors.group(0) if errors else "",
    }


def with_threads(port: int, name: str, paths: list[str], args) -> dict:
    """A bounded pool of keep-alive connections; each thread walks the path list."""
    stop = time.monotonic() + args.duration
    latencies: list[float] = []
    non2xx = 0
    lock = threading.Lock()

    def worker(offset: int) -> None:
        nonlocal non2xx
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine, bad, i = [], 0, offset
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            non2xx += bad

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.connections) as pool:
        list(pool.map(worker, range(args.connections)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "non2xx": non2xx,
        "socket": "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, choices=[2, 3, 4])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--paths", type=int, default=2000, help="distinct URLs per scenario")
    parser.add_argument("--python-client", action="store_true", help="skip wrk")
    args = parser.parse_args()

    (OUT / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT under the var folder
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "LOG_LEVEL": "WARNING",
        "TINHSO_VAR_DIR": str(OUT),
    }
    if "DATABASE_URL" not in env:
        # A fresh SQLite file each run, so the first load is a real one.
        for stale in OUT.glob("units.sqlite3*"):
            stale.unlink()
        env["DATABASE_URL"] = f"sqlite:///{OUT / 'units.sqlite3'}"
    engine = env["DATABASE_URL"].split(":", 1)[0]
    print(f"database: {engine} ({env['DATABASE_URL'].rsplit('@', 1)[-1]})")
    prepare(env)

    lookups, searches = sample_paths(args.paths)
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi",
            f"--bind={HOST}:{port}",
            f"--workers={args.workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_ready(port)
        use_wrk = shutil.which("wrk") and not args.python_client
        drive = with_wrk if use_wrk else with_threads
        tool = (
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency"
            if use_wrk
            else f"Python thread pool, {args.connections} connections, {args.duration} s"
        )
        print(f"server: gunicorn config.wsgi, {args.workers} sync workers, {HOST}:{port}")
        print(f"load: {tool}; {len(lookups)} look-up URLs, {len(searches)} search URLs")
        print(f"cpu: {os.cpu_count()} logical cores, load average {os.getloadavg()[0]:.1f}")
        print()
        print(f"{'scenario':<34}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
        for name, paths in (
            ("healthz", ["/healthz"]),
            ("lookup", lookups),
            ("search", searches),
        ):
            warm_up(port, paths[:100])
            result = drive(port, name, paths, args)
            label = {
                "healthz": "GET /healthz (ceiling)",
                "lookup": "GET /api/v1/units/{code}?on=",
                "search": "GET /api/v1/units?q=",
            }[name]
            print(
                f"{label:<34}{result['rps']:>10.0f}{result['p50'] * 1e3:>10.1f}"
                f"{result['p99'] * 1e3:>10.1f}{result['non2xx']:>10}"
                + (f"  {result['socket']}" if result["socket"] else "")
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
