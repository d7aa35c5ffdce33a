"""The Sigma detector: runs the loaded rules on each event and keeps correlation state.

Detection rules are indexed by the kind of event their logsource names (web request,
sign-in, firewall, syslog, any) and, where the condition allows, by a literal one of
whose values must occur in a field (``compiler.gate``): for an ordinary request only the
rules whose literal occurs, plus the few without one, are evaluated.

Correlations (Sigma correlation specification) keep per group-by key the least state
that decides them, in an LRU of at most ``max_keys`` keys per correlation (evictions
counted). Time is the engine's clock (``now``), which is the log's own clock in replays:

* ``event_count`` / ``value_count`` with ``gt``/``gte``: a sliding window of
  ``timespan``; fires when the condition holds and the key starts over;
* with ``lt``/``lte``/``eq``/``neq``: a window opens with the key's first event and is
  judged when it closes (on the key's next event after the window, or ``flush``);
* ``temporal``: every listed rule (or as many as the condition says) matched for the key
  within the timespan, in any order; ``temporal_ordered``: in the listed order.
"""

from __future__ import annotations

import operator
import re
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass

from tinhso.soc.schema import Event
from tinhso.soc.sigma.compiler import View
from tinhso.soc.sigma.loader import (
    CorrelationRule,
    DetectionRule,
    RuleSet,
    event_kinds,
    load_configured,
)

EVIDENCE_KEPT = 10
_OPS = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
    "neq": operator.ne,
}
_SLIDING = ("gt", "gte")


@dataclass(slots=True)
class _Window:
    """State of one group key of one correlation."""

    start: float = 0.0
    count: int = 0
    times: deque | None = None  # event_count sliding: times of the last events
    values: OrderedDict | None = None  # value_count: value -> last time seen
    steps: dict | None = None  # temporal: rule name -> (time or chain start, evidence)
    evidence: deque | None = None


class _CorrelationState:
    def __init__(self, rule: CorrelationRule, max_keys: int) -> None:
        self.rule = rule
        self.max_keys = max_keys
        self.keys: OrderedDict = OrderedDict()
        self.evictions = 0
        self.op = _OPS[rule.op]
        self.sliding = rule.op in _SLIDING
        # how many recent events/values decide a sliding condition
        self.need = int(rule.count) + (1 if rule.op == "gt" else 0)
        self.need = max(1, self.need)

    def group_key(self, view: View, rule_name: str) -> tuple | None:
        key = []
        for g in self.rule.group_by:
            name = self.rule.aliases.get(g, {}).get(rule_name, g)
            value = view.low(name)
            if value in (None, ""):
                return None
            key.append(value)
        return tuple(key)

    def _window(self, key: tuple, now: float) -> _Window:
        w = self.keys.get(key)
        if w is None:
            w = _Window(start=now, evidence=deque(maxlen=EVIDENCE_KEPT))
            self.keys[key] = w
            if len(self.keys) > self.max_keys:
                self.keys.popitem(last=False)
                self.evictions += 1
        else:
            self.keys.move_to_end(key)
        return w

    def feed(self, rule_name: str, view: View, now: float) -> list | None:
        """One matching event of ``rule_name``; the evidence when the correlation fires."""
        key = self.group_key(view, rule_name)
        if key is None:
            return None
        rtype = self.rule.type
        span = self.rule.timespan
        fired = None
        if not self.sliding:
            fired = self._close_if_over(key, now)
        w = self._window(key, now)
        ev = view.event.as_dict()
        ev["rule"] = rule_name
        if rtype == "event_count":
            w.evidence.append(ev)
            if self.sliding:
                if w.times is None:
                    w.times = deque(maxlen=self.need)
                w.times.append(now)
                while w.times and w.times[0] < now - span:
                    w.times.popleft()
                if self.op(len(w.times), self.rule.count):
                    return self._fire(key, w)
            else:
                w.count += 1
        elif rtype == "value_count":
            value = view.low(self.rule.value_field)  # compared case-insensitively
            if value in (None, ""):
                return fired
            if w.values is None:
                w.values = OrderedDict()
            new = value not in w.values
            w.values[value] = now
            w.values.move_to_end(value)
            if new:
                w.evidence.append(ev)
            cap = self.need if self.sliding else int(self.rule.count) + 2
            while len(w.values) > max(cap, 1):
                w.values.popitem(last=False)
            if self.sliding:
                while w.values and next(iter(w.values.values())) < now - span:
                    w.values.popitem(last=False)
                if self.op(len(w.values), self.rule.count):
                    return self._fire(key, w)
        elif rtype == "temporal":
            steps = w.steps if w.steps is not None else {}
            w.steps = steps
            steps[rule_name] = (now, ev)
            for name in [n for n, (t, _) in steps.items() if t < now - span]:
                del steps[name]
            done = len(steps)
            ok = (
                done == len(set(self.rule.rules))
                if self.rule.all_rules
                else self.op(done, self.rule.count)
            )
            if ok:
                w.evidence.extend(e for _, e in steps.values())
                return self._fire(key, w)
        elif rtype == "temporal_ordered":
            steps = w.steps if w.steps is not None else {}
            w.steps = steps
            order = self.rule.rules
            # later steps first, so that one event cannot advance two steps
            for i in range(len(order) - 1, -1, -1):
                if order[i] != rule_name:
                    continue
                if i == 0:
                    candidate = (now, [ev])
                else:
                    prev = steps.get(i - 1)
                    if prev is None or prev[0] < now - span:
                        continue
                    candidate = (prev[0], [*prev[1], ev])
                if i == len(order) - 1:
                    w.evidence.extend(candidate[1][-EVIDENCE_KEPT:])
                    return self._fire(key, w)
                current = steps.get(i)
                if current is None or current[0] <= candidate[0]:
                    steps[i] = candidate
        return fired

    def _fire(self, key: tuple, w: _Window) -> list:
        del self.keys[key]
        return list(w.evidence)

    def _judge(self, w: _Window) -> bool:
        if self.rule.type == "event_count":
            return self.op(w.count, self.rule.count)
        if self.rule.type == "value_count":
            return self.op(len(w.values or ()), self.rule.count)
        return False

    def _close_if_over(self, key: tuple, now: float) -> list | None:
        w = self.keys.get(key)
        if w is None or now < w.start + self.rule.timespan:
            return None
        del self.keys[key]
        return list(w.evidence) if self._judge(w) else None

    def flush(self, now: float) -> list[list]:
        """Judge the windows (lt/lte/eq/neq) that closed by ``now``."""
        if self.sliding or self.rule.type not in ("event_count", "value_count"):
            return []
        out = []
        for key in [k for k, w in self.keys.items() if now >= w.start + self.rule.timespan]:
            evidence = self._close_if_over(key, now)
            if evidence is not None:
                out.append(evidence)
        return out


