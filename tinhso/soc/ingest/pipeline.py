"""A bounded queue of raw lines in front of one engine, with the counters an operator reads.

Producers (the syslog servers, the file tailers) call ``offer``; it never blocks a
network source: when the queue is full (in lines or in bytes) the line is dropped and
counted. A file source
passes ``block=True`` and waits instead (the file keeps the line; nothing is lost). One
worker thread parses each line, fixes its clock and runs it through the engine, whose
rules store alerts and decisions in the database (``persist_fire``).

Clock: a live source's events are judged at their arrival time (a sender's wrong clock
or time zone cannot stretch or shrink a bucket); a batch (``clock="log"``) uses the
log's own times, as a replay does. An event whose time is more than ``max_skew`` seconds
away from that clock is counted as ``clock_skew`` and judged at the clock's time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter

from tinhso.soc import conf
from tinhso.soc.engine import Engine
from tinhso.soc.parsing import LineParser
from tinhso.soc.schema import Event

log = logging.getLogger(__name__)

FORMATS = ("auto", "combined", "syslog", "json", "firewall")
_STOP = object()


class Pipeline:
    def __init__(
        self,
        *,
        engine: Engine | None = None,
        fmt: str = "auto",
        queue_size: int | None = None,
        queue_bytes: int | None = None,
        clock: str = "wall",
        max_skew: float | None = None,
        max_line_bytes: int | None = None,
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(fmt)
        self.engine = engine if engine is not None else Engine()
        self.fmt = fmt
        self.clock = clock
        self.max_skew = float(
            conf.get("TINHSO_SOC_INGEST_MAX_SKEW_SECONDS") if max_skew is None else max_skew
        )
        self._line_bytes = max_line_bytes or conf.get("TINHSO_SOC_LISTEN_MAX_FRAME")
        self.parsers: dict[str, LineParser] = {}
        self.queue: queue.Queue = queue.Queue(
            queue_size or conf.get("TINHSO_SOC_LISTEN_QUEUE_SIZE")
        )
        self.max_queued_bytes = queue_bytes or conf.get("TINHSO_SOC_LISTEN_QUEUE_BYTES")
        self.queued_bytes = 0
        self.counts: Counter = Counter()  # received, dropped, events, fired, clock_skew, ...
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._log_clock: float | None = None

    # -- producers ---------------------------------------------------------------------

    def offer(
        self,
        raw: bytes | str,
        *,
        fmt: str | None = None,
        source: str = "",
        block: bool = False,
    ) -> bool:
        """Queue one raw line; False when it was dropped (queue full, network source)."""
        self.count("received")
        item = (raw, fmt or self.fmt, source)
        size = len(raw)
        if block:
            while self.queued_bytes + size > self.max_queued_bytes and self.queued_bytes:
                time.sleep(0.01)  # a file waits for the engine
        elif self.queued_bytes + size > self.max_queued_bytes:
            self.count("dropped")
            return False
        try:
            if block:
                self.queue.put(item)
            else:
                self.queue.put_nowait(item)
        except queue.Full:
            self.count("dropped")
            return False
        with self._count_lock:
            self.queued_bytes += size
        return True

    def _taken(self, item) -> None:
        with self._count_lock:
            self.queued_bytes -= len(item[0])

    def count(self, name: str, n: int = 1) -> None:
        """Add to a counter (the listeners count connections, frames, ... here too)."""
        with self._count_lock:
            self.counts[name] += n

    # -- the consumer ------------------------------------------------------------------

    def _parser(self, fmt: str) -> LineParser:
        parser = self.parsers.get(fmt)
        if parser is None:
            parser = self.parsers[fmt] = LineParser(fmt, max_bytes=self._line_bytes)
        return parser

    def _now(self, event: Event) -> float:
        when = event.time.timestamp() if event.time is not None else None
        if self.clock == "log":
            if when is None:
                return self._log_clock if self._log_clock is not None else 0.0
            if self._log_clock is None:
                self._log_clock = when
            elif abs(when - self._log_clock) > self.max_skew:
                self.count("clock_skew")
                return self._log_clock
            else:
                self._log_clock = max(self._log_clock, when)
            return when
        now = time.time()
        if when is not None and abs(when - now) > self.max_skew:
            self.count("clock_skew")
        return now

    def handle(self, raw: bytes | str, fmt: str, source: str) -> None:
        """Parse one line and run it through the engine (the worker's step; tests call it)."""
        with self._lock:
            event = self._parser(fmt).parse(raw)
            if event is None:
                return
            if source:
                event.extra.setdefault("format", event.source)
                event.source = source
            self.count("events")
            try:
                fired = self.engine.process(event, now=self._now(event))
            except Exception:
                self.count("errors")
                log.exception("soc: an event from %s could not be processed", source or fmt)
                return
            if fired:
                self.count("fired", len(fired))

    def drain(self) -> int:
        """Process what is queued now, in this thread."""
        done = 0
        while True:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return done
            if item is not _STOP:
                self._taken(item)
                self.handle(*item)
                done += 1

    def start(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="tinhso-soc-ingest", daemon=True)
            self._worker.start()

    def flush(self) -> None:
        """Let the engine's detectors judge windows that have closed (when it has any)."""
        flush = getattr(self.engine, "flush", None)
        if flush is None:
            return
        if self.clock == "log":
            now = self._log_clock if self._log_clock is not None else 0.0
        else:
            now = time.time()
        with self._lock:
            try:
                fired = flush(now)
            except Exception:
                self.count("errors")
                log.exception("soc: flushing the detectors failed")
                return
        if fired:
            self.count("fired", len(fired))

    def _run(self) -> None:
        from django.db import close_old_connections

        handled = 0
        flushed = time.monotonic()
        while True:
            try:
                item = self.queue.get(timeout=1.0)
            except queue.Empty:
                item = None
            if item is _STOP:
                break
            if item is not None:
                self._taken(item)
                self.handle(*item)
                handled += 1
                if handled % 1000 == 0:
                    close_old_connections()
            if time.monotonic() - flushed >= 5.0:
                self.flush()
                flushed = time.monotonic()
                close_old_connections()
        self.flush()
        close_old_connections()

    def stop(self, timeout: float = 30.0) -> bool:
        """Let the worker finish what is queued (at most ``timeout`` seconds); True if done."""
        if self._worker is None:
            self.drain()
            self.flush()
            return True
        self.queue.put(_STOP)
        self._worker.join(timeout)
        done = not self._worker.is_alive()
        self._worker = None
        return done

    # -- counters ----------------------------------------------------------------------

    def snapshot(self) -> dict[str, int]:
        """All counters: received, dropped, parsed, skipped by reason, events, fired, ..."""
        with self._lock, self._count_lock:
            out = dict(self.counts)
            skipped: Counter = Counter()
            for parser in self.parsers.values():
                for key, value in parser.counts.items():
                    if key == "parsed":
                        out["parsed"] = out.get("parsed", 0) + value
                    else:
                        skipped[key] += value
            out["skipped"] = sum(skipped.values())
            out.update({f"skipped:{k}": v for k, v in skipped.items()})
            out["queued"] = self.queue.qsize()
            out["queued_bytes"] = self.queued_bytes
            out["bucket_keys"] = sum(r.keys for r in self.engine.rules)
            out["evictions"] = self.engine.evictions
            for key, value in self.engine.counts.items():
                if key.startswith("fired:") or key in ("allowlisted", "fire_errors"):
                    out[key] = value
        return out

    def summary(self) -> str:
        snap = self.snapshot()
        first = ("received", "parsed", "skipped", "dropped", "events", "fired", "queued")
        parts = [f"{k}={snap.get(k, 0)}" for k in first]
        parts += [f"{k}={v}" for k, v in sorted(snap.items()) if k not in first]
        return " ".join(parts)
