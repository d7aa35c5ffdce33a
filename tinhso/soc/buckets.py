"""Leaky buckets (in the manner of CrowdSec) keyed by address, user or path, memory bounded.

A bucket holds up to ``capacity`` units and leaks ``leak_rate`` units per second. Each
matching event pours one unit (a distinct-count bucket pours only for a value it has not
seen for that key). When the level passes the capacity the bucket overflows: the rule
fires and the bucket is emptied. Keys live in an LRU of at most ``max_keys`` entries;
evictions are counted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from tinhso.soc.schema import Event

MAX_DISTINCT_PER_KEY = 256


@dataclass(slots=True)
class _State:
    level: float = 0.0
    last: float = 0.0
    seen: OrderedDict | None = None
    evidence: list | None = None  # Event.snapshot() tuples, once the level is high


@dataclass
class BucketRule:
    """One stateful rule. ``filter`` picks events, ``key`` groups them, ``distinct`` (if
    set) makes it a distinct-count bucket over that value."""

    name: str
    capacity: int
    leak_rate: float  # units per second
    filter: Callable[[Event], bool]
    key: Callable[[Event], str]
    distinct: Callable[[Event], str] | None = None
    severity: str = "medium"
    decision: str = "ban"  # ban, rate_limit, challenge, "" (alert only)
    scope: str = "ip"
    max_keys: int = 100_000
    evidence_kept: int = 5
    states: OrderedDict = field(default_factory=OrderedDict, repr=False)
    evictions: int = 0
    overflows: int = 0

    def pour(self, event: Event, now: float) -> list[dict] | None:
        """Pour the event; return the evidence when the bucket overflows, else None."""
        if not self.filter(event):
            return None
        key = self.key(event)
        if not key:
            return None
        states = self.states
        state = states.get(key)
        if state is None:
            state = _State(0.0, now, OrderedDict() if self.distinct else None)
            states[key] = state
            if len(states) > self.max_keys:
                states.popitem(last=False)
                self.evictions += 1
        else:
            states.move_to_end(key)
            if now > state.last:
                state.level = max(0.0, state.level - (now - state.last) * self.leak_rate)
                state.last = now  # clock skew: never leak backwards
        if self.distinct is not None:
            value = self.distinct(event)
            seen = state.seen
            if value in seen:
                return None
            seen[value] = True
            if len(seen) > MAX_DISTINCT_PER_KEY:
                seen.popitem(last=False)
        state.level += 1
        # Evidence: the last `evidence_kept` pours before the overflow. Only leaks happen
        # between pours, so the m-th pour before an overflow left the level above
        # capacity - m: a pour leaving it at or below capacity - evidence_kept (one unit
        # of margin for rounding) can never be one of them and is not kept, so an
        # ordinary client's flood bucket keeps nothing. Snapshots become dicts only when
        # the rule fires.
        if state.level > self.capacity - self.evidence_kept:
            evidence = state.evidence
            if evidence is None:
                evidence = state.evidence = []
            evidence.append(event.snapshot())
            if len(evidence) > self.evidence_kept:
                del evidence[0]
        if state.level > self.capacity:
            self.overflows += 1
            del states[key]
            return [Event(*snap).as_dict() for snap in state.evidence or ()]
        return None

    @property
    def keys(self) -> int:
        return len(self.states)
