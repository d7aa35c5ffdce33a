"""Challenge decisions: the page, the proof-of-work, the question, the pass cookie, failures."""

import base64
import json
import os
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import altcha
import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from tinhso.core.tests import browser as _browser
from tinhso.core.text import fold
from tinhso.soc import challenge
from tinhso.soc.engine import EVENTS
from tinhso.soc.middleware import SocMiddleware
from tinhso.soc.models import Decision
from tinhso.soc.services import decision_create

pytestmark = pytest.mark.django_db

ATTACKER, NEIGHBOUR, OTHER = "203.0.113.66", "203.0.113.67", "198.51.100.7"
CHALLENGE_URL = "/soc/xac-minh/"
HTML = {"HTTP_ACCEPT": "text/html"}


@pytest.fixture(autouse=True)
def _easy_pow(settings):
    settings.TINHSO_SOC_CHALLENGE_MAX_NUMBER = 2000  # the test solves it in Python


def _challenge(value=ATTACKER, scope="ip", **kw):
    return decision_create(
        scope=scope, value=value, kind="challenge", reason="test", rule="manual", **kw
    )


@pytest.fixture
def challenged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _challenge()


def _pow_from(html: str) -> dict:
    match = re.search(
        r'<script id="soc-pow-challenge" type="application/json">(.*?)</script>', html
    )
    return json.loads(match.group(1))


def _solve(pow_challenge: dict) -> str:
    solution = altcha.solve_challenge_v1(
        pow_challenge["challenge"],
        pow_challenge["salt"],
        pow_challenge["algorithm"],
        pow_challenge["maxNumber"],
    )
    payload = {
        "algorithm": pow_challenge["algorithm"],
        "challenge": pow_challenge["challenge"],
        "number": solution.number,
        "salt": pow_challenge["salt"],
        "signature": pow_challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def _question_from(html: str) -> tuple[str, str]:
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    label = unescape(re.search(r'<label for="soc-answer">([^<]+)</label>', html).group(1))
    return token, label


def _answer(label: str) -> int:
    words = fold(label).replace("bang bao nhieu?", "").replace("what is", "").rstrip("?")
    a, b = re.split(r" cong | plus ", words.strip())
    return challenge.parse_answer(a) + challenge.parse_answer(b)


def test_a_challenged_page_request_gets_the_challenge_page(client, challenged):
    response = client.get("/thu-tuc-hanh-chinh/?q=khai+sinh", REMOTE_ADDR=ATTACKER, **HTML)
    html = response.content.decode()
    assert response.status_code == 403
    assert response["Cache-Control"] == "no-store"
    assert "Xác minh trình duyệt" in html
    assert 'action="/soc/xac-minh/"' in html
    assert 'value="/thu-tuc-hanh-chinh/?q=khai+sinh"' in html  # back to the page asked for
    assert "soc_challenge_required" in html
    pow_challenge = _pow_from(html)
    assert pow_challenge["algorithm"] == "SHA-256" and pow_challenge["maxNumber"] == 2000
    assert f"ip={ATTACKER}" in pow_challenge["salt"]
    assert f"d={challenged.pk}" in pow_challenge["salt"]
    _token, label = _question_from(html)
    assert label.endswith("bằng bao nhiêu?")
    assert '<label for="soc-answer">' in html and 'aria-describedby="soc-answer-hint' in html
    assert "/static/soc/challenge.js" in html
    # Others are not challenged.
    assert client.get("/thu-tuc-hanh-chinh/", REMOTE_ADDR=OTHER, **HTML).status_code == 200


def test_a_challenged_client_is_still_watched(
    client, challenged, django_capture_on_commit_callbacks
):
    # Attacks sent while challenged still count toward the web-attack ban.
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            response = client.get("/api/v1/ping?q=%27%20or%201%3D1--", REMOTE_ADDR=ATTACKER)
            assert response.json()["error"]["code"] in {"soc_challenge_required", "soc_blocked"}
    assert Decision.objects.filter(value=ATTACKER, kind="ban", rule="web-attack").exists()
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).json()["error"]["code"] == "soc_blocked"


