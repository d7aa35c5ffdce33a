"""Data made once for a module or a class of tests, rolled back when they are done.

pytest-django wraps each test in a transaction that rolls back. A fixture of a
wider scope can open an outer transaction, make its data once, and roll it back
when its scope ends: each test then runs in a savepoint inside it, sees the
data, and whatever it changes is undone before the next test. pytest-django
runs its non-transactional tests without Django's class-level transaction so
that tests can be wrapped this way.

Use it for data that takes seconds to make (a demo, a catalogue) and that the
tests only read; a test that checks how the data are made keeps making them
itself. Not for ``transaction=True`` tests: they flush the database.
"""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def outer_transaction(django_db_blocker):
    """An outer transaction for the scope of the fixture that opens it (rolled back)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
