"""Sigma correlations: event_count, value_count, temporal (ordered or not), group-by,
timespan, conditions, bounded state."""

from __future__ import annotations

import textwrap
import uuid

import pytest

from tinhso.soc.schema import Event
from tinhso.soc.sigma.detector import SigmaDetector
from tinhso.soc.sigma.loader import load_dirs

BASE = """\
title: Yêu cầu /a
id: {id1}
name: hit-a
logsource:
  category: webserver
detection:
  sel:
    cs-uri-stem: /a
  condition: sel
---
title: Yêu cầu /b
id: {id2}
name: hit-b
logsource:
  category: webserver
detection:
  sel:
    cs-uri-stem: /b
  condition: sel
"""


def detector(tmp_path, correlation: str, *, max_keys: int = 100_000) -> SigmaDetector:
    text = BASE.format(id1=uuid.uuid4(), id2=uuid.uuid4())
    text += f"---\ntitle: Tương quan\nid: {uuid.uuid4()}\nname: corr\n"
    text += textwrap.dedent(correlation)
    (tmp_path / "rules.yml").write_text(text, encoding="utf-8")
    ruleset = load_dirs([tmp_path])
    assert ruleset.errors == []
    return SigmaDetector(ruleset, max_keys=max_keys)


def ev(path: str, ip: str = "203.0.113.1", user: str = "") -> Event:
    return Event(source_ip=ip, method="GET", url=path, user=user)


def run(det: SigmaDetector, steps) -> list[tuple[float, str]]:
    """steps: (time, event); returns (time, rule name) of every firing."""
    out = []
    for t, event in steps:
        out.extend((t, rule.name) for rule, _ in det.process(event, now=t))
    return out


EVENT_COUNT = """\
correlation:
  type: event_count
  rules: hit-a
  group-by: [c-ip]
  timespan: 1m
  condition:
    gte: 3
level: high
tinhso: {decision: ban, scope: ip}
"""


def test_event_count_fires_inside_the_window_only(tmp_path):
    det = detector(tmp_path, EVENT_COUNT)
    # three within 60 s: fires on the third
    assert run(det, [(0, ev("/a")), (20, ev("/a")), (50, ev("/a"))]) == [(50, "corr")]
    # the key starts over after firing; three spread over more than 60 s: nothing
    assert run(det, [(100, ev("/a")), (170, ev("/a")), (240, ev("/a"))]) == []


def test_event_count_groups_by_address(tmp_path):
    det = detector(tmp_path, EVENT_COUNT)
    steps = [(i, ev("/a", ip=f"203.0.113.{i % 3 + 1}")) for i in range(6)]
    assert run(det, steps) == []  # two per address
    assert run(det, [(7, ev("/a", ip="203.0.113.1"))]) == [(7, "corr")]


def test_event_count_evidence_and_base_rule_silenced(tmp_path):
    det = detector(tmp_path, EVENT_COUNT)
    fired = []
    for t in (0, 1, 2):
        fired.extend(det.process(ev("/a"), now=t))
    # hit-a itself does not alert (used by a correlation without generate: true)
    assert [r.name for r, _ in fired] == ["corr"]
    rule, evidence = fired[0]
    assert (rule.severity, rule.decision) == ("high", "ban")
    assert len(evidence) == 3 and all(e["url"] == "/a" and e["rule"] == "hit-a" for e in evidence)


def test_generate_true_keeps_the_base_rule_alerts(tmp_path):
    det = detector(
        tmp_path,
        EVENT_COUNT.replace("  type: event_count", "  type: event_count\n  generate: true"),
    )
    names = [r.name for r, _ in det.process(ev("/a"), now=0)]
    assert names == ["hit-a"]


def test_event_count_lt_is_judged_when_the_window_closes(tmp_path):
    det = detector(
        tmp_path,
        EVENT_COUNT.replace("gte: 3", "lt: 2"),
    )
    assert run(det, [(0, ev("/a"))]) == []
    assert [r.name for r, _ in det.flush(30)] == []  # window still open
    assert [r.name for r, _ in det.flush(61)] == ["corr"]  # one event < 2
    # two events in the window: condition false at close
    run(det, [(100, ev("/a")), (110, ev("/a"))])
    assert det.flush(200) == []
    # closing on the key's next event after the window
    assert run(det, [(300, ev("/a")), (400, ev("/a"))]) == [(400, "corr")]


VALUE_COUNT = """\
correlation:
  type: value_count
  rules: [hit-a, hit-b]
  group-by: [c-ip]
  timespan: 10m
  condition:
    gte: 3
    field: cs-username
level: medium
"""


def test_value_count_counts_distinct_values(tmp_path):
    det = detector(tmp_path, VALUE_COUNT)
    steps = [
        (0, ev("/a", user="an")),
        (10, ev("/b", user="AN")),
        (20, ev("/a", user="an")),  # same value again
        (30, ev("/a", user="binh")),
    ]
    assert run(det, steps) == []
    assert run(det, [(40, ev("/b", user="chi"))]) == [(40, "corr")]


