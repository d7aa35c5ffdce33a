"""The monthly disbursement summary (``DisbursementMonth``): kept exact by every write path.

One row per plan line and month: the signed sum and number of the rows not
rejected, and the part the State Treasury confirmed. The measures read whole
months from the summary and only the month under way (when the day asked is
not a month's last) from the disbursement table, so the province overview
reads a few tens of thousands of summary rows instead of every disbursement of
the year.

Every code path that writes disbursements calls ``refresh_plan_lines`` with the
lines it touched, inside its own transaction: the services after each record or
confirmation, the demo and ``seed_investment`` after their bulk insert, an
upload after its rows, and a deleted row through the ``post_delete``
receiver in ``models/summaries.py``. ``refresh_plan_lines`` recomputes those
lines' rows from the disbursement table with one delete and one ``INSERT …
SELECT … GROUP BY`` per chunk of lines, so the summary is a recomputation by construction, never a
running total that could drift. ``rebuild_all`` (``tinhso
investment_summary_rebuild``) recomputes the whole table.

Concurrency: the refresh locks its plan lines (``SELECT … FOR NO KEY UPDATE``
on PostgreSQL, which does not block the foreign-key checks of inserts), so two
transactions refreshing the same line run one after the other and the second
sees the first's committed rows; SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum

from tinhso.core.audit import audit_record
from tinhso.investment.choices import DisbursementStatus
from tinhso.investment.models import Disbursement, DisbursementMonth, PlanLine

# Ids per statement: far below SQLite's limit on bound parameters.
CHUNK = 500


def _month_sql() -> str:
    """The SQL of the first day of ``date``'s month, for this database."""
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('month', date) AS date)"
    if connection.vendor == "sqlite":
        return "date(date, 'start of month')"
    raise NotImplementedError(connection.vendor)


def _insert_select(where: str = "", params: list | None = None) -> int:
    """Insert the summary rows of the disbursements matching ``where``; returns the rows written."""
    quote = connection.ops.quote_name
    summary = quote(DisbursementMonth._meta.db_table)
    table = quote(Disbursement._meta.db_table)
    month = _month_sql()
    columns = ", ".join(
        quote(name)
        for name in (
            "plan_line_id",
            "project_id",
            "month",
            "amount",
            "count",
            "confirmed_amount",
            "confirmed_count",
        )
    )
    sql = (
        f"INSERT INTO {summary} ({columns}) "  # noqa: S608
        f"SELECT plan_line_id, project_id, {month}, SUM(amount), COUNT(*), "
        "SUM(CASE WHEN status = %s THEN amount ELSE 0 END), "
        "SUM(CASE WHEN status = %s THEN 1 ELSE 0 END) "
        f"FROM {table} WHERE status <> %s {where} "
        "GROUP BY 1, 2, 3"
    )
    confirmed = DisbursementStatus.TREASURY_CONFIRMED.value
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [confirmed, confirmed, DisbursementStatus.REJECTED.value, *(params or [])]
        )
        return max(cursor.rowcount, 0)


def refresh_plan_lines(plan_line_ids: Iterable[int]) -> None:
    """Recompute the summary rows of these plan lines from their disbursements.

    Call it inside the transaction that wrote the disbursements (services, bulk
    inserts, uploads), after the writes. A line without disbursements is left
    with no summary rows. Unknown ids are ignored.
    """
    ids = sorted({int(pk) for pk in plan_line_ids})
    if not ids:
        return
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            if connection.vendor == "postgresql":
                # Serialise refreshes of the same lines (see the module's docstring).
                locked = PlanLine.objects.filter(pk__in=chunk).order_by("pk")
                list(locked.select_for_update(no_key=True).values_list("pk", flat=True))
            DisbursementMonth.objects.filter(plan_line_id__in=chunk).delete()
            marks = ", ".join(["%s"] * len(chunk))
            _insert_select(f"AND plan_line_id IN ({marks})", chunk)


@dataclass
class RebuildReport:
    removed: int
    written: int
    plan_lines: int
    disbursements: int

    def as_dict(self) -> dict:
        return {
            "removed": self.removed,
            "written": self.written,
            "plan_lines": self.plan_lines,
            "disbursements": self.disbursements,
        }


def rebuild_all(*, actor=None) -> RebuildReport:
    """Recompute the whole summary from the disbursement table (idempotent), in one transaction.

    On PostgreSQL the summary is locked against other writers for the duration
    (readers go on): a disbursement recorded meanwhile refreshes its line after
    the rebuild commits, so nothing is lost. Audited once
    (``investment.summary_rebuild``, with the counts).
    """
    with transaction.atomic():
        table = connection.ops.quote_name(DisbursementMonth._meta.db_table)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        removed, _by_model = DisbursementMonth.objects.all().delete()
        _insert_select()
        totals = DisbursementMonth.objects.aggregate(
            written=Count("id"), lines=Count("plan_line_id", distinct=True), rows=Sum("count")
        )
        report = RebuildReport(
            removed=removed,
            written=totals["written"],
            plan_lines=totals["lines"],
            disbursements=int(totals["rows"] or 0),
        )
        audit_record(
            actor=actor,
            action="investment.summary_rebuild",
            object_type="investment.disbursementmonth",
            object_repr="Tổng hợp giải ngân theo tháng",
            changes=report.as_dict(),
        )
    return report


def recomputed(plan_line_ids: Iterable[int] | None = None) -> dict[tuple, tuple[int, ...]]:
    """What the summary should hold, computed in Python from the disbursement rows.

    ``{(plan_line_id, project_id, month): (amount, count, confirmed_amount,
    confirmed_count)}``; for tests and checks, not for pages (it reads every row).
    """
    rows = Disbursement.objects.exclude(status=DisbursementStatus.REJECTED)
    if plan_line_ids is not None:
        rows = rows.filter(plan_line_id__in=list(plan_line_ids))
    out: dict[tuple, tuple[int, ...]] = {}
    for line_id, project_id, day, amount, status in rows.values_list(
        "plan_line_id", "project_id", "date", "amount", "status"
    ).iterator(chunk_size=10_000):
        key = (line_id, project_id, day.replace(day=1))
        total, count, confirmed, confirmed_count = out.get(key, (0, 0, 0, 0))
        if status == DisbursementStatus.TREASURY_CONFIRMED:
            confirmed, confirmed_count = confirmed + amount, confirmed_count + 1
        out[key] = (total + amount, count + 1, confirmed, confirmed_count)
    return out


def stored(plan_line_ids: Iterable[int] | None = None) -> dict[tuple, tuple[int, ...]]:
    """The summary as stored, in the shape of ``recomputed``."""
    rows = DisbursementMonth.objects.all()
    if plan_line_ids is not None:
        rows = rows.filter(plan_line_id__in=list(plan_line_ids))
    return {
        tuple(row[:3]): tuple(row[3:])
        for row in rows.values_list(
            "plan_line_id",
            "project_id",
            "month",
            "amount",
            "count",
            "confirmed_amount",
            "confirmed_count",
        ).iterator(chunk_size=10_000)
    }


__all__ = ["RebuildReport", "rebuild_all", "recomputed", "refresh_plan_lines", "stored"]
