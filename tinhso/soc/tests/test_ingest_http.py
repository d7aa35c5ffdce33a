"""POST /api/v1/soc/ingest: token, limits, bad lines counted, events into the engine."""

import gzip
import hashlib
import json
import queue

import pytest
from django.test import Client

from tinhso.soc.engine import EVENTS
from tinhso.soc.models import Decision

pytestmark = pytest.mark.django_db

URL = "/api/v1/soc/ingest"
TOKEN = "soc_test-token-for-web01"
SENDER = "198.51.100.200"  # the shipper's address, not allowlisted


@pytest.fixture(autouse=True)
def _tokens(settings):
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    settings.TINHSO_SOC_INGEST_TOKENS = [f"web01:{digest}", "broken-entry", "x:nothex"]


def _post(body, token=TOKEN, client=None, **extra):
    client = client or Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.post(
        URL, data=body, content_type="application/json", REMOTE_ADDR=SENDER, **headers, **extra
    )


def _scan_lines(ip, n):
    return [
        json.dumps(
            {
                "ip": ip,
                "method": "GET",
                "url": f"/khong-co-{i}.php",
                "status": 404,
                "ua": "Mozilla/5.0",
            }
        )
        for i in range(n)
    ]


def _captured(monkeypatch):
    got = []
    monkeypatch.setattr(EVENTS, "submit", lambda event: got.append(event) or True)
    return got


def test_good_token_json_lines_are_accepted_and_end_in_a_ban():
    body = "\n".join(_scan_lines("203.0.113.60", 40)) + "\n"
    response = _post(body)
    assert response.status_code == 202, response.content
    assert response.json() == {
        "accepted": 40, "skipped": 0, "dropped": 0, "skipped_by_reason": {}, "clock_skew": 0
    }  # fmt: skip
    EVENTS.drain()
    decision = Decision.objects.get(value="203.0.113.60")
    assert decision.rule == "scan-404" and decision.kind == "ban"
    assert not Decision.objects.filter(value=SENDER).exists()  # the shipper is not the attacker


def test_events_carry_the_token_source_name(monkeypatch):
    got = _captured(monkeypatch)
    lines = [
        '{"ip": "203.0.113.61", "url": "/", "status": 200}',
        "<38>Nov 20 08:15:02 web01 sshd[1]: Failed password for root from 203.0.113.62 port 22 ssh2",
        '203.0.113.63 - - [20/Nov/2026:08:15:02 +0700] "GET /a HTTP/1.1" 404 9 "-" "curl/8"',
    ]
    assert _post("\n".join(lines)).json()["accepted"] == 3
    assert [e.source for e in got] == ["web01"] * 3
    assert [e.extra["format"] for e in got] == ["json", "syslog", "access_log"]
    assert got[1].outcome == "login_failed"


def test_a_json_array_of_objects_and_lines():
    items = [{"ip": "203.0.113.64", "url": "/"}, "not a log line", 42, {"nothing": "useful"}]
    body = json.dumps(items)
    response = _post(body)
    assert response.status_code == 202
    data = response.json()
    assert data["accepted"] == 1 and data["skipped"] == 3
    assert data["skipped_by_reason"] == {"garbage": 2, "binary": 1}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer " + "x" * 5000},
    ],
)
def test_missing_or_bad_token_is_401_and_nothing_is_queued(headers, monkeypatch):
    got = _captured(monkeypatch)
    response = Client().post(
        URL, data=_scan_lines("203.0.113.65", 1)[0], content_type="application/json",
        REMOTE_ADDR=SENDER, **headers,
    )  # fmt: skip
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "soc_bad_token" and "không hợp lệ" in error["message"]
    assert all(e.source_ip == SENDER and e.outcome == "login_failed" for e in got)


@pytest.mark.django_db(transaction=True)  # the decision reaches the cache on commit
def test_a_token_guesser_is_banned():
    codes = []
    for _ in range(13):
        codes.append(_post("{}", token="guess").status_code)
        EVENTS.drain()
    assert codes == [401] * 11 + [403] * 2  # the brute-force bucket holds 10
    assert Decision.objects.filter(value=SENDER, rule="brute-force").exists()
    assert _post("{}").json()["error"]["code"] == "soc_blocked"  # even with the right token