def test_value_count_forgets_values_older_than_the_timespan(tmp_path):
    det = detector(tmp_path, VALUE_COUNT)
    steps = [(0, ev("/a", user="an")), (100, ev("/a", user="binh")), (650, ev("/a", user="chi"))]
    assert run(det, steps) == []  # "an" fell out of the 10 min window
    assert run(det, [(660, ev("/a", user="dung"))]) == [(660, "corr")]


def test_value_count_needs_the_group_by_value(tmp_path):
    det = detector(tmp_path, VALUE_COUNT)
    steps = [(t, ev("/a", ip="", user=f"u{t}")) for t in range(5)]
    assert run(det, steps) == []


TEMPORAL = """\
correlation:
  type: {type}
  rules: [hit-a, hit-b]
  group-by: [c-ip]
  timespan: 5m
level: critical
"""


@pytest.mark.parametrize("kind", ["temporal", "temporal_ordered"])
def test_temporal_fires_when_all_rules_match_within_the_timespan(tmp_path, kind):
    det = detector(tmp_path, TEMPORAL.format(type=kind))
    assert run(det, [(0, ev("/a")), (100, ev("/b"))]) == [(100, "corr")]
    # too far apart
    assert run(det, [(1000, ev("/a")), (1400, ev("/b"))]) == []
    # another address
    assert run(det, [(2000, ev("/a")), (2010, ev("/b", ip="198.51.100.1"))]) == []


def test_temporal_unordered_accepts_any_order(tmp_path):
    det = detector(tmp_path, TEMPORAL.format(type="temporal"))
    assert run(det, [(0, ev("/b")), (10, ev("/a"))]) == [(10, "corr")]


def test_temporal_ordered_needs_the_order(tmp_path):
    det = detector(tmp_path, TEMPORAL.format(type="temporal_ordered"))
    assert run(det, [(0, ev("/b")), (10, ev("/a"))]) == []
    # the /a at 10 starts a chain: a /b after it completes it
    assert run(det, [(20, ev("/b"))]) == [(20, "corr")]


def test_temporal_ordered_evidence_has_each_step(tmp_path):
    det = detector(tmp_path, TEMPORAL.format(type="temporal_ordered"))
    det.process(ev("/a"), now=0)
    ((rule, evidence),) = det.process(ev("/b"), now=5)
    assert rule.severity == "critical"
    assert [e["rule"] for e in evidence] == ["hit-a", "hit-b"]


def test_temporal_with_a_condition_needs_that_many_rules(tmp_path):
    det = detector(
        tmp_path,
        TEMPORAL.format(type="temporal").replace(
            "  timespan: 5m", "  timespan: 5m\n  condition:\n    gte: 1"
        ),
    )
    assert run(det, [(0, ev("/a"))]) == [(0, "corr")]


def test_group_keys_are_bounded_and_evictions_counted(tmp_path):
    det = detector(tmp_path, EVENT_COUNT, max_keys=10)
    for i in range(50):
        det.process(ev("/a", ip=f"198.51.100.{i}"), now=i)
    state = det.correlations[0]
    assert len(state.keys) == 10
    assert det.evictions == 40


def test_correlation_of_a_correlation(tmp_path):
    det = detector(tmp_path, EVENT_COUNT)
    text = (tmp_path / "rules.yml").read_text(encoding="utf-8")
    text += textwrap.dedent(
        f"""\
        ---
        title: Hai lần vượt ngưỡng
        id: {uuid.uuid4()}
        name: corr2
        correlation:
          type: event_count
          rules: corr
          group-by: [c-ip]
          timespan: 1h
          condition:
            gte: 2
        """
    )
    (tmp_path / "rules.yml").write_text(text, encoding="utf-8")
    det = SigmaDetector(load_dirs([tmp_path]))
    fired = run(det, [(t, ev("/a")) for t in range(6)])
    assert fired == [(5, "corr2")]  # corr is used by corr2, so only corr2 alerts


def test_engine_judges_closed_windows_once_a_minute(tmp_path):
    from tinhso.soc.engine import Engine

    det = detector(tmp_path, EVENT_COUNT.replace("gte: 3", "lt: 2"))
    fired = []
    engine = Engine(
        on_fire=lambda rule, e, ev: fired.append((rule.name, e.source_ip)), detectors=[det]
    )
    engine.process(ev("/a"), now=0.0)
    engine.process(ev("/x", ip="198.51.100.5"), now=30.0)
    assert fired == []
    # another address's event after the window: the engine's minute tick judges it
    engine.process(ev("/x", ip="198.51.100.5"), now=70.0)
    assert fired == [("corr", "203.0.113.1")]