class SigmaDetector:
    """Evaluates the Sigma rules of a ``RuleSet`` on each event."""

    name = "sigma"

    def __init__(self, ruleset: RuleSet | None = None, *, max_keys: int = 100_000) -> None:
        self.ruleset = ruleset if ruleset is not None else load_configured()
        self.counts: Counter = Counter()
        self.correlations = [_CorrelationState(c, max_keys) for c in self.ruleset.correlations]
        # rule name -> correlations fed by it
        self.feeds: dict[str, list[_CorrelationState]] = {}
        suppressed: set[str] = set()
        generated: set[str] = set()
        for state in self.correlations:
            for name in dict.fromkeys(state.rule.rules):
                self.feeds.setdefault(name, []).append(state)
                (generated if state.rule.generate else suppressed).add(name)
        # a rule used by a correlation alerts on its own only if one says ``generate: true``
        self.silent = suppressed - generated
        # index: kind -> (gated: field -> [(literal, rules)], ungated rules)
        self.index: dict[str, tuple[dict, list]] = {}
        for rule in self.ruleset.rules:
            gated, ungated = self.index.setdefault(rule.kind, ({}, []))
            if rule.gate is None:
                ungated.append(rule)
                continue
            for field, lit in rule.gate:
                gated.setdefault(field, {}).setdefault(lit, []).append(rule)
        # per field: one alternation of its literals as a quick "none of them" test (an
        # ordinary request usually contains none), then the literals one by one
        for kind, (gated, ungated) in list(self.index.items()):
            self.index[kind] = (
                [
                    (
                        f,
                        re.compile("|".join(re.escape(lit) for lit in lits)).search,
                        list(lits.items()),
                    )
                    for f, lits in gated.items()
                ],
                ungated,
            )

    @property
    def rule_names(self) -> list[str]:
        return [r.name for r in self.ruleset.rules] + [c.name for c in self.ruleset.correlations]

    @property
    def evictions(self) -> int:
        return sum(c.evictions for c in self.correlations)

    def candidates(self, event: Event, view: View) -> list[DetectionRule]:
        out: list[DetectionRule] = []
        for kind in event_kinds(event):
            entry = self.index.get(kind)
            if entry is None:
                continue
            gated, ungated = entry
            out.extend(ungated)
            for field, any_of, literals in gated:
                value = view.low(field)
                if not value or any_of(value) is None:
                    continue
                for lit, rules in literals:
                    if lit in value:
                        out.extend(rules)
        return list(dict.fromkeys(out)) if len(out) > 1 else out

    def process(self, event: Event, now: float) -> list[tuple[object, list]]:
        """The firings for this event: (rule, evidence) pairs."""
        view = View(event)
        fired: list[tuple[object, list]] = []
        for rule in self.candidates(event, view):
            self.counts["evaluated"] += 1
            if not rule.match(view):
                continue
            self.counts[f"matched:{rule.name}"] += 1
            if rule.name not in self.silent:
                fired.append((rule, [event.as_dict()]))
            self._feed(rule.name, view, now, fired, depth=0)
        return fired

    def _feed(self, name: str, view: View, now: float, fired: list, depth: int) -> None:
        if depth > 4:  # correlations of correlations: a few levels at most
            return
        for state in self.feeds.get(name, ()):
            evidence = state.feed(name, view, now)
            if evidence is None:
                continue
            corr = state.rule
            if corr.name not in self.silent:
                fired.append((corr, evidence))
            self._feed(corr.name, view, now, fired, depth + 1)

    def flush(self, now: float) -> list[tuple[object, list]]:
        """Judge correlation windows closed by ``now`` (end of a replay, periodic tick)."""
        out = []
        for state in self.correlations:
            for evidence in state.flush(now):
                if state.rule.name not in self.silent:
                    out.append((state.rule, evidence))
        return out
