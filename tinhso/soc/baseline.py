"""Volume baselines: requests per minute per endpoint and per source address.

For each key (an endpoint's path pattern, or a client address) the detector counts the
requests of the current minute. When a minute ends its count updates an exponentially
weighted mean and variance (West's incremental form, weight ``alpha``); minutes without
any request count as 0 (at most 120 of them are replayed). Once a key has ``warmup``
minutes behind it, a minute whose running count passes

    threshold = max(min_count, mean + k · max(sd, √mean, 1))

fires once for that key and minute (alert only). The count that updates the mean is cut
at that threshold, so one attack minute does not teach the baseline that attacks are
normal. Keys live in an LRU of at most ``max_keys`` per track (evictions counted). The
learned means and variances can be saved to and loaded from a JSON file (the live engine
uses ``<var dir>/soc/baseline.json``) so a restart does not learn from nothing.

Parameters and their reasons: docs/soc.md, "Sigma rules and baselines".
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path

from tinhso.soc.schema import Event

log = logging.getLogger(__name__)

MAX_GAP_MINUTES = 120
STATE_VERSION = 1

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_HEX = re.compile(r"^[0-9a-f]{16,}$", re.I)
_DIGITS = re.compile(r"\d")
MAX_SEGMENTS = 8


def endpoint_pattern(path: str) -> str:
    """The path with its identifiers collapsed: ``/ho-so/123/`` → ``/ho-so/{n}/``;
    UUIDs → ``{uuid}``, long hex → ``{hex}``, any segment with 3 digits or more (dossier
    codes, dates) or longer than 40 characters → ``{id}``; at most 8 segments."""
    path = path.split("?", 1)[0]
    segments = path.split("/")
    out = []
    for seg in segments[: MAX_SEGMENTS + 1]:
        if seg.isdigit():
            out.append("{n}")
        elif _UUID.match(seg):
            out.append("{uuid}")
        elif _HEX.match(seg):
            out.append("{hex}")
        elif len(seg) > 40 or len(_DIGITS.findall(seg)) >= 3:
            out.append("{id}")
        else:
            out.append(seg.lower())
    if len(segments) > MAX_SEGMENTS + 1:
        out.append("…")
    return "/".join(out)[:200] or "/"


@dataclass(slots=True)
class _Stat:
    mean: float = 0.0
    var: float = 0.0
    n: int = 0  # minutes learned
    minute: int | None = None  # the minute being counted
    count: int = 0
    fired: bool = False

    def update(self, x: float, alpha: float) -> None:
        if self.n == 0:
            self.mean, self.var = x, 0.0
        else:
            diff = x - self.mean
            incr = alpha * diff
            self.mean += incr
            self.var = (1 - alpha) * (self.var + diff * incr)
        self.n += 1


@dataclass(eq=False)
class BaselineRule:
    """What ``on_fire`` sees: one per track."""

    name: str
    title: str
    severity: str = "medium"
    decision: str = ""  # alert only: a busy minute is not proof of an attack
    scope: str = "ip"


class Track:
    """Per-minute counts of one kind of key, with their learned mean and variance."""

    def __init__(
        self,
        rule: BaselineRule,
        key,
        *,
        alpha: float,
        k: float,
        min_count: int,
        warmup: int,
        max_keys: int,
    ) -> None:
        self.rule = rule
        self.key = key
        self.alpha, self.k, self.min_count, self.warmup = alpha, k, min_count, warmup
        self.max_keys = max_keys
        self.stats: OrderedDict[str, _Stat] = OrderedDict()
        self.evictions = 0
        self.fired = 0

    def threshold(self, st: _Stat) -> float:
        sd = max(math.sqrt(max(st.var, 0.0)), math.sqrt(max(st.mean, 0.0)), 1.0)
        return max(self.min_count, st.mean + self.k * sd)

    def _close(self, st: _Stat, minute: int) -> None:
        """End the counted minute (and the empty ones up to ``minute``)."""
        if st.minute is not None and minute > st.minute:
            x = float(st.count)
            if st.n >= self.warmup:
                x = min(x, self.threshold(st))
            st.update(x, self.alpha)
            for _ in range(min(minute - st.minute - 1, MAX_GAP_MINUTES)):
                st.update(0.0, self.alpha)
        st.minute, st.count, st.fired = minute, 0, False

    def observe(self, event: Event, minute: int) -> list | None:
        key = self.key(event)
        if not key:
            return None
        st = self.stats.get(key)
        if st is None:
            st = self.stats[key] = _Stat(minute=minute)
            if len(self.stats) > self.max_keys:
                self.stats.popitem(last=False)
                self.evictions += 1
        else:
            self.stats.move_to_end(key)
            if st.minute is None or minute > st.minute:
                self._close(st, minute)
            # a clock going backwards counts in the current minute
        st.count += 1
        if st.fired or st.n < self.warmup:
            return None
        limit = self.threshold(st)
        if st.count <= limit:
            return None
        st.fired = True
        self.fired += 1
        return [
            {
                "baseline": self.rule.name,
                "key": key,
                "count_this_minute": st.count,
                "mean": round(st.mean, 2),
                "sd": round(math.sqrt(max(st.var, 0.0)), 2),
                "threshold": round(limit, 2),
                "minutes_learned": st.n,
            },
            event.as_dict(),
        ]

    def dump(self) -> dict:
        return {k: [round(s.mean, 4), round(s.var, 4), s.n] for k, s in self.stats.items()}

    def restore(self, data: dict) -> int:
        n = 0
        for key, value in list(data.items())[-self.max_keys :]:
            try:
                mean, var, learned = float(value[0]), float(value[1]), int(value[2])
            except (TypeError, ValueError, IndexError):
                continue
            if not (math.isfinite(mean) and math.isfinite(var)) or mean < 0 or var < 0:
                continue
            self.stats[str(key)] = _Stat(mean=mean, var=var, n=max(0, learned))
            n += 1
        return n


ENDPOINT_RULE = BaselineRule("baseline-endpoint", "Lưu lượng bất thường tới một đường dẫn")
SOURCE_RULE = BaselineRule("baseline-source", "Lưu lượng bất thường từ một địa chỉ")


class BaselineDetector:
    """Two tracks (endpoint, source address) fed by web requests."""

    name = "baseline"

    def __init__(
        self,
        *,
        alpha: float = 0.1,
        k: float = 4.0,
        min_count_endpoint: int = 120,
        min_count_source: int = 60,
        warmup: int = 30,
        max_keys: int = 20_000,
        state_path: Path | None = None,
        save_seconds: float = 300.0,
    ) -> None:
        common = {"alpha": alpha, "k": k, "warmup": warmup, "max_keys": max_keys}
        self.endpoint = Track(
            ENDPOINT_RULE,
            lambda e: endpoint_pattern(e.path) if e.method else "",
            min_count=min_count_endpoint,
            **common,
        )
        self.source = Track(
            SOURCE_RULE,
            lambda e: e.source_ip if e.method else "",
            min_count=min_count_source,
            **common,
        )
        self.tracks = (self.endpoint, self.source)
        self.counts: Counter = Counter()
        self.state_path = Path(state_path) if state_path else None
        self.save_seconds = save_seconds
        self._last_save = time.monotonic()
        if self.state_path is not None:
            self.load(self.state_path)

    @classmethod
    def from_settings(cls, *, persist: bool = False) -> BaselineDetector:
        from django.conf import settings

        from tinhso.soc import conf

        state = None
        if persist:
            state = (
                Path(getattr(settings, "VAR_DIR", tempfile.gettempdir())) / "soc" / "baseline.json"
            )
        return cls(
            alpha=float(conf.get("TINHSO_SOC_BASELINE_ALPHA")),
            k=float(conf.get("TINHSO_SOC_BASELINE_K")),
            min_count_endpoint=int(conf.get("TINHSO_SOC_BASELINE_MIN_COUNT_ENDPOINT")),
            min_count_source=int(conf.get("TINHSO_SOC_BASELINE_MIN_COUNT_SOURCE")),
            warmup=int(conf.get("TINHSO_SOC_BASELINE_WARMUP_MINUTES")),
            max_keys=int(conf.get("TINHSO_SOC_BASELINE_MAX_KEYS")),
            state_path=state,
            save_seconds=float(conf.get("TINHSO_SOC_BASELINE_SAVE_SECONDS")),
        )

    @property
    def rule_names(self) -> list[str]:
        return [t.rule.name for t in self.tracks]

    @property
    def evictions(self) -> int:
        return sum(t.evictions for t in self.tracks)

    def process(self, event: Event, now: float) -> list[tuple[BaselineRule, list]]:
        if not event.method:
            return []
        minute = int(now // 60)
        fired = []
        for track in self.tracks:
            evidence = track.observe(event, minute)
            if evidence is not None:
                self.counts[f"fired:{track.rule.name}"] += 1
                fired.append((track.rule, evidence))
        if self.state_path is not None and time.monotonic() - self._last_save >= self.save_seconds:
            self.save(self.state_path)
        return fired

    def save(self, path: Path) -> None:
        """Write the learned state atomically (temporary file, then rename)."""
        self._last_save = time.monotonic()
        data = {
            "version": STATE_VERSION,
            "saved": time.time(),
            "tracks": {t.rule.name: t.dump() for t in self.tracks},
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".baseline-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False)
            os.replace(tmp, path)
            self.counts["saved"] += 1
        except OSError:
            self.counts["save_errors"] += 1
            log.exception("soc: saving the baseline to %s failed", path)

    def load(self, path: Path) -> int:
        """Restore what was learned; a missing or broken file leaves the baseline empty."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return 0
        except (OSError, ValueError):
            self.counts["load_errors"] += 1
            log.warning("soc: baseline file %s unreadable; learning from nothing", path)
            return 0
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            self.counts["load_errors"] += 1
            return 0
        tracks = data.get("tracks") or {}
        return sum(
            t.restore(tracks.get(t.rule.name) or {})
            for t in self.tracks
            if isinstance(tracks.get(t.rule.name), dict)
        )
