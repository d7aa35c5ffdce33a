"""Sigma rules and baselines on the hot path: CPU time per event.

Run: .venv/bin/python bench/soc_sigma.py [--events N] [--extra-rules N]
Prints microseconds of CPU per event (median of 5 runs) for the shipped Sigma rules alone,
with N extra generated rules (as an analyst's folder would add), the baselines alone, and
a full engine (inspection, buckets, Sigma, baselines) without storing anything; the share
of rules the pre-index skips; the load average. No database is used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from tinhso.soc.baseline import BaselineDetector  # noqa: E402
from tinhso.soc.engine import Engine  # noqa: E402
from tinhso.soc.schema import Event  # noqa: E402
from tinhso.soc.sigma.detector import SigmaDetector  # noqa: E402
from tinhso.soc.sigma.loader import SHIPPED_DIR, load_dirs  # noqa: E402

PATHS = [
    "/",
    "/thu-tuc-hanh-chinh/?q=%C4%90%C4%83ng+k%C3%BD+khai+sinh",
    "/tra-cuu-ho-so/?ma=H23-251122-{i:04d}",
    "/ca-nhan/ho-so/",
    "/quan-tri/ho-so/{i}/",
    "/static/css/app.css",
    "/api/v1/dossiers/{i}",
    "/dang-nhap/",
    "/.env",  # one probe in ten
    "/don-vi-hanh-chinh/?q=thanh+dong",
]


def events(n: int) -> list[Event]:
    out = []
    for i in range(n):
        path = PATHS[i % len(PATHS)].format(i=i)
        out.append(
            Event(
                source_ip=f"198.51.{(i // 250) % 250}.{i % 250}",
                method="POST" if path == "/dang-nhap/" else "GET",
                url=path,
                status=404 if path == "/.env" else 200,
                user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120",
            )
        )
    return out


def extra_rules(folder: Path, n: int) -> None:
    for i in range(n):
        (folder / f"r{i:04d}.yml").write_text(
            f"title: extra {i}\nid: {uuid.uuid4()}\nname: extra-{i}\n"
            "logsource:\n  category: webserver\n"
            "detection:\n  sel:\n"
            f"    cs-uri-stem|contains: /duong-dan-hiem-{i}/\n"
            f"    cs-user-agent|contains: tool{i}\n"
            "  condition: sel\nlevel: low\n",
            encoding="utf-8",
        )


def cpu_us_per_event(make, evs: list[Event]) -> float:
    runs = []
    for _ in range(5):
        det = make()
        for j, e in enumerate(evs[:200]):  # warm the caches, outside the timing
            det.process(e, float(j) / 100)
        t0 = time.process_time()
        for j, e in enumerate(evs):
            e.extra = {}
            det.process(e, 10 + j / 100)
        runs.append((time.process_time() - t0) / len(evs) * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--extra-rules", type=int, default=200)
    args = parser.parse_args()
    evs = events(args.events)
    shipped = load_dirs([SHIPPED_DIR])
    with tempfile.TemporaryDirectory() as tmp:
        extra_rules(Path(tmp), args.extra_rules)
        bigger = load_dirs([SHIPPED_DIR, tmp])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {len(evs)} events")
    print(
        f"rules: shipped {len(shipped.rules)} + {len(shipped.correlations)} correlations; "
        f"with extra {len(bigger.rules)}"
    )
    for label, ruleset in (("shipped", shipped), (f"+{args.extra_rules} rules", bigger)):
        us = cpu_us_per_event(lambda rs=ruleset: SigmaDetector(rs), evs)
        det = SigmaDetector(ruleset)
        for j, e in enumerate(evs):
            det.process(e, float(j))
        evaluated = det.counts["evaluated"] / len(evs)
        print(
            f"sigma ({label}): {us:.1f} µs CPU per event; "
            f"{evaluated:.2f} rules evaluated per event of {len(ruleset.rules)}"
        )
    us = cpu_us_per_event(BaselineDetector, evs)
    print(f"baselines (endpoint + source): {us:.1f} µs CPU per event")

    def engine(detectors):
        e = Engine(on_fire=lambda *a: None, detectors=detectors)
        return e

    with_all = cpu_us_per_event(lambda: engine([SigmaDetector(shipped), BaselineDetector()]), evs)
    without = cpu_us_per_event(lambda: engine([]), evs)
    print(
        f"engine (inspection + buckets): {without:.1f} µs; with Sigma and baselines: "
        f"{with_all:.1f} µs CPU per event (+{with_all - without:.1f})"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
