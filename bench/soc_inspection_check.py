"""The request pre-filter against the full rule set, on every row of the shared set.

    .venv/bin/python bench/soc_inspection_check.py [CSV ...]

For each paranoia level, each payload is inspected three ways (in a query string, as the
path + user agent + form value, raw in a query with a method made of it) by an
``Inspector()`` (pre-filter and caches) and by ``Inspector(prefilter=False)`` (every rule
on every target); any difference in matched rules or score is printed and the script
exits 1. Prints the CPU time per request of both. The test suite runs the same
comparison on a sample (tests/test_inspection.py); this script covers the whole set.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from tinhso.soc.inspection import RULES, Inspector  # noqa: E402

DEFAULT = [
    ROOT.parent / "shared" / "data" / "soc" / "http-params-train.csv",
    ROOT / "tinhso" / "soc" / "tests" / "data" / "vi-params.csv",
]


def main() -> int:
    csv.field_size_limit(1024 * 1024)
    files = [Path(a) for a in sys.argv[1:]] or [p for p in DEFAULT if p.is_file()]
    payloads = []
    for path in files:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            payloads += [row["payload"] for row in csv.DictReader(fh) if "payload" in row]
    print(f"{len(payloads)} payloads from {', '.join(str(f) for f in files)}")
    failures = 0
    for paranoia in sorted({r.paranoia for r in RULES}):
        fast, full = Inspector(paranoia=paranoia), Inspector(paranoia=paranoia, prefilter=False)
        cpu = [0.0, 0.0]
        n = 0
        for value in payloads:
            for request in (
                {"url": "/tim-kiem?q=" + quote(value, safe=""), "user_agent": "Mozilla/5.0"},
                {"url": "/" + value, "user_agent": value, "method": "POST", "values": [value]},
                {"url": "/ho-so/?a=" + value, "user_agent": "", "method": value[:7]},
            ):
                t0 = time.process_time()
                got = fast.inspect(**request)
                t1 = time.process_time()
                want = full.inspect(**request)
                cpu[0] += t1 - t0
                cpu[1] += time.process_time() - t1
                n += 1
                if (got.rule_ids, got.score) != (want.rule_ids, want.score):
                    failures += 1
                    print(
                        f"DIFFERENT at PL{paranoia}: {request!r}: {got.rule_ids} != {want.rule_ids}"
                    )
        print(
            f"paranoia {paranoia}: {n} requests, differences {failures}; CPU per request "
            f"pre-filtered {cpu[0] / n * 1e6:.0f} µs, full rule set {cpu[1] / n * 1e6:.0f} µs"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