def test_oversize_body_is_413_with_its_code(settings, monkeypatch):
    got = _captured(monkeypatch)
    settings.TINHSO_SOC_INGEST_MAX_BYTES = 2000
    response = _post("\n".join(_scan_lines("203.0.113.66", 40)))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "soc_ingest_too_large"
    assert got == []


def test_too_many_lines_refuses_the_whole_body(settings, monkeypatch):
    got = _captured(monkeypatch)
    settings.TINHSO_SOC_INGEST_MAX_LINES = 10
    response = _post("\n".join(_scan_lines("203.0.113.67", 11)))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "soc_ingest_too_many_lines"
    assert _post(json.dumps([{"ip": "203.0.113.67"}] * 11)).status_code == 413
    assert got == []  # nothing half-taken


def test_broken_json_lines_mixed_with_good_ones_are_counted():
    lines = _scan_lines("203.0.113.68", 3)
    body = "\n".join([lines[0], '{"ip": "203.0.113.68", "url":', lines[1], "[1, 2", "", lines[2]])
    data = _post(body).json()
    assert data["accepted"] == 3 and data["skipped"] == 3
    assert data["skipped_by_reason"] == {"garbage": 2, "empty": 1}


def test_binary_and_broken_utf8_are_counted_never_500():
    good = _scan_lines("203.0.113.69", 1)[0].encode()
    body = b"\n".join(
        [good, b"\x00\x01\x02\xff\xfe", b'{"ip": "203.0.113.69", "u": "\xc3\x28"}', good]
    )
    response = _post(body)
    assert response.status_code == 202
    data = response.json()
    assert data["accepted"] == 2
    assert data["skipped_by_reason"] == {"binary": 1, "bad_encoding": 1}
    whole_binary = bytes(range(256)) * 8
    assert _post(whole_binary).status_code == 202


def test_a_broken_array_is_400_and_a_non_json_type_415():
    response = _post('[{"ip": "203.0.113.70"}, ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "soc_ingest_bad_json"
    response = Client().post(
        URL, data="x", content_type="text/plain", HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        REMOTE_ADDR=SENDER,
    )  # fmt: skip
    assert response.status_code == 415


def test_a_full_engine_queue_drops_and_says_so(monkeypatch):
    monkeypatch.setattr(EVENTS, "queue", queue.Queue(2))
    monkeypatch.setattr(EVENTS, "drain", lambda limit=None: 0)  # the engine is behind
    data = _post("\n".join(_scan_lines("203.0.113.71", 5))).json()
    assert data["accepted"] == 2 and data["dropped"] == 3


def test_no_csrf_nor_session_needed():
    client = Client(enforce_csrf_checks=True)
    assert _post(_scan_lines("203.0.113.72", 1)[0], client=client).status_code == 202


def test_the_endpoint_is_in_the_openapi_schema():
    schema = Client().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/soc/ingest"]["post"]
    (scheme,) = operation["security"][0]
    assert schema["components"]["securitySchemes"][scheme]["scheme"] == "bearer"


def test_a_gzip_body_is_unpacked_within_the_limit(settings):
    lines = "\n".join(_scan_lines("203.0.113.73", 5)).encode()
    response = _post(gzip.compress(lines), HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 202 and response.json()["accepted"] == 5
    settings.TINHSO_SOC_INGEST_MAX_BYTES = 10_000
    bomb = gzip.compress(b"\n" * 5_000_000)  # 5 MB of newlines in a few KiB
    assert len(bomb) < 10_000
    response = _post(bomb, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "soc_ingest_too_large"
    for body, encoding in [
        (b"not gzip at all", "gzip"),
        (lines, "br"),
        (gzip.compress(lines)[:-9], "gzip"),
    ]:
        response = _post(body, HTTP_CONTENT_ENCODING=encoding)
        assert response.status_code == 400, encoding
        assert response.json()["error"]["code"] == "soc_ingest_bad_compression"
