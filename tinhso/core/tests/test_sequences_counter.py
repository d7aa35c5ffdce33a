"""Counters: first value, increments per scope, rollback, and concurrent callers."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction

from tinhso.core.exceptions import ValidationError
from tinhso.core.models import Sequence
from tinhso.core.sequences import current_value, next_value

THREADS = 8
PER_THREAD = 50


@pytest.mark.django_db
def test_first_call_returns_one_and_each_call_increments():
    # given a scope never used
    scope = "dossier:000.00.50.H24:261122"
    # when it is asked for three values
    values = [next_value(scope=scope) for _ in range(3)]
    # then they are 1, 2, 3 and the counter remembers the last
    assert values == [1, 2, 3]
    assert current_value(scope=scope) == 3
    assert Sequence.objects.get(scope=scope).value == 3


@pytest.mark.django_db
def test_scopes_count_independently():
    # given two agencies' counters for the same day
    a, b = "dossier:000.00.50.H24:261122", "dossier:000.00.03.H24:261122"
    # when each is used
    next_value(scope=a)
    next_value(scope=a)
    # then the other still starts at 1
    assert next_value(scope=b) == 1
    assert next_value(scope=a) == 3


@pytest.mark.django_db
def test_a_rolled_back_value_is_handed_out_again():
    # given a counter at 1
    scope = "test:rollback"
    assert next_value(scope=scope) == 1
    # when a transaction takes 2 and rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_value(scope=scope) == 2
        raise RuntimeError("the dossier insert failed")
    # then 2 is given to the next caller: no gap
    assert next_value(scope=scope) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["", "x" * 201])
def test_an_empty_or_too_long_scope_is_refused(scope):
    with pytest.raises(ValidationError):
        next_value(scope=scope)


def _in_other_thread(fn) -> None:
    """Run ``fn`` on a connection of its own, outside the test's transaction."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # re-raised below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture
def committed_scope(django_db_setup, django_db_blocker):
    """A fresh scope whose rows are committed by threads and deleted afterwards.

    ``transaction=True`` would flush every table (the units too) for the rest
    of the run; this removes only the counter it created.
    """
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot write one in-memory SQLite database concurrently")
    scope = f"test:concurrent:{uuid.uuid4().hex}"
    with django_db_blocker.unblock():
        try:
            yield scope
        finally:
            _in_other_thread(lambda: Sequence.objects.filter(scope=scope).delete())


# The mark makes pytest-django create the test database; the callers commit on
# their own connections, outside the test's transaction.
@pytest.mark.django_db
def test_concurrent_callers_get_distinct_values_without_gaps(committed_scope):
    # given eight callers starting together, each value taken in its own transaction
    barrier = threading.Barrier(THREADS)
    results: list[list[int]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def caller(n: int) -> None:
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                with transaction.atomic():
                    results[n].append(next_value(scope=committed_scope))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then the 400 values are exactly 1..400, none twice
    assert errors == []
    values = [v for chunk in results for v in chunk]
    assert len(values) == THREADS * PER_THREAD
    assert sorted(values) == list(range(1, THREADS * PER_THREAD + 1))
    # and each caller saw its own values increase
    for chunk in results:
        assert chunk == sorted(chunk)
    assert current_value(scope=committed_scope) == THREADS * PER_THREAD
