"""The detection engine: request inspection, leaky-bucket rules, and a bounded queue.

The middleware and the sign-in signals ``submit`` events without waiting; when the queue
is full the event is dropped and counted. A worker thread (TINHSO_SOC_MODE=thread) or the
end of each response (inline) drains the queue through the rules; a rule that fires
stores an alert and, for most rules, a decision the middleware enforces at once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable

from tinhso.soc import conf
from tinhso.soc.buckets import BucketRule
from tinhso.soc.inspection import Inspector
from tinhso.soc.schema import Event

log = logging.getLogger(__name__)


def _is_login_path(event: Event) -> bool:
    return any(event.path.startswith(p) for p in conf.get("TINHSO_SOC_LOGIN_PATHS"))


def default_rules(max_keys: int = 100_000) -> list[BucketRule]:
    """The stateful rules (docs/soc.md): capacity, leak per second, key, decision."""
    ip = lambda e: e.source_ip  # noqa: E731
    return [
        BucketRule(
            "web-attack",
            capacity=2,
            leak_rate=1 / 300,
            severity="high",
            filter=lambda e: bool(e.extra.get("attack")),
            key=ip,
            max_keys=max_keys,
        ),
        BucketRule(
            "brute-force",
            capacity=10,
            leak_rate=1 / 60,
            severity="high",
            filter=lambda e: e.outcome == "login_failed",
            key=ip,
            max_keys=max_keys,
        ),
        BucketRule(
            "credential-stuffing",
            capacity=20,
            leak_rate=1 / 60,
            severity="high",
            filter=lambda e: e.outcome == "login_failed",
            key=ip,
            distinct=lambda e: e.user.lower(),
            max_keys=max_keys,
        ),
        BucketRule(
            "user-brute-force",
            capacity=20,
            leak_rate=1 / 60,
            severity="medium",
            filter=lambda e: e.outcome == "login_failed",
            key=lambda e: e.user.lower(),
            decision="",
            scope="user",
            max_keys=max_keys,
        ),
        BucketRule(
            "scan-404",
            capacity=30,
            leak_rate=1 / 10,
            severity="medium",
            filter=lambda e: e.status == 404,
            key=ip,
            max_keys=max_keys,
        ),
        BucketRule(
            "scan-distinct-paths",
            capacity=100,
            leak_rate=1 / 6,
            severity="medium",
            filter=lambda e: e.status >= 400 or e.status == 0,
            key=ip,
            distinct=lambda e: e.path,
            max_keys=max_keys,
        ),
        BucketRule(
            "flood-address",
            capacity=600,
            leak_rate=20,
            severity="high",
            decision="rate_limit",
            filter=lambda e: bool(e.method),
            key=ip,
            max_keys=max_keys,
        ),
        BucketRule(
            "flood-login",
            capacity=60,
            leak_rate=1,
            severity="high",
            decision="rate_limit",
            filter=lambda e: e.method == "POST" and _is_login_path(e),
            key=ip,
            max_keys=max_keys,
        ),
    ]


class Engine:
    """Evaluates events; ``on_fire(rule, event, evidence)`` is called when a rule fires."""

    def __init__(
        self,
        *,
        on_fire: Callable | None = None,
        inspector: Inspector | None = None,
        rules: list[BucketRule] | None = None,
        max_keys: int | None = None,
        detectors: list | None = None,
        persist_baseline: bool = False,
    ) -> None:
        self.inspector = inspector or Inspector(
            paranoia=conf.get("TINHSO_SOC_PARANOIA"),
            threshold=conf.get("TINHSO_SOC_INBOUND_THRESHOLD"),
        )
        self.rules = (
            rules
            if rules is not None
            else default_rules(max_keys or conf.get("TINHSO_SOC_MAX_KEYS"))
        )
        self.detectors = (
            detectors
            if detectors is not None
            else default_detectors(
                max_keys=max_keys or conf.get("TINHSO_SOC_MAX_KEYS"), persist=persist_baseline
            )
        )
        self.on_fire = on_fire or persist_fire
        self.counts: Counter = Counter()
        self._flushed_at: float | None = None

    def process(self, event: Event, now: float | None = None) -> list[tuple[BucketRule, list]]:
        now = time.monotonic() if now is None else now
        self.counts["events"] += 1
        if conf.allowlisted(event.source_ip):
            self.counts["allowlisted"] += 1
            return []
        if "attack" not in event.extra and event.url:
            verdict = self.inspector.inspect_event(event)
            event.extra["attack"] = verdict.is_attack
            event.extra["score"] = verdict.score
            event.extra["rules"] = verdict.rule_ids
        fired = []
        for rule in self.rules:
            evidence = rule.pour(event, now)
            if evidence is not None:
                self.counts[f"fired:{rule.name}"] += 1
                fired.append((rule, evidence))
                try:
                    self.on_fire(rule, event, evidence)
                except Exception:
                    self.counts["fire_errors"] += 1
                    log.exception("soc: storing what rule %s found failed", rule.name)
        for detector in self.detectors:
            try:
                found = detector.process(event, now)
            except Exception:
                self.counts[f"detector_errors:{detector.name}"] += 1
                log.exception("soc: detector %s failed on an event", detector.name)
                continue
            for rule, evidence in found:
                self._fire(rule, event, evidence)
                fired.append((rule, evidence))
        if self.detectors:
            # windows judged at their end (Sigma lt/eq correlations): once a minute
            if self._flushed_at is None or now < self._flushed_at:
                self._flushed_at = now
            elif now - self._flushed_at >= FLUSH_SECONDS:
                self._flushed_at = now
                fired.extend(self.flush(now))
        return fired

    def _fire(self, rule, event: Event, evidence: list) -> None:
        self.counts[f"fired:{rule.name}"] += 1
        try:
            self.on_fire(rule, event, evidence)
        except Exception:
            self.counts["fire_errors"] += 1
            log.exception("soc: storing what rule %s found failed", rule.name)

    def flush(self, now: float | None = None) -> list:
        """Let the detectors judge what closed by ``now`` (correlation windows judged at
        their end); call at the end of a replay or now and then."""
        now = time.monotonic() if now is None else now
        fired = []
        for detector in self.detectors:
            flush = getattr(detector, "flush", None)
            if flush is None:
                continue
            for rule, evidence in flush(now):
                last = evidence[-1] if evidence else {}
                event = Event(
                    source_ip=last.get("source_ip", ""),
                    user=last.get("user", ""),
                    url=last.get("url", ""),
                    source=last.get("source", ""),
                )
                self._fire(rule, event, evidence)
                fired.append((rule, evidence))
        return fired

    def rule_names(self) -> list[str]:
        """Every rule that can fire: bucket rules, then each detector's."""
        names = [r.name for r in self.rules]
        for detector in self.detectors:
            names.extend(detector.rule_names)
        return names

    @property
    def evictions(self) -> int:
        return sum(r.evictions for r in self.rules) + sum(
            getattr(d, "evictions", 0) for d in self.detectors
        )


