"""Replay a labelled set through the rules and measure precision and recall per rule.

Two inputs:

* a CSV with a ``payload`` column (and ``label`` norm/anom, ``attack_type``), like
  ../shared/data/soc/http-params-train.csv: each payload is put in a query string
  (``/tim-kiem?q=<payload>``) and inspected; the labels file may be the file itself;
* a log file (combined access log, syslog or JSON lines, detected per line) with a labels
  CSV ``line,label,attack_type`` (1-based line numbers; lines not listed are ``norm``);
  the lines run through inspection and the leaky buckets with the log's own clock.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from tinhso.soc.engine import Engine
from tinhso.soc.inspection import RULES, Inspector
from tinhso.soc.parsing import LineParser
from tinhso.soc.schema import Event

csv.field_size_limit(1024 * 1024)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    rows: int = 0
    skipped: Counter = field(default_factory=Counter)
    overall: Score = field(default_factory=Score)
    per_rule: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))  # per firing
    per_category: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))

    def lines(self) -> list[str]:
        def fmt(x):
            return "-" if x is None else f"{x:.3f}"

        out = [f"rows {self.rows}  skipped {dict(self.skipped) or 0}"]
        o = self.overall
        out.append(
            f"overall  precision {fmt(o.precision)}  recall {fmt(o.recall)}  tp {o.tp} fp {o.fp} fn {o.fn}"
        )
        out.append(
            "per category (rows) or bucket rule (addresses; recall against its own attack type):"
        )
        for name in sorted(self.per_category):
            s = self.per_category[name]
            out.append(
                f"  {name:<22} precision {fmt(s.precision)}  recall {fmt(s.recall)}  tp {s.tp} fp {s.fp} fn {s.fn}"
            )
        out.append(
            "per rule (precision: share of its matches that are attacks; recall: rows of its own type it matches):"
        )
        for name in sorted(self.per_rule):
            s = self.per_rule[name]
            out.append(
                f"  {name:<22} precision {fmt(s.precision)}  recall {fmt(s.recall)}  tp {s.tp} fp {s.fp} fn {s.fn}"
            )
        return out


def _is_anom(label: str) -> bool:
    return label.strip().lower() not in ("", "norm", "normal", "benign", "0")


def replay_payloads(path: Path, *, paranoia: int = 1, threshold: int = 5) -> Report:
    inspector = Inspector(paranoia=paranoia, threshold=threshold)
    rule_category = {str(r.id): r.category for r in RULES}
    report = Report()
    totals: Counter = Counter()
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            payload = row.get("payload")
            if payload is None:
                report.skipped["no_payload"] += 1
                continue
            report.rows += 1
            anom = _is_anom(row.get("label", ""))
            kind = (row.get("attack_type") or "").strip().lower()
            verdict = inspector.inspect(
                url="/tim-kiem?q=" + quote(payload, safe=""), user_agent="Mozilla/5.0"
            )
            _count(report.overall, verdict.is_attack, anom)
            flagged_categories = set(verdict.categories) if verdict.is_attack else set()
            for category in set(rule_category.values()):
                if category in flagged_categories or (anom and kind == category):
                    _count(
                        report.per_category[category],
                        category in flagged_categories,
                        anom and kind == category,
                    )
            if anom:
                totals[kind] += 1
            for rule in verdict.matched:
                s = report.per_rule[f"{rule.id} {rule.category}"]
                s.tp += anom and kind == rule.category
                s.fp += not anom
    # a rule's recall: the rows of its own attack type it catches (alone, any score)
    for name, s in report.per_rule.items():
        s.fn = totals[rule_category[name.split()[0]]] - s.tp
    return report


def _count(score: Score, flagged: bool, positive: bool) -> None:
    if flagged and positive:
        score.tp += 1
    elif flagged:
        score.fp += 1
    elif positive:
        score.fn += 1


def _read_labels(path: Path) -> dict[int, tuple[bool, str]]:
    labels = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                line = int(row["line"])
            except (KeyError, TypeError, ValueError):
                continue
            labels[line] = (
                _is_anom(row.get("label", "")),
                (row.get("attack_type") or "").strip().lower(),
            )
    return labels


def replay_log(path: Path, labels_path: Path, *, paranoia: int = 1, threshold: int = 5) -> Report:
    labels = _read_labels(labels_path)
    fired: list[tuple[str, int, Event]] = []
    current = {"line": 0}

    def on_fire(rule, event, evidence):
        fired.append((rule.name, current["line"], event))

    engine = Engine(on_fire=on_fire, inspector=Inspector(paranoia=paranoia, threshold=threshold))
    parser = LineParser("auto")
    report = Report()
    attackers: dict[str, set[str]] = defaultdict(set)  # attack type -> addresses
    line_ip: dict[int, str] = {}
    t0 = None
    outcomes: list[tuple[bool, bool, str]] = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            current["line"] = number
            event = parser.parse(raw)
            if event is None:
                continue
            report.rows += 1
            anom, kind = labels.get(number, (False, ""))
            line_ip[number] = event.source_ip
            if anom and kind:
                attackers[kind].add(event.source_ip)
            if event.time is not None:
                ts = event.time.timestamp()
                t0 = ts if t0 is None else t0
                now = ts - t0
            else:
                now = None
            engine.process(event, now=now)
            outcomes.append((anom, bool(event.extra.get("attack")), event.source_ip))
            if event.url and event.extra.get("attack"):
                for rid in event.extra.get("rules", ()):
                    s = report.per_rule[f"{rid} inspection"]
                    s.tp += anom
                    s.fp += not anom
    report.skipped.update({k: v for k, v in parser.counts.items() if k != "parsed"})
    # a line is detected when inspection flagged it or a bucket rule fired on its address
    fired_ips = {event.source_ip for _, _, event in fired}
    for anom, flagged, ip in outcomes:
        _count(report.overall, flagged or ip in fired_ips, anom)
    all_attackers = set().union(*attackers.values()) if attackers else set()
    for name in _bucket_names(engine):
        hit_ips = {event.source_ip for rule, _, event in fired if rule == name}
        for rule, number, _event in fired:
            if rule == name:
                s = report.per_rule[name]
                anom, _ = labels.get(number, (False, ""))
                s.tp += anom
                s.fp += not anom
        wanted = attackers.get(name, set())
        if not (wanted or hit_ips):
            continue
        report.per_category[f"{name} (addresses)"] = Score(
            tp=len(hit_ips & all_attackers),
            fp=len(hit_ips - all_attackers),
            fn=len(wanted - hit_ips),
        )
    return report


def _bucket_names(engine: Engine) -> list[str]:
    return engine.rule_names()  # bucket rules, then Sigma rules and baselines
