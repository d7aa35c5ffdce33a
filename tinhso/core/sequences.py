"""Named counters that never hand out the same value twice.

``next_value(scope="dossier:000.00.50.H24:261122")`` returns 1 the first time,
then 2, 3 ... for that scope. It is one statement::

    INSERT INTO core_sequence (scope, value) VALUES (%s, 1)
    ON CONFLICT (scope) DO UPDATE SET value = core_sequence.value + 1
    RETURNING value

On PostgreSQL the upsert takes the row lock of the scope's row (or inserts it,
the unique index settling a race between two first callers), so concurrent
callers queue on that row until the holder's transaction ends and each sees
the value the previous one committed. On SQLite the IMMEDIATE transactions of
``config/env.py`` hold the database write lock for the whole transaction, which
serialises callers the same way.

Call it inside the transaction that uses the value (the dossier's insert): the
row stays locked until that transaction ends, so the values come out in commit
order with no duplicates. Gaps: a transaction that rolls back gives its value
back (the counter's increment is rolled back with it), so the next caller gets
the same value and no gap appears from a rollback. Values are never reused
once committed. Callers of different scopes never wait for each other.
"""

from __future__ import annotations

from django.db import connections, router

from tinhso.core.exceptions import ValidationError
from tinhso.core.models import Sequence

MAX_SCOPE_LENGTH = 200


def next_value(*, scope: str) -> int:
    """Increment the counter ``scope`` and return its new value (the first call gives 1)."""
    if not scope or len(scope) > MAX_SCOPE_LENGTH:
        # A programming error rather than a user's, but never a 500 with a
        # truncated scope silently sharing another scope's counter.
        raise ValidationError(details={"scope": scope[:MAX_SCOPE_LENGTH] if scope else scope})
    connection = connections[router.db_for_write(Sequence)]
    quote = connection.ops.quote_name
    table = quote(Sequence._meta.db_table)
    scope_col = quote(Sequence._meta.get_field("scope").column)
    value_col = quote(Sequence._meta.get_field("value").column)
    sql = (
        f"INSERT INTO {table} ({scope_col}, {value_col}) VALUES (%s, 1) "  # noqa: S608
        f"ON CONFLICT ({scope_col}) DO UPDATE SET {value_col} = {table}.{value_col} + 1 "
        f"RETURNING {value_col}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope])
        return int(cursor.fetchone()[0])


def current_value(*, scope: str) -> int:
    """The last value handed out for ``scope`` (0 if none): for reports, not for new codes."""
    value = Sequence.objects.filter(scope=scope).values_list("value", flat=True).first()
    return int(value or 0)
