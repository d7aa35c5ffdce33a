"""Volume baselines per endpoint and per source address."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from tinhso.soc.baseline import BaselineDetector, endpoint_pattern
from tinhso.soc.engine import Engine
from tinhso.soc.schema import Event


def req(path="/thu-tuc-hanh-chinh/", ip="198.51.100.1") -> Event:
    return Event(source_ip=ip, method="GET", url=path, status=200)


def feed(det: BaselineDetector, minute: int, count: int, **kw) -> list[str]:
    """``count`` requests spread over ``minute``; the rule names that fired."""
    fired = []
    for i in range(count):
        now = minute * 60 + i * (59.0 / max(count, 1))
        fired.extend(r.name for r, _ in det.process(req(**kw), now=now))
    return fired


def small(**kw) -> BaselineDetector:
    params = {
        "alpha": 0.2,
        "k": 4.0,
        "min_count_endpoint": 20,
        "min_count_source": 20,
        "warmup": 10,
        "max_keys": 1000,
    }
    params.update(kw)
    return BaselineDetector(**params)


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/ho-so/123/", "/ho-so/{n}/"),
        ("/ho-so/H23-251122-0001/bien-nhan", "/ho-so/{id}/bien-nhan"),
        ("/tep/3f2b8c1e-9a4d-4c2b-8f00-1a2b3c4d5e6f", "/tep/{uuid}"),
        ("/k/0123456789abcdef0123", "/k/{hex}"),
        ("/Thu-Tuc-Hanh-Chinh/?q=123", "/thu-tuc-hanh-chinh/"),
        ("/a/b/c/d/e/f/g/h/i/j/k", "/a/b/c/d/e/f/g/h/…"),
    ],
)
def test_endpoint_pattern_collapses_identifiers(path, pattern):
    assert endpoint_pattern(path) == pattern


def test_no_alert_during_warm_up_even_on_a_spike():
    det = small()
    for minute in range(5):
        assert feed(det, minute, 5) == []
    assert feed(det, 5, 500) == []  # 5 minutes learned < 10


def test_steady_traffic_never_alerts():
    det = small()
    fired = []
    for minute in range(120):
        fired += feed(det, minute, 8 + (minute % 5))  # 8 to 12 a minute
    assert fired == []


def test_a_spike_after_warm_up_alerts_once_per_key_and_minute():
    det = small()
    for minute in range(30):
        assert feed(det, minute, 10) == []
    fired = feed(det, 30, 200)
    # the endpoint and the one source both jumped: one alert each, not one per request
    assert sorted(fired) == ["baseline-endpoint", "baseline-source"]
    assert feed(det, 31, 10) == []  # back to normal


def test_the_spike_is_cut_when_learned_and_the_evidence_says_why():
    det = small()
    for minute in range(30):
        feed(det, minute, 10)
    out = []
    for i in range(200):
        out += det.process(req(), now=30 * 60 + i * 0.2)
    rule, evidence = out[0]
    info = evidence[0]
    assert info["key"] == "/thu-tuc-hanh-chinh/" and info["count_this_minute"] > info["threshold"]
    assert rule.decision == "" and rule.severity == "medium"
    feed(det, 31, 10)  # closes minute 30
    stat = det.endpoint.stats["/thu-tuc-hanh-chinh/"]
    assert stat.mean < info["threshold"]  # 200 was cut at the threshold before learning


def test_a_busy_endpoint_from_many_sources_alerts_on_the_endpoint_only():
    det = small()
    for minute in range(30):
        feed(det, minute, 10)
    fired = []
    for i in range(200):
        fired += [
            r.name for r, _ in det.process(req(ip=f"203.0.113.{i % 100}"), now=30 * 60 + i * 0.2)
        ]
    assert fired == ["baseline-endpoint"]


def test_minimum_absolute_count():
    det = small(min_count_endpoint=100, min_count_source=100)
    for minute in range(30):
        feed(det, minute, 1)
    assert feed(det, 30, 50) == []  # far above the mean but below the minimum


def test_quiet_minutes_count_as_zero():
    det = small()
    feed(det, 0, 50)
    feed(det, 200, 1)  # 199 empty minutes in between (at most 120 replayed)
    stat = det.source.stats["198.51.100.1"]
    assert stat.n == 1 + 120 and stat.mean < 1


def test_keys_are_bounded_and_evictions_counted():
    det = small(max_keys=50)
    letters = "abcdefghij"
    for i in range(300):
        name = letters[i // 100] + letters[i // 10 % 10] + letters[i % 10]  # 300 endpoints
        det.process(req(path=f"/p/{name}", ip=f"203.0.113.{i % 250}"), now=float(i))
    assert len(det.endpoint.stats) == 50 and len(det.source.stats) == 50
    # addresses .0-.49 come back after being evicted: new keys again
    assert det.endpoint.evictions == 250 and det.source.evictions == 250
    assert det.evictions == 500


def test_only_web_requests_count():
    det = small()
    det.process(Event(source_ip="198.51.100.1", outcome="login_failed"), now=0)
    assert len(det.source.stats) == 0


def test_state_is_saved_and_loaded(tmp_path):
    path = tmp_path / "soc" / "baseline.json"
    det = small(state_path=path, save_seconds=3600)
    for minute in range(30):
        feed(det, minute, 10)
    det.save(path)
    data = json.loads(path.read_text())
    assert data["tracks"]["baseline-endpoint"]["/thu-tuc-hanh-chinh/"][2] == 29
    again = small(state_path=path)
    stat = again.endpoint.stats["/thu-tuc-hanh-chinh/"]
    assert stat.n == 29 and stat.mean == pytest.approx(10, abs=0.5)
    # warm at once after the restart: a spike alerts without a new warm-up
    assert "baseline-endpoint" in feed(again, 1000, 200)


@pytest.mark.parametrize("content", ["{broken", '{"version": 99}', '{"version": 1, "tracks": []}'])
def test_a_broken_state_file_means_learning_from_nothing(tmp_path, content):
    path = tmp_path / "baseline.json"
    path.write_text(content)
    det = small(state_path=path)
    assert len(det.endpoint.stats) == 0
    assert feed(det, 0, 5) == []


def test_saving_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "baseline.json"
    det = small(state_path=path, save_seconds=0)
    feed(det, 0, 3)  # save_seconds=0: saved on each event
    assert json.loads(path.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


@override_settings(TINHSO_SOC_BASELINE_WARMUP_MINUTES=7, TINHSO_SOC_BASELINE_K=2.5)
def test_engine_builds_the_baseline_from_settings():
    engine = Engine(on_fire=lambda *a: None)
    (det,) = [d for d in engine.detectors if d.name == "baseline"]
    assert det.endpoint.warmup == 7 and det.source.k == 2.5
    assert "baseline-endpoint" in engine.rule_names()