def test_the_api_gets_json(client, challenged):
    response = client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "soc_challenge_required"
    assert error["details"]["challenge_url"] == "/soc/xac-minh/?next=%2Fapi%2Fv1%2Fping"


def test_the_right_proof_of_work_gives_a_pass_cookie(client, challenged):
    html = client.get("/", REMOTE_ADDR=ATTACKER, **HTML).content.decode()
    payload = _solve(_pow_from(html))
    response = client.post(
        CHALLENGE_URL, {"altcha": payload, "next": "/tra-cuu-ho-so/"}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 303
    assert response["Location"] == "/tra-cuu-ho-so/"
    cookie = response.cookies[challenge.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert 0 < int(cookie["max-age"]) <= challenged.ttl_seconds
    assert client.get("/", REMOTE_ADDR=ATTACKER, **HTML).status_code == 200
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).status_code == 200
    # The same solution cannot be used twice (another browser, same address).
    again = client.__class__().post(
        CHALLENGE_URL, {"altcha": payload, "next": "/"}, REMOTE_ADDR=ATTACKER
    )
    assert again.status_code == 403 and "soc_challenge_failed" in again.content.decode()


def test_the_pass_is_bound_to_the_address_and_the_decision(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = _challenge("203.0.113.0/24", scope="range")
    html = client.get("/", REMOTE_ADDR=ATTACKER, **HTML).content.decode()
    client.post(CHALLENGE_URL, {"altcha": _solve(_pow_from(html))}, REMOTE_ADDR=ATTACKER)
    assert client.get("/", REMOTE_ADDR=ATTACKER, **HTML).status_code == 200
    # The cookie carried from another address in the same range is refused.
    assert client.get("/", REMOTE_ADDR=NEIGHBOUR, **HTML).status_code == 403
    # A tampered cookie is refused.
    good = client.cookies[challenge.COOKIE].value
    client.cookies[challenge.COOKIE] = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert client.get("/", REMOTE_ADDR=ATTACKER, **HTML).status_code == 403
    client.cookies[challenge.COOKIE] = good
    # A new challenge decision needs a new proof.
    Decision.objects.filter(pk=decision.pk).update(revoked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _challenge()
    from tinhso.soc.enforcement import DECISIONS

    DECISIONS.reload()
    assert client.get("/", REMOTE_ADDR=ATTACKER, **HTML).status_code == 403


def test_a_proof_for_another_address_is_refused(client, challenged):
    html = client.get("/", REMOTE_ADDR=ATTACKER, **HTML).content.decode()
    payload = _solve(_pow_from(html))
    with_decision = _challenge(OTHER)
    from tinhso.soc.enforcement import DECISIONS

    DECISIONS.add(with_decision)
    response = client.post(CHALLENGE_URL, {"altcha": payload}, REMOTE_ADDR=OTHER)
    assert response.status_code == 403 and "soc_challenge_failed" in response.content.decode()


def test_the_question_without_javascript(client, challenged):
    html = client.get("/", REMOTE_ADDR=ATTACKER, **HTML).content.decode()
    token, label = _question_from(html)
    wrong = client.post(
        CHALLENGE_URL, {"token": token, "answer": "99", "next": "/"}, REMOTE_ADDR=ATTACKER
    )
    page = wrong.content.decode()
    assert wrong.status_code == 403
    assert "Xác minh chưa thành công" in page and 'role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert client.get("/", REMOTE_ADDR=ATTACKER, **HTML).status_code == 403
    token, label = _question_from(page)
    right = client.post(
        CHALLENGE_URL,
        {"token": token, "answer": str(_answer(label)), "next": "/"},
        REMOTE_ADDR=ATTACKER,
    )
    assert right.status_code == 303
    assert client.get("/", REMOTE_ADDR=ATTACKER, **HTML).status_code == 200


@pytest.mark.parametrize(
    ("text", "number"),
    [("7", 7), (" bảy ", 7), ("BAY", 7), ("seven", 7), ("mười", 10), ("tư", 4), ("x", None)],
)
def test_answers_in_digits_or_words(text, number):
    assert challenge.parse_answer(text) == number


def test_the_question_is_asked_in_english_too(client, challenged):
    client.cookies["django_language"] = "en"
    html = client.get("/", REMOTE_ADDR=ATTACKER, **HTML).content.decode()
    _token, label = _question_from(html)
    assert label.startswith("What is ") and label.endswith("?")
    assert "Browser check" in html
    assert 0 < _answer(label) <= 10


def test_repeated_failures_become_a_ban(
    client, challenged, settings, django_capture_on_commit_callbacks
):
    settings.TINHSO_SOC_CHALLENGE_MAX_FAILURES = 3
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            response = client.post(
                CHALLENGE_URL, {"token": "forged", "answer": "1"}, REMOTE_ADDR=ATTACKER, **HTML
            )
            statuses.append(response.status_code)
    assert Decision.objects.filter(kind="ban").count() == 1
    assert statuses == [403, 403, 403]
    assert "tạm chặn" in response.content.decode()
    ban = Decision.objects.get(kind="ban", value=ATTACKER)
    assert ban.rule == "challenge-failed"
    assert ban.reason == "Trả lời sai thử thách xác minh 3 lần."
    assert ban.evidence == [{"challenge_decision": challenged.pk, "failures": 3}]
    api = client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER)
    assert api.status_code == 403 and api.json()["error"]["code"] == "soc_blocked"


def test_a_later_challenge_does_not_lift_a_ban(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision_create(scope="ip", value=ATTACKER, reason="t", rule="manual")
        _challenge()
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).json()["error"]["code"] == "soc_blocked"
    from tinhso.soc.enforcement import DECISIONS

    DECISIONS.reload()
    assert client.get("/api/v1/ping", REMOTE_ADDR=ATTACKER).json()["error"]["code"] == "soc_blocked"


def test_an_expired_challenge_is_not_served(client, challenged):
    Decision.objects.filter(pk=challenged.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    from tinhso.soc.enforcement import DECISIONS

    DECISIONS.reload()
    assert client.get("/", REMOTE_ADDR=ATTACKER, **HTML).status_code == 200
    # The challenge address itself just sends the client on.
    response = client.get(CHALLENGE_URL + "?next=/tra-cuu-ho-so/", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 302 and response["Location"] == "/tra-cuu-ho-so/"


def test_next_never_leaves_the_site(client, challenged):
    response = client.get(CHALLENGE_URL + "?next=https://evil.example/", REMOTE_ADDR=OTHER)
    assert response["Location"] == "/"
    page = client.get(CHALLENGE_URL + "?next=//evil.example/", REMOTE_ADDR=ATTACKER, **HTML)
    assert page.status_code == 200 and 'name="next" value="/"' in page.content.decode()


def test_a_pass_costs_no_database_query(client, challenged, django_assert_num_queries):
    html = client.get("/", REMOTE_ADDR=ATTACKER, **HTML).content.decode()
    client.post(CHALLENGE_URL, {"altcha": _solve(_pow_from(html))}, REMOTE_ADDR=ATTACKER)
    cookie = client.cookies[challenge.COOKIE].value
    middleware = SocMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    factory.cookies[challenge.COOKIE] = cookie
    with django_assert_num_queries(0):
        for _ in range(20):
            assert middleware(factory.get("/", REMOTE_ADDR=ATTACKER)).status_code == 200


def test_uninspected_paths_are_enforced_but_not_inspected(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TINHSO_SOC_UNINSPECTED_PATHS = ["/api/v1/soc/ingest"]
    injection = "/api/v1/soc/ingest?q=%27%20or%20%271%27%3D%271"
    response = client.get(injection, REMOTE_ADDR=OTHER)
    assert response.status_code != 403  # not refused as an attack on us
    assert EVENTS.engine.counts["events"] == 0
    refused = client.get(injection.replace("soc/ingest", "ping"), REMOTE_ADDR=OTHER)
    assert refused.json()["error"]["code"] == "soc_request_rejected"
    with django_capture_on_commit_callbacks(execute=True):
        decision_create(scope="ip", value=ATTACKER, reason="t", rule="manual")
    banned = client.post("/api/v1/soc/ingest", "{}", "application/json", REMOTE_ADDR=ATTACKER)
    assert banned.status_code == 403 and banned.json()["error"]["code"] == "soc_blocked"


# --- in Chromium -----------------------------------------------------------------------------

SHOTS = Path(os.environ.get("TINHSO_SHOTS_DIR", "/tmp/shots/socenforce"))  # noqa: S108
browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def challenged_behind_proxy(transactional_db, settings, units_loaded):
    """A challenge on the address the browser's requests carry through the (loopback) proxy;
    the real difficulty."""
    settings.TINHSO_SOC_CHALLENGE_MAX_NUMBER = 100_000
    now = timezone.now()
    decision = Decision.objects.create(
        scope="ip",
        value=BROWSER_CLIENT,
        kind="challenge",
        reason="test",
        rule="manual",
        ttl_seconds=900,
        expires_at=now + timedelta(seconds=900),
    )
    from tinhso.soc.enforcement import DECISIONS

    DECISIONS.reload()
    return decision


BROWSER_CLIENT = "203.0.113.90"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_solves_the_proof_of_work(challenged_behind_proxy, browser_session):
    headers = {"X-Forwarded-For": BROWSER_CLIENT}
    # Without JavaScript: the question, labelled, answered from the keyboard.
    context = browser_session.browser.new_context(
        viewport=_browser.DESKTOP, locale="vi-VN", java_script_enabled=False
    )
    browser_session.contexts.append(context)
    context.set_extra_http_headers(headers)
    page = context.new_page()
    response = page.goto(browser_session.url("/tra-cuu-ho-so/"))
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Xác minh trình duyệt"
    assert page.locator("#soc-pow-form").is_hidden()
    answer = page.get_by_label(re.compile("bằng bao nhiêu"))
    _shot(page, "challenge-no-js")
    label = page.locator("label[for=soc-answer]").inner_text()
    answer.focus()
    page.keyboard.type(str(_answer(label)))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.url.endswith("/tra-cuu-ho-so/")
    assert page.locator("#soc-answer").count() == 0

    # With JavaScript: solved and sent by the page's own script, no foreign request. The
    # form's submit is held once to see the page and read the browser's own solving time.
    page = browser_session.new_page()
    page.context.set_extra_http_headers(headers)
    page.add_init_script(
        "window.__realSubmit = HTMLFormElement.prototype.submit;"
        "HTMLFormElement.prototype.submit = function () { window.__held = this; };"
    )
    response = page.goto(browser_session.url("/thu-tuc-hanh-chinh/"))
    assert response.status == 403
    page.wait_for_function("window.__held !== undefined", timeout=60_000)
    took = int(page.evaluate("window.__held.dataset.took"))
    assert page.locator("#soc-pow-status").inner_text() == "Đã xác minh, đang chuyển tiếp…"
    assert page.locator("#soc-pow-progress").get_attribute("value") == "100"
    _shot(page, "challenge-solved")
    print(f"proof-of-work solved in Chromium in {took} ms (max number 100000)")
    page.evaluate("window.__realSubmit.call(window.__held)")
    page.wait_for_selector("#soc-pow-form", state="detached", timeout=60_000)
    assert page.url.endswith("/thu-tuc-hanh-chinh/")
    assert page.locator("h1").inner_text() == "Thủ tục hành chính"
    _shot(page, "challenge-passed")
    cookie = next(c for c in page.context.cookies() if c["name"] == challenge.COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert browser_session.foreign_requests() == []
    # And in English, the page before the script runs.
    english = browser_session.browser.new_context(
        viewport=_browser.PHONE, java_script_enabled=False
    )
    browser_session.contexts.append(english)
    english.set_extra_http_headers({"X-Forwarded-For": "203.0.113.91"})
    english.add_cookies(
        [{"name": "django_language", "value": "en", "url": browser_session.base_url}]
    )
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(
            lambda: Decision.objects.create(
                scope="ip",
                value="203.0.113.91",
                kind="challenge",
                reason="test",
                rule="manual",
                ttl_seconds=900,
                expires_at=timezone.now() + timedelta(seconds=900),
            )
        ).result()
        pool.submit(
            lambda: __import__("tinhso.soc.enforcement").soc.enforcement.DECISIONS.reload()
        ).result()
    page = english.new_page()
    page.goto(browser_session.url("/"))
    assert page.locator("h1").inner_text() == "Browser check"
    _shot(page, "challenge-en-phone")
