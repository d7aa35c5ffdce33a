import random
from datetime import UTC, datetime

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


def test_evidence_is_the_events_as_dicts_when_the_rule_fires():
    """Evidence is kept as compact snapshots and turned into the events' dicts on overflow."""
    rule = _rule(capacity=2, evidence_kept=2)
    when = datetime(2026, 11, 20, 8, 15, 2, tzinfo=UTC)
    events = [
        Event(
            time=when,
            source_ip="203.0.113.4",
            user="hoa",
            method="GET",
            url=f"/thu-tuc/?q={i}" + "x" * 3000,
            status=404,
            bytes=10,
            user_agent="u" * 700,
            message="m" * 1200,
            source="access_log",
            extra={"attack": True},
        )
        for i in range(3)
    ]
    results = [rule.pour(e, now=0.0) for e in events]
    assert results[:2] == [None, None]
    assert results[2] == [e.as_dict() for e in events[1:]]
    assert len(results[2][0]["url"]) == 2000 and "extra" not in results[2][0]


def test_snapshot_gives_back_the_same_dict():
    ev = Event(source_ip="198.51.100.2", url="/a", status=200, user_agent="x", outcome="login_ok")
    assert Event(*ev.snapshot()).as_dict() == ev.as_dict()


def test_evidence_kept_only_near_the_top_is_the_same_as_keeping_everything():
    """Random bursts and pauses: the evidence equals the last pours of a plain bucket that
    keeps every event, and an ordinary client's bucket holds no evidence at all."""
    rng = random.Random(5)
    slow = [0.0, 0.001, 0.01, 0.05, 0.5, 3.0, 30.0]
    fast = [0.0, 0.0, 0.001, 0.01, 0.03, 0.06, 0.2]
    for capacity, leak, steps in (
        (2, 1 / 300, slow),
        (10, 1 / 60, slow),
        (30, 0.1, slow),
        (600, 20.0, fast),
    ):
        rule = _rule(capacity=capacity, leak_rate=leak)
        level, last, kept = 0.0, 0.0, []
        now = 0.0
        for i in range(20_000):
            now += rng.choice(steps)
            ev = Event(source_ip="203.0.113.5", url=f"/{i}")
            got = rule.pour(ev, now=now)
            level = max(0.0, level - max(0.0, now - last) * leak) + 1
            last = max(last, now)
            kept = [*kept, ev.as_dict()][-5:]
            if level > capacity:
                assert got == kept, (capacity, i)
                level, kept = 0.0, []
            else:
                assert got is None
        assert rule.overflows > 0
    quiet = _rule(capacity=600, leak_rate=20.0)
    for i in range(100):
        quiet.pour(Event(source_ip="203.0.113.6"), now=i * 0.5)
    assert quiet.states["203.0.113.6"].evidence is None


def test_allowlist_look_up_equals_ipaddress():
    """The engine's cached allowlist check (integers for dotted quads) gives what
    ipaddress gives, for odd addresses and mixed IPv4/IPv6 settings too."""
    from tinhso.core import net
    from tinhso.soc import conf

    rng = random.Random(9)
    settings_sets = [
        (("10.0.0.0/8", "203.0.113.7", "2001:db8::/32", "bad"), ("127.0.0.1", "::1")),
        ((), ("127.0.0.1", "::1")),
        (("0.0.0.0/0",), ()),
    ]
    odd = ["01.2.3.4", "1.2.3", "256.1.1.1", "١.٢.٣.٤", "::ffff:10.0.0.1", "2001:db8::1", "", "x"]
    for allow, proxies in settings_sets:
        for _ in range(3000):
            ip = ".".join(
                str(rng.choice([10, 127, 203, 0, 255, rng.randrange(256)])) for _ in range(4)
            )
            for candidate in (ip, rng.choice(odd)):
                want = net.in_networks(candidate, allow) or net.in_networks(candidate, proxies)
                assert conf._allowlisted(candidate, allow, proxies) == want, (candidate, allow)
