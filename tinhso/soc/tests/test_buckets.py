from tinhso.soc.buckets import BucketRule
from tinhso.soc.engine import Engine, default_rules
from tinhso.soc.schema import Event


def _rule(**kw):
    base = dict(
        name="t", capacity=3, leak_rate=1.0, filter=lambda e: True, key=lambda e: e.source_ip
    )
    base.update(kw)
    return BucketRule(**base)


def test_bucket_overflows_past_capacity_and_keeps_evidence():
    rule = _rule()
    results = [rule.pour(Event(source_ip="203.0.113.1", url=f"/{i}"), now=0.0) for i in range(4)]
    assert results[:3] == [None, None, None]
    assert [e["url"] for e in results[3]] == ["/0", "/1", "/2", "/3"]
    assert rule.overflows == 1 and rule.keys == 0


def test_bucket_leaks_so_slow_traffic_never_overflows():
    rule = _rule()
    assert all(rule.pour(Event(source_ip="203.0.113.1"), now=float(t)) is None for t in range(100))


def test_clock_going_backwards_does_not_refill_or_crash():
    rule = _rule()
    for t in (10.0, 5.0, 0.0):
        assert rule.pour(Event(source_ip="203.0.113.1"), now=t) is None
    assert rule.pour(Event(source_ip="203.0.113.1"), now=10.0) is not None


def test_distinct_bucket_counts_only_new_values():
    rule = _rule(distinct=lambda e: e.path)
    for _ in range(50):
        assert rule.pour(Event(source_ip="203.0.113.1", url="/same"), now=0.0) is None
    assert rule.pour(Event(source_ip="203.0.113.1", url="/a"), now=0.0) is None
    assert rule.pour(Event(source_ip="203.0.113.1", url="/b"), now=0.0) is None
    assert rule.pour(Event(source_ip="203.0.113.1", url="/c"), now=0.0) is not None


def test_keys_are_bounded_by_an_lru_with_counted_evictions():
    rule = _rule(max_keys=1000)
    for i in range(50_000):
        rule.pour(Event(source_ip=f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"), now=0.0)
    assert rule.keys == 1000
    assert rule.evictions == 49_000


def test_engine_fires_brute_force_on_failed_sign_ins_only_once_per_overflow():
    fired = []
    engine = Engine(
        on_fire=lambda rule, event, evidence: fired.append(rule.name), rules=default_rules()
    )
    for i in range(11):
        engine.process(
            Event(source_ip="203.0.113.7", user=f"u{i % 2}", outcome="login_failed"), now=float(i)
        )
    assert fired == ["brute-force"]
    for i in range(11):
        engine.process(Event(source_ip="203.0.113.8", user="hoa", outcome="login_ok"), now=float(i))
    assert fired == ["brute-force"]


def test_engine_scan_rules_fire_on_404s():
    fired = []
    engine = Engine(on_fire=lambda rule, event, evidence: fired.append(rule.name))
    for i in range(40):
        engine.process(
            Event(source_ip="203.0.113.9", method="GET", url=f"/wp-{i}.php", status=404),
            now=i * 0.1,
        )
    assert "scan-404" in fired
