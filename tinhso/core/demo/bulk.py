"""``tinhso seed``: generate volume (citizens) fast, for benchmarks.

On PostgreSQL the rows are streamed with COPY FROM STDIN (psycopg 3
``cursor.copy()``), already formatted as COPY text; elsewhere they go in with
``executemany`` in batches. Either way it is one transaction and one audit
event summarising the run, not one per row. Numbers are unique by construction
(see ``tinhso.core.demo.people``), continuing after what the database holds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.audit import audit_record
from tinhso.core.demo.people import COLUMNS, PeopleGenerator
from tinhso.core.exceptions import Conflict, ValidationError
from tinhso.core.models import Citizen

MAX_SCALE = 100_000_000
MAX_BATCH = 1_000_000
SEED_COLUMNS = (*COLUMNS, "created_at")


@dataclass
class SeedReport:
    rows: int
    seconds: float
    backend: str
    seed: int
    batch: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "backend": self.backend,
            "seed": self.seed,
            "batch": self.batch,
        }


def validate_scale(scale, batch) -> tuple[int, int]:
    try:
        scale = int(scale)
    except (TypeError, ValueError):
        scale = -1
    if not 1 <= scale <= MAX_SCALE:
        raise ValidationError(
            _("Số bản ghi cần tạo (--scale) phải là số nguyên từ 1 đến %(max)s.")
            % {"max": f"{MAX_SCALE:,}".replace(",", ".")},
            code="invalid_scale",
        )
    try:
        batch = int(batch)
    except (TypeError, ValueError):
        batch = -1
    if not 1 <= batch <= MAX_BATCH:
        raise ValidationError(
            _("Kích thước lô (--batch) phải là số nguyên từ 1 đến %(max)s.")
            % {"max": f"{MAX_BATCH:,}".replace(",", ".")},
            code="invalid_batch",
        )
    return scale, batch


def copy_text(rows: Iterable[tuple], created_at: str) -> bytes:
    """Rows in PostgreSQL's COPY text format.

    Generated names, numbers and phones never hold a tab, a newline or a
    backslash, so no escaping is needed; ``email`` is empty.
    """
    tail = f"\t{created_at}\n"
    return "".join(
        f"{number}\t{name}\t{born.isoformat()}\t{sex}\t{phone}\t{email}{tail}"
        for number, name, born, sex, phone, email in rows
    ).encode()


def copy_sql(table: str) -> str:
    return f'COPY "{table}" ({", ".join(SEED_COLUMNS)}) FROM STDIN'


def generated_batches(
    *, total: int, batch: int, seed: int, bucket_counts: dict[str, int]
) -> Iterator[list[tuple]]:
    return PeopleGenerator(seed=seed, bucket_counts=bucket_counts).row_batches(total, batch)


def _write_postgresql(batches, created_at) -> None:
    table = Citizen._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(copy_sql(table)) as copy:
            for rows in batches:
                copy.write(copy_text(rows, created_at))


def _write_generic(batches, created_at) -> None:
    table = connection.ops.quote_name(Citizen._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in SEED_COLUMNS)
    placeholders = ", ".join(["%s"] * len(SEED_COLUMNS))
    created_at = connection.ops.adapt_datetimefield_value(created_at)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (no user input)
    with connection.cursor() as cursor:
        for rows in batches:
            cursor.executemany(sql, [(*row, created_at) for row in rows])


def citizens_seed(*, actor=None, scale, batch=10_000, seed: int | None = None) -> SeedReport:
    """Insert ``scale`` generated citizens with valid, unique CCCDs; audited once."""
    from tinhso.core.demo.seeder import citizen_bucket_counts

    scale, batch = validate_scale(scale, batch)
    started = time.perf_counter()
    counts = citizen_bucket_counts()
    if seed is None:
        # Each run draws different names, reproducibly from the database state.
        seed = 1 + sum(counts.values())
    batches = generated_batches(total=scale, batch=batch, seed=seed, bucket_counts=counts)
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    try:
        with transaction.atomic():
            if postgres:
                _write_postgresql(batches, now.isoformat())
            else:
                _write_generic(batches, now)
            report = SeedReport(
                rows=scale,
                seconds=time.perf_counter() - started,
                backend="copy" if postgres else "executemany",
                seed=seed,
                batch=batch,
            )
            audit_record(
                actor=actor,
                action="citizen.seed",
                object_type="core.citizen",
                object_repr=_("Dữ liệu sinh tự động (demo)"),
                changes={"demo": True, **report.as_dict()},
            )
    except IntegrityError as exc:
        raise Conflict(
            _(
                "Số CCCD sinh ra trùng với công dân đã có (dữ liệu không do lệnh seed tạo). "
                "Hãy dùng một cơ sở dữ liệu riêng cho đo hiệu năng."
            ),
            code="seed_conflict",
        ) from exc
    report.seconds = time.perf_counter() - started
    return report
