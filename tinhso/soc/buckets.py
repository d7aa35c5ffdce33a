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
    evidence: list = field(default_factory=list)


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
        state = self.states.get(key)
        if state is None:
            state = _State(last=now, seen=OrderedDict() if self.distinct else None)
            self.states[key] = state
            if len(self.states) > self.max_keys:
                self.states.popitem(last=False)
                self.evictions += 1
        else:
            self.states.move_to_end(key)
        state.level = max(0.0, state.level - max(0.0, now - state.last) * self.leak_rate)
        state.last = max(state.last, now)  # clock skew: never leak backwards
        if self.distinct is not None:
            value = self.distinct(event)
            if value in state.seen:
                return None
            state.seen[value] = True
            if len(state.seen) > MAX_DISTINCT_PER_KEY:
                state.seen.popitem(last=False)
        state.level += 1
        state.evidence.append(event.as_dict())
        if len(state.evidence) > self.evidence_kept:
            del state.evidence[0]
        if state.level > self.capacity:
            self.overflows += 1
            evidence = state.evidence
            del self.states[key]
            return evidence
        return None

    @property
    def keys(self) -> int:
        return len(self.states)
