"""Shared helpers of the HTTP benchmarks in bench/ (not a benchmark itself).

- a database to run against: a fresh SQLite file under ``var/bench/`` by default,
  or the PostgreSQL database of ``DATABASE_URL`` (created when missing), migrated
  and loaded through the project's own commands (``manage.py ...``);
- gunicorn serving ``config.wsgi`` on a free 127.0.0.1 port (``Server``);
- load: ``wrk`` with a Lua script (``run_wrk``), whose ``done()`` prints the exact
  latency percentiles and a count per HTTP status, or a bounded pool of Python
  threads with ``http.client`` (``run_threads``) when wrk is missing or when every
  answer must be checked;
- one line describing the machine (cores, load average) for the printed figures.

Only 127.0.0.1 is ever contacted. Benchmarks never run as tests.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
OUT = ROOT / "var" / "bench"
HOST = "127.0.0.1"
# The benchmark servers' settings: the local ones with the limits that would
# otherwise answer 429 to a load generator lifted (see bench/bench_settings.py).
BENCH_SETTINGS = "bench_settings"


# --- environment and database -----------------------------------------------------------


def bench_env(*, database_url: str | None = None, settings: str = BENCH_SETTINGS, **extra) -> dict:
    """The environment for ``manage.py`` and gunicorn: DEBUG off, quiet logs, var under var/bench."""
    (OUT / "static").mkdir(parents=True, exist_ok=True)
    python_path = os.pathsep.join(
        p for p in (str(BENCH_DIR), str(ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "PYTHONPATH": python_path,
        "LOG_LEVEL": "WARNING",
        "TINHSO_VAR_DIR": str(OUT),
        "DEBUG": "0",
        **{k: str(v) for k, v in extra.items()},
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def sqlite_url(name: str, *, fresh: bool) -> str:
    """A SQLite file ``var/bench/<name>.sqlite3``; ``fresh`` removes the previous one first."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.sqlite3"
    if fresh:
        for stale in OUT.glob(f"{name}.sqlite3*"):
            stale.unlink()
    return f"sqlite:///{path}"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def ensure_postgres_database(url: str) -> None:
    """Create the database of ``url`` when it does not exist (local server, trust auth)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def database_url(default_sqlite_name: str, *, fresh_sqlite: bool = True) -> str:
    """``DATABASE_URL`` when set (PostgreSQL created if missing), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return sqlite_url(default_sqlite_name, fresh=fresh_sqlite)
    if is_postgres(url):
        ensure_postgres_database(url)
    return url


