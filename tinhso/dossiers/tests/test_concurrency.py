"""Concurrent submissions and actions on PostgreSQL (real transactions, one thread each)."""

import threading

import pytest
from django.db import connection, connections

from tinhso.core.workflow import StaleVersion
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.choices import Channel
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import dossier_submit
from tinhso.dossiers.tests.factories import make_world, pdf_upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real threads"
    ),
]


def _ensure_units():
    from tinhso.core.models import AdministrativeUnit
    from tinhso.core.services.units import units_load

    if not AdministrativeUnit.objects.exists():
        units_load(actor=None)


@pytest.fixture(scope="module", autouse=True)
def units_back_afterwards(django_db_blocker):
    """The flush after a transactional test empties every table, units included:
    put them back once this module is done, for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        _ensure_units()


@pytest.fixture
def committed_world():
    _ensure_units()
    return make_world()


def run_threads(count, work):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, [None] * count

    def target(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:
            errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def _submit(world, key):
    return dossier_submit(
        actor=world.citizen_user,
        procedure=world.procedure,
        applicant=world.citizen,
        channel=Channel.ONLINE,
        unit=world.commune,
        files={"to-khai": [pdf_upload()]},
        idempotency_key=key,
    )


def test_eight_concurrent_submissions_get_eight_distinct_consecutive_codes(committed_world):
    results, errors = run_threads(8, lambda i: _submit(committed_world, f"concurrent-{i:04d}"))
    assert errors == [None] * 8
    codes = sorted(d.code for d in results)
    assert len(set(codes)) == 8
    assert [code[-4:] for code in codes] == [f"{n:04d}" for n in range(1, 9)]
    assert Dossier.objects.count() == 8


def test_concurrent_retries_with_one_key_create_one_dossier(committed_world):
    results, errors = run_threads(8, lambda i: _submit(committed_world, "same-key-0001"))
    assert errors == [None] * 8
    assert len({d.pk for d in results}) == 1
    assert Dossier.objects.count() == 1


def test_two_officers_acting_at_once_one_wins_the_other_gets_stale_version(committed_world):
    world = committed_world
    dossier = _submit(world, "race-00000001")
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    version = dossier.version
    officers = [world.specialist, world.specialist2]
    results, errors = run_threads(
        2,
        lambda i: dossier_act(
            actor=officers[i], dossier=dossier, action="forward", expected_version=version
        ),
    )
    assert sum(r is not None for r in results) == 1
    assert sum(isinstance(e, StaleVersion) for e in errors) == 1
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.version == version + 1
    assert fresh.events.filter(action="forward").count() == 1
