"""The audit trail: a hash chain that ``audit_verify`` checks, one event per change."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, transaction

from tinhso.core.audit import (
    GENESIS_HASH,
    MASK,
    REASON_HASH,
    REASON_PREV_HASH,
    REASON_TAIL,
    REASON_UNCHAINED,
    audit_record,
    audit_verify,
    event_hash,
    redact,
)
from tinhso.core.context import request_id_var
from tinhso.core.models import AuditChainHead, AuditEvent, User


def _record(n: int, *, actor=None, prefix: str = "test.event") -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action=f"{prefix}.{i}",
            object_type="core.thing",
            object_id=str(i),
            object_repr=f"Thứ {i}",
            changes={"name": [None, f"Tên {i}"], "count": i},
        )
        for i in range(n)
    ]


@pytest.fixture
def base() -> int:
    """Events already in the test database (loading the units is audited too)."""
    return AuditEvent.objects.count()


@pytest.mark.django_db
def test_the_trail_of_a_fresh_database_verifies(base):
    report = audit_verify()
    assert report.ok
    assert report.checked == base


@pytest.mark.django_db
def test_verify_counts_every_event(base):
    _record(3)
    assert audit_verify().checked == base + 3


@pytest.mark.django_db
def test_recorded_events_link_into_one_chain(base):
    # given
    head_before = AuditChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    events = _record(5)
    # then each event points at the one before it, starting from the genesis
    assert events[0].prev_hash == (head_before or GENESIS_HASH)
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    report = audit_verify()
    assert report.ok
    assert report.checked == base + 5
    assert report.head_hash == events[-1].hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (events[-1].pk, events[-1].hash)


@pytest.mark.django_db
def test_event_stores_actor_action_object_changes_and_time():
    user = User.objects.create(username="canbo01", full_name="Nguyễn Văn An")
    event = audit_record(
        actor=user, action="thing.update", object_type="core.thing", object_id="7",
        changes={"status": ["new", "received"]},
    )  # fmt: skip
    event.refresh_from_db()
    assert event.actor_id == user.pk
    assert event.actor_label == "Nguyễn Văn An"
    assert event.action == "thing.update"
    assert (event.object_type, event.object_id) == ("core.thing", "7")
    assert event.changes == {"status": ["new", "received"]}
    assert event.occurred_at is not None
    # and the stored row (as read back from the database) still hashes the same
    assert event_hash(event) == event.hash


@pytest.mark.django_db
def test_event_records_the_object_from_a_model_instance():
    user = User.objects.create(username="congdan01")
    event = audit_record(actor=None, action="user.create", obj=user)
    assert event.object_type == "core.user"
    assert event.object_id == str(user.pk)
    assert event.object_repr == "congdan01"
    assert event.actor_label == "system"


TAMPERED_FIELDS = {
    "occurred_at": "2001-01-01T00:00:00+00:00",
    "actor_id": 999,
    "actor_label": "kẻ giả mạo",
    "action": "test.other",
    "object_type": "core.other",
    "object_id": "999",
    "object_repr": "Khác",
    "changes": {"name": [None, "Tên giả"]},
    "request_id": "forged",
    "ip_address": "10.9.9.9",
    "hash": "f" * 64,
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", sorted(TAMPERED_FIELDS))
@pytest.mark.parametrize("position", [0, 2, 4])
def test_changing_any_field_of_any_event_is_detected_at_that_event(field, position, base):
    # given a chain of five events
    events = _record(5)
    target = events[position]
    # when one field of one stored event is changed behind the chain's back
    AuditEvent.objects.filter(pk=target.pk).update(**{field: TAMPERED_FIELDS[field]})
    # then verify names that event
    report = audit_verify()
    assert not report.ok
    assert report.broken_at == target.pk
    assert report.reason == REASON_HASH
    assert report.checked == base + position


@pytest.mark.django_db
def test_changing_the_link_of_an_event_is_detected():
    events = _record(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(prev_hash="a" * 64)
    report = audit_verify()
    assert (report.broken_at, report.reason) == (events[1].pk, REASON_PREV_HASH)


@pytest.mark.django_db
def test_deleting_a_middle_event_is_detected_at_the_next_one(base):
    events = _record(5)
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    report = audit_verify()
    assert not report.ok
    assert report.broken_at == events[3].pk
    assert report.reason == REASON_PREV_HASH
    assert report.checked == base + 2


@pytest.mark.django_db
def test_deleting_the_first_event_is_detected():
    events = _record(3)
    AuditEvent.objects.filter(pk=events[0].pk).delete()
    report = audit_verify()
    assert (report.broken_at, report.reason) == (events[1].pk, REASON_PREV_HASH)


@pytest.mark.django_db
def test_deleting_the_newest_event_is_detected_from_the_head(base):
    events = _record(4)
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    report = audit_verify()
    assert not report.ok
    assert report.broken_at == events[-1].pk
    assert report.reason == REASON_TAIL
    assert report.checked == base + 3


@pytest.mark.django_db
def test_deleting_every_event_is_detected_from_the_head():
    events = _record(3)
    AuditEvent.objects.all().delete()
    report = audit_verify()
    assert (report.broken_at, report.reason) == (events[-1].pk, REASON_TAIL)


@pytest.mark.django_db
def test_reordering_two_events_is_detected_at_the_first_moved():
    # given
    events = _record(5)
    a, b = events[1], events[3]
    fields = [f.name for f in AuditEvent._meta.concrete_fields if f.name != "id"]
    values_a = {f: getattr(a, f) for f in fields}
    values_b = {f: getattr(b, f) for f in fields}
    # when their contents swap places (hash is unique, so go through a placeholder)
    AuditEvent.objects.filter(pk=a.pk).update(hash="tmp")
    AuditEvent.objects.filter(pk=b.pk).update(**values_a)
    AuditEvent.objects.filter(pk=a.pk).update(**values_b)
    # then
    report = audit_verify()
    assert not report.ok
    assert report.broken_at == a.pk
    assert report.reason == REASON_PREV_HASH


@pytest.mark.django_db
def test_an_event_inserted_outside_the_chain_is_detected():
    events = _record(2)
    forged = AuditEvent.objects.create(
        occurred_at=events[-1].occurred_at, action="forged", prev_hash=events[-1].hash,
        hash="b" * 64,
    )  # fmt: skip
    report = audit_verify()
    assert (report.broken_at, report.reason) == (forged.pk, REASON_UNCHAINED)


@pytest.mark.django_db
def test_an_event_in_a_rolled_back_transaction_leaves_no_trace(base):
    # given
    before = _record(2)
    # when a service records an event and then fails in the same transaction
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.doomed", changes={"x": 1})
        raise RuntimeError("the service failed after auditing")
    # then nothing of it is stored and the chain continues cleanly
    assert not AuditEvent.objects.filter(action="test.doomed").exists()
    assert AuditChainHead.objects.get(pk=1).last_hash == before[-1].hash
    after = audit_record(actor=None, action="test.after")
    assert after.prev_hash == before[-1].hash
    report = audit_verify()
    assert report.ok
    assert report.checked == base + 3


@pytest.mark.django_db
def test_request_id_from_the_context_reaches_the_event():
    token = request_id_var.set("req-abc.123")
    try:
        event = audit_record(actor=None, action="test.with_request")
    finally:
        request_id_var.reset(token)
    event.refresh_from_db()
    assert event.request_id == "req-abc.123"


# Secrets never reach the trail.


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "new_password",
        "Password",
        "token",
        "api_token",
        "apiToken",
        "secret",
        "totp_secret",
        "otp",
        "otp_code",
        "key_hash",
        "api_key",
        "csrfmiddlewaretoken",
        "pin",
    ],
)
def test_redact_masks_secret_keys(key):
    assert redact({key: "hunter2-value"}) == {key: MASK}


@pytest.mark.parametrize("key", ["name", "footprint", "status", "topic", "pinyin", "tokenizer"])
def test_redact_keeps_ordinary_keys(key):
    assert redact({key: "value"}) == {key: "value"}


def test_redact_masks_nested_secrets_and_id_numbers_in_text():
    changes = {
        "user": {"username": "an", "credentials": {"password": "x"}},
        "note": "CCCD 030190012345 đã xác minh",
        "items": [{"otp": "123456"}, "số 001203004567"],
        "amount": "150000000000.00",
        "count": 123456789012,
    }
    assert redact(changes) == {
        "user": {"username": "an", "credentials": MASK},
        "note": "CCCD 030******345 đã xác minh",
        "items": [{"otp": MASK}, "số 001******567"],
        "amount": "150000000000.00",
        "count": 123456789012,
    }


@pytest.mark.django_db
def test_recorded_event_never_stores_secrets_or_id_numbers():
    event = audit_record(
        actor=None, action="user.password_change", object_repr="Công dân 030190012345",
        changes={"password": ["old-pass", "new-pass"], "totp_secret": "JBSWY3DP",
                 "cccd": "030190012345"},
    )  # fmt: skip
    event.refresh_from_db()
    stored = f"{event.changes} {event.object_repr}"
    for secret in ("old-pass", "new-pass", "JBSWY3DP", "030190012345"):
        assert secret not in stored
    assert event.changes["cccd"] == "030******345"
    assert audit_verify().ok


# Concurrency: one chain, whoever writes.

THREADS = 4
PER_THREAD = 25


def _in_other_thread(fn) -> None:
    """Run ``fn`` on a fresh connection in its own thread (committed, autocommit)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Real commits from several threads, undone afterwards.

    ``transaction=True`` would flush every table after the test, units
    included, for the rest of the run; this puts back only what it changed.
    """
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot write one in-memory SQLite database concurrently")
    with django_db_blocker.unblock():
        head = AuditChainHead.objects.filter(pk=1).first()
        last_id, last_hash = (head.last_id, head.last_hash) if head else (0, GENESIS_HASH)
        try:
            yield last_id
        finally:

            def restore() -> None:
                with transaction.atomic():
                    AuditEvent.objects.filter(pk__gt=last_id).delete()
                    if head is None:
                        AuditChainHead.objects.all().delete()
                    else:
                        AuditChainHead.objects.filter(pk=1).update(
                            last_id=last_id, last_hash=last_hash
                        )

            _in_other_thread(restore)
            connection.close()


# The mark makes pytest-django create the test database; the writers commit on
# their own connections, outside the test's transaction.
@pytest.mark.django_db
def test_concurrent_writers_build_one_unbroken_chain(committed_db):
    # given four writers appending at the same time, each event in its own transaction
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                with transaction.atomic():
                    audit_record(actor=None, action=f"test.thread{n}", changes={"i": i})
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then every event is there, in one chain with no fork
    assert errors == []
    mine = AuditEvent.objects.filter(pk__gt=committed_db)
    assert mine.count() == THREADS * PER_THREAD
    for n in range(THREADS):
        assert mine.filter(action=f"test.thread{n}").count() == PER_THREAD
    report = audit_verify()
    assert report.ok, report
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == len(prev_hashes)
