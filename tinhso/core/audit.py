"""The hash-chained audit trail.

``audit_record`` is called by every service inside its transaction. It locks
the chain head, so concurrent writers append one after another and the chain
never forks; on SQLite the IMMEDIATE transaction mode gives the same order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tinhso.core.context import current_client_ip, current_request_id
from tinhso.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def jsonable(value: Any) -> Any:
    """What a JSONField gives back for ``value``: the hash is computed on that."""
    return json.loads(_canonical(value))


def event_hash(event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.astimezone(timezone.UTC).isoformat(),
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
    """Append one event to the chain. Must run inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor is None or not getattr(actor, "is_authenticated", False):
        actor_id, actor_label = None, "system" if actor is None else "anonymous"
    else:
        actor_label = str(actor)[:150]
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH}
        )
        event = AuditEvent(
            occurred_at=timezone.now().astimezone(timezone.UTC),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            changes=jsonable(changes or {}),
            request_id=current_request_id(),
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
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def audit_verify() -> ChainReport:
    """Walk the chain from the start; report the first event whose link is broken."""
    previous = GENESIS_HASH
    checked = 0
    last_id = 0
    for event in _events():
        if event.prev_hash != previous:
            return ChainReport(checked, event.pk, "prev_hash")
        if event_hash(event) != event.hash:
            return ChainReport(checked, event.pk, "hash")
        previous = event.hash
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.last_id != last_id):
        # The newest events were deleted: the head still remembers them.
        return ChainReport(checked, head.last_id, "tail")
    return ChainReport(checked)
