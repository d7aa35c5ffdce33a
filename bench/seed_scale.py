"""Benchmark ``tinhso seed --scale N`` on PostgreSQL against a plain COPY of the same rows.

    .venv/bin/python bench/seed_scale.py [--scale 1000000] [--batch 10000]

Uses ``DATABASE_URL`` if set, else a dedicated database ``tinhso_bench`` on
127.0.0.1 that it creates (its citizens table is emptied at the start). In one run:

1. ``tinhso migrate``, then ``tinhso seed --scale N --seed 1`` (the real command,
   in a subprocess): its own rows/s (generation + COPY + commit) and the wall
   time including process start;
2. the same N rows, generated beforehand in memory by the same generator, sent
   with one plain ``COPY`` into a table identical to ``core_citizen`` (``LIKE …
   INCLUDING ALL``: same columns, unique index and primary key), then into a bare
   copy without indexes: the ceilings the database allows.

It checks that both tables hold exactly the same rows, then prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench"


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def tinhso(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tinhso.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def fmt(rate: float) -> str:
    return f"{rate:>12,.0f} rows/s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    options = parser.parse_args()
    if options.scale < 1:
        parser.error("--scale must be at least 1")

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("this benchmark needs PostgreSQL (DATABASE_URL=postgres://...)")
    ensure_database(url)
    var_dir = ROOT / "var" / "bench"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        TINHSO_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings.local",
        LOG_LEVEL="WARNING",
    )
    os.environ.update(env)

    tinhso(["migrate", "--verbosity", "0"], env)

    import django

    django.setup()
    from django.db import connection

    from tinhso.core.demo.bulk import SEED_COLUMNS, copy_text, generated_batches
    from tinhso.core.models import Citizen

    table = Citizen._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{table}" RESTART IDENTITY CASCADE')
    connection.close()

    print(f"PostgreSQL {urlparse(url).path.lstrip('/')}: {options.scale:,} citizens")

    # 1. The real command.
    started = time.perf_counter()
    result = tinhso(
        [
            "seed",
            "--scale",
            str(options.scale),
            "--batch",
            str(options.batch),
            "--seed",
            "1",
            "--json",
        ],
        env,
    )
    wall = time.perf_counter() - started
    report = json.loads(result.stdout.strip().splitlines()[-1])

    # 2. The ceiling: the same rows, generated before the clock starts.
    created_at = "2025-07-01T00:00:00+00:00"
    chunks = [
        copy_text(rows, created_at)
        for rows in generated_batches(
            total=options.scale, batch=options.batch, seed=1, bucket_counts={}
        )
    ]
    columns = ", ".join(SEED_COLUMNS)
    ceilings = {}
    for label, target, like in (
        ("identical table", "bench_citizen_copy", "INCLUDING ALL"),
        ("bare table, no indexes", "bench_citizen_bare", "INCLUDING DEFAULTS"),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            cursor.execute(f'CREATE TABLE {target} (LIKE "{table}" {like})')
            if like == "INCLUDING DEFAULTS":
                cursor.execute(f"ALTER TABLE {target} ALTER COLUMN id DROP NOT NULL")
        raw = connection.connection
        started = time.perf_counter()
        with (
            raw.transaction(),
            raw.cursor() as cur,
            cur.copy(f"COPY {target} ({columns}) FROM STDIN") as copy,
        ):
            for chunk in chunks:
                copy.write(chunk)
        ceilings[label] = (target, time.perf_counter() - started)

    # Same rows in both (numbers, names, dates, sexes, phones).
    def digest(name: str) -> tuple:
        with connection.cursor() as cursor:
            sql = (
                "SELECT count(*), md5(string_agg(id_number || full_name || date_of_birth || sex "  # noqa: S608 (fixed table names)
                "|| phone, ',' ORDER BY id_number)) FROM " + name
            )
            cursor.execute(sql)
            return cursor.fetchone()

    seeded = digest(f'"{table}"')
    copied = digest("bench_citizen_copy")
    if seeded != copied or seeded[0] != options.scale:
        print(f"MISMATCH: seeded {seeded} vs copied {copied}")
        return 1

    seed_rate = options.scale / report["seconds"]
    print(f"tinhso seed (in command)         {fmt(seed_rate)}  {report['seconds']:7.2f} s")
    print(f"tinhso seed (wall, with startup) {fmt(options.scale / wall)}  {wall:7.2f} s")
    for label, (_, seconds) in ceilings.items():
        rate = options.scale / seconds
        print(f"plain COPY, {label:<21}{fmt(rate)}  {seconds:7.2f} s")
    best = options.scale / ceilings["identical table"][1]
    print(f"ratio seed / plain COPY (identical table): {seed_rate / best:.2f}")
    print("rows identical in both tables: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
