"""Working-time calendar speed: deadlines and working time, near and years ahead.

Run: .venv/bin/python bench/calendar_bench.py
Prints microseconds per call (median of 5 runs) for each case; no database is
needed (the calendar is built with no province rows).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from tinhso.core.calendar import WorkingCalendar, package_year  # noqa: E402

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
H = dt.timedelta(hours=1)


def per_call_us(fn, n: int) -> float:
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(runs)


def main() -> None:
    t0 = time.perf_counter()
    cal = WorkingCalendar(overrides={})
    cal.add(dt.datetime(2026, 1, 5, 7, tzinfo=TZ), 10 * 250 * cal.day_length)
    cold = (time.perf_counter() - t0) * 1e3
    print(f"cold start (holidays package, 11 years built): {cold:.1f} ms")
    print(f"years cached: {package_year.cache_info().currsize}")
    start = dt.datetime(2026, 1, 9, 16, tzinfo=TZ)
    cases = [
        ("add 8 working hours", lambda: cal.add(start, 8 * H)),
        ("add 15 working days", lambda: cal.add(start, 15 * cal.day_length)),
        ("add 10 years of working days", lambda: cal.add(start, 2500 * cal.day_length)),
        ("between, same week", lambda: cal.between(start, start + 3 * 24 * H)),
        ("between, 10 years apart", lambda: cal.between(start, start + 3650 * 24 * H)),
        (
            "between with 3 pauses",
            lambda: cal.between(
                start,
                start + 60 * 24 * H,
                pauses=[(start + k * 7 * 24 * H, start + (k * 7 + 2) * 24 * H) for k in (1, 3, 5)],
            ),
        ),
        ("next working moment", lambda: cal.next_working_moment(start + 8 * H)),
        ("calendar days (30)", lambda: cal.add_calendar_days(start, 30)),
    ]
    for name, fn in cases:
        print(f"{name:<32} {per_call_us(fn, 5000):8.1f} µs/call")


if __name__ == "__main__":
    main()
