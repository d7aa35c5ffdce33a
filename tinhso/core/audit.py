"""The hash-chained audit trail.

``audit_record`` is called by every service inside its transaction. Each event's
``hash`` covers its own fields and the previous event's hash, so editing,
deleting or reordering any stored event breaks the chain at that point.

Ordering concurrent writers: the single ``AuditChainHead`` row is locked
(``SELECT ... FOR UPDATE`` on PostgreSQL) before the new event takes its id, so
writers append one after another, ids follow the chain, and the chain never
forks. SQLite has no row locks; there the IMMEDIATE transaction mode
(``config/env.py``) takes the database write lock when the transaction begins,
which gives the same order. The head commits or rolls back together with the
event and the service's own changes.

What is stored never contains secrets: ``redact`` masks the values of keys such
as ``password``, ``token``, ``secret``, ``otp`` and masks 12-digit ID numbers in
text, before the hash is computed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from tinhso.core.context import current_client_ip, current_request_id
from tinhso.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
MASK = "***"

# Words that, as a whole part of a key (``new_password``, ``totpSecret``,
# ``api-token``), mark its value as a secret. Whole parts, not substrings, so
# that ``footprint`` is not taken for an ``otp``.
SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "token",
        "secret",
        "otp",
        "totp",
        "pin",
        "cvv",
        "apikey",
        "authorization",
        "cookie",
        "session",
        "sessionid",
        "csrf",
        "csrftoken",
        "csrfmiddlewaretoken",
        "credential",
        "credentials",
        "private",
        "salt",
    }
)
# Keys whose parts are harmless alone but secret together.
SECRET_KEYS = frozenset({"key_hash", "api_key", "access_key", "private_key", "signing_key"})
# A Vietnamese citizen ID (12 digits) standing alone: not part of a longer
# number, nor the integer part of a decimal amount ("150000000000.00").
_ID_NUMBER = re.compile(r"(?<![\d.,])\d{12}(?![\d.,]?\d)")
_KEY_PARTS = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _is_secret_key(key: str) -> bool:
    snake = _CAMEL.sub("_", key).lower()
    if snake in SECRET_KEYS or _KEY_PARTS.sub("_", snake).strip("_") in SECRET_KEYS:
        return True
    return any(part in SECRET_WORDS for part in _KEY_PARTS.split(snake) if part)


def mask_id_numbers(text: str) -> str:
    """Mask every 12-digit ID number in ``text``: 030******789."""
    from tinhso.core.validators import mask_id_number

    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)


def redact(value: Any) -> Any:
    """A copy of ``value`` fit for the audit trail: secrets and ID numbers masked.

    Applied to ``changes`` recursively (dict keys decide, strings are scanned).
    Numbers are left alone: amounts of money run to 12 digits too.
    """
    if isinstance(value, dict):
        return {
            key: (MASK if _is_secret_key(str(key)) else redact(item)) for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return mask_id_numbers(value)
    return value


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def jsonable(value: Any) -> Any:
    """What a JSONField gives back for ``value``: the hash is computed on that."""
    return json.loads(_canonical(value))


def event_hash(event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The very first event: create the head without a race (two first
        # writers both try the insert, one is ignored), then queue on its lock.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, last_id=0, last_hash=GENESIS_HASH)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the service's transaction.

    ``changes`` is what changed (``{"field": [old, new]}`` or any JSON-able
    dict); secrets and ID numbers in it are masked before storage.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if actor is None or not getattr(actor, "is_authenticated", False):
        actor_id, actor_label = None, "system" if actor is None else "anonymous"
    else:
        actor_id, actor_label = actor.pk, mask_id_numbers(str(actor))[:150]
    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            occurred_at=timezone.now().astimezone(UTC),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action[:64],
            object_type=object_type[:64],
            object_id=mask_id_numbers(str(object_id))[:64],
            object_repr=mask_id_numbers(object_repr)[:255],
            changes=jsonable(redact(changes or {})),
            request_id=current_request_id()[:64],
            ip_address=current_client_ip(),
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        head.last_id = event.pk
        head.last_hash = event.hash
        head.save(update_fields=["last_id", "last_hash"])
    return event


@dataclass
class ChainReport:
    """The outcome of ``audit_verify``: how many events were checked and the first broken one."""

    checked: int
    broken_at: int | None = None
    reason: str = ""
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.broken_at is None


# Reasons, stable codes for the CLI and the docs.
REASON_PREV_HASH = "prev_hash"  # the event does not link to the one before it
REASON_HASH = "hash"  # the event's fields do not match its hash
REASON_TAIL = "tail"  # the newest events are missing: the head remembers more
REASON_UNCHAINED = "unchained"  # an event stored without going through the chain


def _events(up_to: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.filter(pk__lte=up_to).order_by("pk").iterator(chunk_size=2000)


def audit_verify() -> ChainReport:
    """Walk the chain from the start; report the first event whose link is broken.

    The head is read first and only events up to it are checked: writers that
    commit during the walk add events after it, which the next run checks.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    last_id = head.last_id if head is not None else 0
    if head is None:
        # No event was ever recorded through the chain.
        stray = AuditEvent.objects.order_by("pk").first()
        if stray is not None:
            return ChainReport(0, stray.pk, REASON_UNCHAINED)
        return ChainReport(0)
    previous = GENESIS_HASH
    checked = 0
    for event in _events(last_id):
        if event.prev_hash != previous:
            return ChainReport(checked, event.pk, REASON_PREV_HASH)
        if event_hash(event) != event.hash:
            return ChainReport(checked, event.pk, REASON_HASH)
        previous = event.hash
        checked += 1
    if head.last_hash != previous:
        # The newest events were deleted (or the head was edited): the head
        # still names the last event it saw.
        return ChainReport(checked, head.last_id, REASON_TAIL)
    # Events after the head that the head does not know about. Query them
    # before re-reading the head, so an append committing meanwhile shows as a
    # moved head (fine) rather than as a stray event.
    stray = AuditEvent.objects.filter(pk__gt=last_id).order_by("pk").first()
    if stray is not None:
        now = AuditChainHead.objects.filter(pk=1).values_list("last_id", flat=True).first()
        if now == last_id:
            return ChainReport(checked, stray.pk, REASON_UNCHAINED)
    return ChainReport(checked, head_hash=previous)
