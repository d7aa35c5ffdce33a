"""Excel upload of 1,500 disbursement rows, the provincial report and the OC4IDS export: time, memory, size.

Run: .venv/bin/python bench/investment_excel.py [--projects 1500] [--rows 1500]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_invexcel .venv/bin/python bench/investment_excel.py

Uses ``DATABASE_URL`` (PostgreSQL created when missing) or a fresh SQLite file
``var/bench/investment_excel.sqlite3``. It migrates, loads the administrative
units, builds the test world (``tinhso/investment/tests/factories.py``: the
provincial construction board and its owner account, the city leader) and adds
``--projects`` projects of the board with one 2025 annual plan line each
(bulk-created: the set-up is not measured). Then it prints:

1. ``disbursement_upload`` of a workbook of ``--rows`` rows (one per line, then
   round-robin; recorded by ``bulk.disbursements_record_bulk``): wall time,
   rows per second and the load average; a second upload of the same size
   under ``tracemalloc`` for the peak Python memory, counting its queries;
2. ``report_workbook`` for the leader (time, bytes);
3. ``package_chunks`` written to a file for everything (as ``tinhso
   investment_oc4ids`` does: time, bytes, projects) and for the owner.

Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import bench_env, database_url, describe_url, machine_line, manage, setup_django

YEAR = 2025
TODAY = dt.date(2025, 12, 31)
BN = 1_000_000_000


def seed(world, projects: int) -> list:
    from django.utils import timezone

    from tinhso.investment.choices import (
        AssignedBy,
        FundingSource,
        PlanLineKind,
        ProjectPhase,
        ProjectTier,
        Sector,
    )
    from tinhso.investment.models import PlanLine, Project, ProjectOwnership
    from tinhso.investment.tests.factories import annual_plan

    now = timezone.now()
    sectors = list(Sector.values)
    Project.objects.bulk_create(
        [
            Project(
                code=f"BX-{n:05d}",
                name=f"Dự án đo hiệu năng số {n}",
                tier=ProjectTier.PROVINCE,
                owner=world.board,
                sector=sectors[n % len(sectors)],
                group="C",
                total_investment=50 * BN + n * 1_000_000,
                unit=world.province,
                phase=ProjectPhase.IMPLEMENTATION,
                start_year=2024,
                end_year=2026,
                latitude="20.9" if n % 2 else None,
                longitude="106.3" if n % 2 else None,
                created_at=now,
                updated_at=now,
            )
            for n in range(1, projects + 1)
        ],
        batch_size=500,
    )
    rows = list(Project.objects.filter(code__startswith="BX-").order_by("code"))
    ProjectOwnership.objects.bulk_create(
        [
            ProjectOwnership(project=p, owner=world.board, valid_from=dt.date(2024, 1, 1))
            for p in rows
        ],
        batch_size=500,
    )
    plan = annual_plan(world, YEAR)
    PlanLine.objects.bulk_create(
        [
            PlanLine(
                plan=plan,
                project=p,
                source=FundingSource.PROVINCIAL_BUDGET if i % 3 else FundingSource.CENTRAL_BUDGET,
                assigned_by=AssignedBy.PRIME_MINISTER if i % 2 else AssignedBy.PROVINCE,
                kind=PlanLineKind.INITIAL,
                amount=10 * BN,
                year=YEAR,
                deadline=dt.date(YEAR + 1, 1, 31),
            )
            for i, p in enumerate(rows)
        ],
        batch_size=500,
    )
    return list(
        PlanLine.objects.filter(project__code__startswith="BX-")
        .select_related("project")
        .order_by("project__code")
    )


def workbook(lines, rows: int, month: int) -> bytes:
    from openpyxl import Workbook

    from tinhso.investment import excel

    book = Workbook()
    sheet = book.active
    sheet.title = excel.SHEET
    sheet.append([label for _k, label, _w in excel.COLUMNS])
    for n in range(rows):
        line = lines[n % len(lines)]
        sheet.append(
            [
                line.project.code,
                line.project.name,
                line.pk,
                None,
                YEAR,
                line.amount,
                None,
                dt.datetime(YEAR, month, 1 + n % 28),
                1_000_000 + n,
                "Thanh toán khối lượng hoàn thành",
                f"KB-{month}-{n}",
                None,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1500)
    parser.add_argument("--rows", type=int, default=1500)
    args = parser.parse_args()

    url = database_url("investment_excel")
    env = bench_env(database_url=url)
    manage(env, "migrate", "-v0")
    setup_django(env)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tinhso.core.models import AdministrativeUnit
    from tinhso.core.services.units import units_load
    from tinhso.investment import excel, oc4ids
    from tinhso.investment.models import Disbursement, Project
    from tinhso.investment.tests.factories import make_world

    print(machine_line())
    print(f"database: {describe_url(url)}")
    if not AdministrativeUnit.objects.exists():
        units_load(actor=None)
    if Project.objects.filter(code__startswith="BX-").exists():
        sys.exit("the database already holds BX- projects: use a fresh database")
    started = time.perf_counter()
    world = make_world()
    lines = seed(world, args.projects)
    print(f"set-up: {len(lines)} projects and lines in {time.perf_counter() - started:.1f} s")

    data = workbook(lines, args.rows, 6)
    before = Disbursement.objects.count()
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    result = excel.disbursement_upload(actor=world.owner, data=data, today=TODAY)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = Disbursement.objects.count() - before
    assert stored == result.rows == args.rows, (stored, result.rows)
    print(
        f"upload of {args.rows} rows ({len(data) / 1024:.0f} KiB): {elapsed:.2f} s "
        f"(this process's CPU {cpu:.2f} s), {args.rows / elapsed:.0f} rows/s, "
        f"{stored} disbursements stored "
        f"(load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)"
    )
    data = workbook(lines, args.rows, 7)
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        excel.disbursement_upload(actor=world.owner, data=data, today=TODAY)
    traced = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"upload again under tracemalloc: {traced:.2f} s, peak Python memory "
        f"{peak / 2**20:.1f} MiB, {len(queries.captured_queries)} queries"
    )

    started = time.perf_counter()
    output = excel.report_workbook(world.leader, year=YEAR, as_of=TODAY)
    size = len(output.read())
    print(
        f"provincial report (leader, {len(lines)} projects): {time.perf_counter() - started:.2f} s, {size / 1024:.0f} KiB"
    )

    for label, user in (("everything", None), ("owner", world.owner)):
        with tempfile.NamedTemporaryFile(
            "w", suffix=".json", delete=False, encoding="utf-8"
        ) as out:
            started = time.perf_counter()
            for chunk in oc4ids.package_chunks(user, uri="https://tinhso.example/oc4ids.json"):
                out.write(chunk)
            elapsed = time.perf_counter() - started
        size = os.path.getsize(out.name)
        count = (
            Project.objects.count()
            if user is None
            else Project.objects.restrict(user, "view").count()
        )
        os.unlink(out.name)
        print(f"OC4IDS export ({label}, {count} projects): {elapsed:.2f} s, {size / 2**20:.2f} MiB")
    connection.close()


if __name__ == "__main__":
    main()
