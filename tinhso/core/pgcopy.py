"""Bulk writing on PostgreSQL: ids reserved from a table's sequence, rows sent with COPY.

Used by the bulk seeders (demo dossiers, the public-investment demo): rows are made in
memory as unsaved model instances, given ids with ``reserve_ids`` (so later inserts
through the ORM never collide with them) and written with ``copy_rows``.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection


def reserve_ids(model, n: int) -> list[int]:
    """``n`` ids taken from the sequence of ``model``'s primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, n],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, dt.timedelta):
        text = f"{value.total_seconds()} seconds"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(model, rows) -> None:
    """COPY ``rows`` (unsaved instances with their ids) into ``model``'s table."""
    if not rows:
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    text = "".join(
        "\t".join(copy_value(getattr(row, f.attname)) for f in fields) + "\n" for row in rows
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        copy.write(text.encode())