FLUSH_SECONDS = 60.0


def default_detectors(*, max_keys: int = 100_000, persist: bool = False) -> list:
    """Sigma rules (shipped and TINHSO_SOC_RULE_DIRS) and the volume baselines, as the
    settings enable them; ``persist``: the baseline is loaded from and saved to the var dir."""
    detectors: list = []
    if conf.get("TINHSO_SOC_SIGMA_ENABLED"):
        from tinhso.soc.sigma.detector import SigmaDetector

        detectors.append(SigmaDetector(max_keys=max_keys))
    if conf.get("TINHSO_SOC_BASELINE_ENABLED"):
        from tinhso.soc.baseline import BaselineDetector

        detectors.append(BaselineDetector.from_settings(persist=persist))
    return detectors


def persist_fire(rule: BucketRule, event: Event, evidence: list) -> None:
    """Store an alert and, when the rule decides, a decision against its key."""
    from tinhso.soc.enforcement import DECISIONS, outranks
    from tinhso.soc.services import alert_create, decision_create

    key = event.user if rule.scope == "user" else event.source_ip
    active = DECISIONS.lookup_user(key) if rule.scope == "user" else DECISIONS.lookup_ip(key)
    if active is not None and not outranks(rule.decision, active):
        return  # already decided: the events still arriving were in flight
    summary = f"{rule.name}: {key}"
    alert = alert_create(
        rule=rule.name,
        severity=rule.severity,
        summary=summary,
        source_ip=event.source_ip,
        user=event.user,
        evidence=evidence,
        scope=rule.scope,
    )
    if rule.decision and key:
        decision_create(
            scope=rule.scope,
            value=key,
            kind=rule.decision,
            reason=summary,
            rule=rule.name,
            evidence=evidence,
            alert=alert,
        )


class EventQueue:
    """A bounded queue in front of one engine: never blocks the producer."""

    def __init__(self, maxsize: int | None = None) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize or conf.get("TINHSO_SOC_QUEUE_SIZE"))
        self.dropped = 0
        self.processed = 0
        self._engine: Engine | None = None
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(persist_baseline=True)
        return self._engine

    def reset(self) -> None:
        """Forget all state (tests, settings changes)."""
        self._engine = None
        self.dropped = self.processed = 0
        while not self.queue.empty():
            self.queue.get_nowait()

    def submit(self, event: Event) -> bool:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            return False
        if conf.get("TINHSO_SOC_MODE") == "thread":
            self._ensure_worker()
        return True

    def drain(self, limit: int | None = None) -> int:
        done = 0
        with self._lock:
            while limit is None or done < limit:
                try:
                    event = self.queue.get_nowait()
                except queue.Empty:
                    break
                self.engine.process(event)
                done += 1
        self.processed += done
        return done

    def _ensure_worker(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="tinhso-soc", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        from django.db import close_old_connections

        while True:
            event = self.queue.get()
            with self._lock:
                try:
                    self.engine.process(event)
                except Exception:
                    log.exception("soc: event processing failed")
                self.processed += 1
            close_old_connections()


EVENTS = EventQueue()
