"""Incidents: the cost of filing an alert (grouping + audit + outbox) and of the console's pages.

Run: .venv/bin/python bench/console_incidents.py [--alerts 5000] [--keys 2000] [--repeat 5]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_console .venv/bin/python bench/console_incidents.py

1. Uses ``DATABASE_URL`` (PostgreSQL created when missing) or a fresh SQLite file
   under var/bench/, migrated.
2. Files ``--alerts`` alerts through ``services.alert_create`` (the engine's path:
   the alert, its incident joined or opened under a row lock, the audit event, and,
   with ``TINHSO_SOC_NOTIFY_EMAILS`` set here, the outbox rows), spread over
   ``--keys`` addresses so most alerts join an incident; prints the mean, p50, p99
   and max per alert, and how many incidents and notices that made.
3. With Django's test client signed in as an IT administrator: the incident list
   (first page, and filtered by rule and severity), an incident with 50 alerts of 5
   evidence events each, and the decision list: the first call, then the median and
   max of ``--repeat`` calls, and the query count.

Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    bench_env,
    database_url,
    describe_url,
    machine_line,
    manage,
    percentile,
    setup_django,
)

RULES = [("scan-404", "medium"), ("web-attack", "high"), ("brute-force", "high")]


def _evidence(ip: str, n: int = 5) -> list[dict]:
    return [
        {
            "time": f"2026-11-20T08:15:0{i}+07:00",
            "source_ip": ip,
            "method": "GET",
            "url": f"/thu-tuc-hanh-chinh/?q=1%27+union+select+{i}--",
            "status": 403,
            "user_agent": "sqlmap/1.8",
        }
        for i in range(n)
    ]


def file_alerts(count: int, keys: int) -> list[float]:
    from tinhso.soc import services

    timings = []
    for i in range(count):
        ip = f"10.{(i % keys) // 65536}.{((i % keys) // 256) % 256}.{(i % keys) % 256}"
        rule, severity = RULES[i % len(RULES)]
        started = time.perf_counter()
        services.alert_create(
            rule=rule,
            severity=severity,
            summary=f"{rule}: {ip}",
            source_ip=ip,
            evidence=_evidence(ip),
        )
        timings.append(time.perf_counter() - started)
    return timings


def page_figures(client, path: str, repeat: int) -> tuple[float, float, float, int]:
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        response = client.get(path)
    first = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        runs.append(time.perf_counter() - started)
    return first, statistics.median(runs), max(runs), len(executed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--keys", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    url = database_url("console_incidents")
    env = bench_env(
        database_url=url,
        TINHSO_SOC_NOTIFY_EMAILS="an-ninh@example.gov.vn",
        TINHSO_SOC_NOTIFY_MODE="command",
    )
    print(machine_line())
    print(f"database: {describe_url(url)}")
    manage(env, "migrate", "-v0")
    import os

    os.environ.update({k: env[k] for k in ("TINHSO_SOC_NOTIFY_EMAILS", "TINHSO_SOC_NOTIFY_MODE")})
    setup_django(env)

    from django.test import Client

    from tinhso.core.choices import Role
    from tinhso.core.models import User
    from tinhso.soc.models import Alert, Incident, Notice

    timings = sorted(file_alerts(args.alerts, args.keys))
    ms = [t * 1000 for t in timings]
    print(
        f"alert_create x{len(ms)} over {args.keys} addresses: mean {statistics.mean(ms):.2f} ms, "
        f"p50 {percentile(ms, 50):.2f}, p99 {percentile(ms, 99):.2f}, max {ms[-1]:.2f}; "
        f"{Incident.objects.count()} incidents, {Alert.objects.count()} alerts, "
        f"{Notice.objects.count()} notices in the database"
    )

    # One incident with 50 alerts for the detail page.
    from tinhso.soc import services

    for i in range(50):
        services.alert_create(
            rule=RULES[i % 3][0],
            severity="high",
            summary="x",
            source_ip="203.0.113.200",
            evidence=_evidence("203.0.113.200"),
        )
    big = Incident.objects.get(key="203.0.113.200", open_key__isnull=False)

    admin, _ = User.objects.get_or_create(
        username="quantri.bench", defaults={"role": Role.IT_ADMIN}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    paths = [
        ("incident list", "/quan-tri/an-ninh/?trang_thai=tat-ca"),
        ("incident list, rule + severity", "/quan-tri/an-ninh/?luat=web-attack&muc_do=high"),
        ("incident with 50 alerts", f"/quan-tri/an-ninh/su-co/{big.pk}/"),
        ("alert list", "/quan-tri/an-ninh/canh-bao/"),
        ("decision list", "/quan-tri/an-ninh/quyet-dinh/?trang_thai=tat-ca"),
    ]
    print(f"{'page':<34}{'first ms':>10}{'median':>10}{'max':>10}{'queries':>9}")
    for label, path in paths:
        first, median, worst, queries = page_figures(client, path, args.repeat)
        print(
            f"{label:<34}{first * 1000:>10.1f}{median * 1000:>10.1f}{worst * 1000:>10.1f}{queries:>9}"
        )
    print(machine_line())


if __name__ == "__main__":
    main()
