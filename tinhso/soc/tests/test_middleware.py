import time
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone

from tinhso.soc.enforcement import DECISIONS
from tinhso.soc.engine import EVENTS, EventQueue
from tinhso.soc.middleware import SocMiddleware
from tinhso.soc.models import Alert, Decision
from tinhso.soc.schema import Event
from tinhso.soc.services import STAMP_KEY, decision_create

pytestmark = pytest.mark.django_db

ATTACKER, OTHER = "203.0.113.66", "198.51.100.7"


def _ban(value=ATTACKER, **kw):
    return decision_create(
        scope=kw.pop("scope", "ip"), value=value, reason="test", rule="manual", **kw
    )


def test_common_case_costs_no_database_query(django_assert_num_queries):
    middleware = SocMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    middleware(factory.get("/", REMOTE_ADDR=OTHER))  # first request loads the decisions
    with django_assert_num_queries(0):
        for _ in range(50):
            assert (
                middleware(factory.get("/thu-tuc/?q=Nguy%E1%BB%85n", REMOTE_ADDR=OTHER)).status_code
                == 200
            )
    assert DECISIONS.reloads == 1


def test_banned_address_gets_403_json_on_the_api_and_a_vietnamese_page(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ban()
    api = client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER)
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "soc_blocked"
    assert int(api["Retry-After"]) > 0
    page = client.get("/", REMOTE_ADDR=ATTACKER, HTTP_ACCEPT="text/html")
    assert page.status_code == 403
    assert "tạm chặn" in page.content.decode()
    assert client.get("/api/v1/ping", REMOTE_ADDR=OTHER).status_code == 200


def test_range_ban_and_rate_limit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ban("203.0.113.0/24", scope="range")
        _ban("192.0.2.9", kind="rate_limit")
    assert client.get("/api/v1/ping", REMOTE_ADDR="203.0.113.200").status_code == 403
    limited = client.get("/api/v1/ping", REMOTE_ADDR="192.0.2.9")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "soc_rate_limited"


def test_a_decision_taken_elsewhere_is_seen_after_the_refresh_interval(client, settings):
    settings.TINHSO_SOC_REFRESH_SECONDS = 0
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).status_code == 200
    now = timezone.now()
    Decision.objects.create(
        scope="ip",
        value=ATTACKER,
        kind="ban",
        reason="other process",
        ttl_seconds=60,
        expires_at=now + timedelta(seconds=60),
    )
    from django.core.cache import cache

    cache.set(STAMP_KEY, "another-process")
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).status_code == 403


def test_expired_decisions_are_not_enforced(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = _ban(ttl_seconds=1)
    Decision.objects.filter(pk=decision.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    DECISIONS.reload()
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).status_code == 200


def test_switching_it_off_lets_everything_through(
    client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ban()
    settings.TINHSO_SOC_ENABLED = False
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).status_code == 200
    assert client.get("/api/v1/ping?q=%27%20or%201%3D1--", REMOTE_ADDR=ATTACKER).status_code == 200


def test_an_injection_request_is_refused_on_the_spot(client):
    response = client.get("/api/v1/ping?q=%27%20or%20%271%27%3D%271", REMOTE_ADDR=ATTACKER)
    assert (
        response.status_code == 403 and response.json()["error"]["code"] == "soc_request_rejected"
    )
    fine = client.get("/api/v1/ping?q=%C4%90%C4%83ng+k%C3%BD+khai+sinh", REMOTE_ADDR=OTHER)
    assert fine.status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ban()
    blocked = client.get(
        "/api/v1/ping", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.1.1.1, {ATTACKER}"
    )
    assert blocked.status_code == 403
    spoofed = client.get("/api/v1/ping", REMOTE_ADDR=OTHER, HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert spoofed.status_code == 200  # an untrusted peer cannot pick its address
    assert client.get("/api/v1/ping", REMOTE_ADDR="127.0.0.1").status_code == 200


def test_a_full_queue_drops_and_counts_without_blocking():
    q = EventQueue(maxsize=3)
    started = time.perf_counter()
    accepted = [q.submit(Event(source_ip="203.0.113.1")) for _ in range(1000)]
    assert time.perf_counter() - started < 0.5
    assert accepted.count(True) == 3 and q.dropped == 997


@override_settings(TINHSO_SOC_MODE="thread")
def test_thread_mode_processes_events_in_the_background():
    fired = []
    q = EventQueue(maxsize=100)
    q._engine = __import__("tinhso.soc.engine", fromlist=["Engine"]).Engine(
        on_fire=lambda rule, event, evidence: fired.append(rule.name)
    )
    for i in range(11):
        q.submit(Event(source_ip="203.0.113.2", user=f"u{i}", outcome="login_failed"))
    deadline = time.monotonic() + 5
    while not fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fired == ["brute-force"]


def test_allowlisted_test_client_is_never_watched(client):
    for _ in range(5):
        client.get("/api/v1/ping?q=%3Cscript%3E")
    assert EVENTS.engine.counts["events"] == 0
    assert not Alert.objects.exists()