def describe_url(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {url.split(':///', 1)[-1]}"
    parts = urlparse(url)
    return f"PostgreSQL {parts.path.lstrip('/')} @ {parts.hostname}:{parts.port or 5432}"


def manage(env: dict, *args: str, capture: bool = False) -> str:
    """Run ``manage.py <args>`` in a subprocess; stops the benchmark with its output on failure."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed (exit {result.returncode})")
    if not capture and result.stdout.strip():
        print(result.stdout.strip())
    return result.stdout


def prepare_demo(env: dict) -> float:
    """Migrate, load the units and the DEMO data set (agencies, accounts, catalogue); seconds."""
    started = time.perf_counter()
    manage(env, "demo", "--no-serve", "-v0")
    return time.perf_counter() - started


def setup_django(env: dict) -> None:
    """Use the same settings and database as the server from this process (to seed, to check)."""
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "TINHSO_VAR_DIR")})
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "LOG_LEVEL") if k in env})
    for path in (str(ROOT), str(BENCH_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn ``config.wsgi`` on a free 127.0.0.1 port, for a ``with`` block."""

    def __init__(self, env: dict, *, workers: int = 4, threads: int = 1, timeout: int = 60):
        self.env = env
        self.workers = workers
        self.threads = threads
        self.timeout = timeout
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def description(self) -> str:
        kind = "sync" if self.threads == 1 else f"gthread ×{self.threads}"
        return f"gunicorn config.wsgi, {self.workers} {kind} workers, {HOST}:{self.port}"

    def __enter__(self) -> Server:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        # The server's own log (404 warnings of wrong look-ups, for instance) is
        # written as in production, to a file instead of the benchmark's output.
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = (OUT / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi:application",
                f"--bind={HOST}:{self.port}",
                f"--workers={self.workers}",
                f"--threads={self.threads}",
                f"--timeout={self.timeout}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn stopped (exit {self.process.returncode}), see {OUT / 'server.log'}"
                )
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz in time")

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.log.close()


def warm_up(port: int, paths: Iterable[str], *, rounds: int = 1) -> None:
    """Sequential requests so every worker has imported its modules and opened its connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    for _ in range(rounds):
        for path in paths:
            conn.request("GET", path)
            conn.getresponse().read()
    conn.close()


# --- load generators ------------------------------------------------------------------------


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50: float  # seconds
    p90: float
    p99: float
    max: float
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0  # socket errors and timeouts

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def share(self, lo: int, hi: int) -> int:
        return sum(n for status, n in self.statuses.items() if lo <= status <= hi)

    def statuses_text(self) -> str:
        return " ".join(f"{status}:{n}" for status, n in sorted(self.statuses.items()))


# The collector every wrk script ends with: per-thread status counts gathered in
# done(), and wrk's own latency histogram read at exact percentiles (µs).
WRK_DONE = r"""
local __threads = {}
function setup(thread)
  table.insert(__threads, thread)
  thread:set("__id", #__threads)
end
__statuses = {}
function response(status, headers, body)
  __statuses[status] = (__statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(__threads) do
    for status, n in pairs(thread:get("__statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  for status, n in pairs(counts) do io.write(string.format("STATUS %d %d\n", status, n)) end
  local e = summary.errors
  io.write(string.format("SUMMARY %d %d %d\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout))
  io.write(string.format("LATENCY %d %d %d %d\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
"""

# Rotates over a list of paths (a Lua table literal), optionally with fixed headers.
WRK_GET = r"""
local paths = {%(paths)s}
local i = 0
function init(args)
  -- threads start at different places of the list
  i = ((__id or 1) * 7919) %% #paths
end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    port: int,
    script: str,
    *,
    name: str,
    threads: int = 2,
    connections: int = 32,
    duration: int = 10,
) -> LoadResult:
    """``wrk --latency`` with ``script`` (``WRK_DONE`` appended) for ``duration`` seconds."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.lua"
    path.write_text(script + WRK_DONE, encoding="utf-8")
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout=10s",
        "-s",
        str(path),
        f"http://{HOST}:{port}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> LoadResult:
    summary = re.search(r"^SUMMARY (\d+) (\d+) (\d+)$", out, re.M)
    latency = re.search(r"^LATENCY (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if not summary or not latency:
        raise SystemExit("wrk printed no summary:\n" + out)
    requests, micros, errors = (int(x) for x in summary.groups())
    p50, p90, p99, worst = (int(x) / 1e6 for x in latency.groups())
    statuses = Counter({int(s): int(n) for s, n in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M)})
    return LoadResult(
        requests=requests,
        seconds=micros / 1e6,
        p50=p50,
        p90=p90,
        p99=p99,
        max=worst,
        statuses=statuses,
        errors=errors,
    )


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


Request = tuple[str, str, dict, bytes | None]  # method, path, headers, body


def run_threads(
    port: int,
    next_request: Callable[[int], Request | None],
    *,
    connections: int = 8,
    duration: float | None = None,
    check: Callable[[int, Request, int, bytes], None] | None = None,
) -> LoadResult:
    """A bounded pool of ``connections`` keep-alive clients, each sending one request at a time.

    ``next_request(i)`` gives the i-th request (None: no more). The run ends when
    it gives None or after ``duration`` seconds. ``check(i, request, status, body)``
    sees every answer (to collect codes, for instance).
    """
    lock = threading.Lock()
    counter = iter(range(10**12))
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = 0
    stop = time.monotonic() + duration if duration else float("inf")

    def take() -> tuple[int, Request] | None:
        with lock:
            i = next(counter)
            request = next_request(i)
        return None if request is None else (i, request)

    def client(_worker: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        mine: list[float] = []
        seen: Counter = Counter()
        failed = 0
        while time.monotonic() < stop:
            item = take()
            if item is None:
                break
            i, (method, path, headers, body) = item
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
            seen[response.status] += 1
            if check is not None:
                check(i, (method, path, headers, body), response.status, payload)
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors += failed

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(client, range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50=percentile(latencies, 50),
        p90=percentile(latencies, 90),
        p99=percentile(latencies, 99),
        max=latencies[-1] if latencies else float("nan"),
        statuses=statuses,
        errors=errors,
    )


def get_paths_request(paths: list[str]) -> Callable[[int], Request]:
    return lambda i: ("GET", paths[i % len(paths)], {}, None)


# --- printing ---------------------------------------------------------------------------------


def machine_line() -> str:
    load1, load5, _ = os.getloadavg()
    return (
        f"machine: {os.cpu_count()} logical cores, load average {load1:.2f} (1 min), "
        f"{load5:.2f} (5 min); Python {sys.version.split()[0]}"
    )


ROW = "{:<44}{:>9}{:>9}{:>9}{:>9}  {}"


def print_header() -> None:
    print(ROW.format("scenario", "req/s", "p50 ms", "p99 ms", "max ms", "statuses"))


def print_row(label: str, result: LoadResult) -> None:
    statuses = result.statuses_text() + (f" errors:{result.errors}" if result.errors else "")
    print(
        ROW.format(
            label,
            f"{result.rps:.0f}",
            f"{result.p50 * 1e3:.1f}",
            f"{result.p99 * 1e3:.1f}",
            f"{result.max * 1e3:.0f}",
            statuses,
        )
    )
