"""Audit trail speed: appending events (one writer and four concurrent) and verifying the chain.

Run: .venv/bin/python bench/audit_chain.py [N]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench .venv/bin/python bench/audit_chain.py
Works on a throw-away test database (``test_<name>``, or a temporary SQLite file),
created and dropped by the script. Prints events per second.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
if not os.environ.get("DATABASE_URL"):
    # A file, not memory: the concurrent case needs connections that share it.
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from tinhso.core.audit import audit_record, audit_verify  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
WRITERS = 4


def append(n: int, tag: str) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(
                actor=None,
                action=f"bench.{tag}",
                object_type="core.thing",
                object_id=str(i),
                changes={"status": ["received", "processing"], "note": "Hồ sơ đang xử lý"},
            )


def main() -> None:
    vendor = connection.vendor
    if vendor == "sqlite":
        # A file, not memory: the concurrent writers need connections sharing it.
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + ".test"
    test_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        start = time.perf_counter()
        append(N, "single")
        single = time.perf_counter() - start

        per_writer = N // WRITERS
        errors: list[BaseException] = []

        def writer(k: int) -> None:
            try:
                append(per_writer, f"w{k}")
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent = time.perf_counter() - start

        start = time.perf_counter()
        report = audit_verify()
        verify = time.perf_counter() - start

        print(f"database: {vendor} ({test_name})")
        print(f"append, 1 writer:  {N} events in {single:.2f} s = {N / single:,.0f} events/s")
        if errors:
            print(f"append, {WRITERS} writers: failed: {errors[0]!r}")
        else:
            total = per_writer * WRITERS
            print(
                f"append, {WRITERS} writers: {total} events in {concurrent:.2f} s"
                f" = {total / concurrent:,.0f} events/s"
            )
        print(
            f"verify: {report.checked} events in {verify:.2f} s"
            f" = {report.checked / verify:,.0f} events/s; intact: {report.ok}"
        )
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
