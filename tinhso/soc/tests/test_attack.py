"""A scripted attack over plain HTTP: detected, the attacker blocked within a second,
legitimate traffic untouched."""

import time

import pytest
from django.test import Client

from tinhso.soc.models import Alert, Decision

pytestmark = pytest.mark.django_db(transaction=True)

CITIZEN = "14.160.32.7"


def _citizen_ok(client) -> None:
    assert client.get("/api/v1/ping", REMOTE_ADDR=CITIZEN).status_code == 200
    assert (
        client.get(
            "/thu-tuc-hanh-chinh/?q=%C4%90%C4%83ng+k%C3%BD+khai+sinh", REMOTE_ADDR=CITIZEN
        ).status_code
        == 200
    )


def test_password_guessing_is_banned_within_a_second_and_citizens_carry_on():
    attacker, citizen = Client(), Client()
    ip = "203.0.113.77"
    statuses, fired_at = [], None
    for i in range(15):
        response = attacker.post(
            "/dang-nhap/", {"username": f"canbo{i}", "password": "123456"}, REMOTE_ADDR=ip
        )
        statuses.append(response.status_code)
        if fired_at is None and Decision.objects.filter(value=ip).exists():
            fired_at = time.monotonic()
            blocked = attacker.get("/", REMOTE_ADDR=ip)
            assert blocked.status_code == 403
            assert time.monotonic() - fired_at < 1.0
        _citizen_ok(citizen)
    assert statuses[:11] == [401] * 11  # the form re-rendered with an error
    assert set(statuses[11:]) == {403}
    decision = Decision.objects.get(value=ip)
    assert decision.rule == "brute-force" and decision.kind == "ban"
    alert = Alert.objects.get(pk=decision.alert_id)
    assert len(alert.evidence) == 5 and alert.evidence[-1]["outcome"] == "login_failed"


def test_a_scanner_is_banned_and_injections_are_refused():
    scanner, citizen = Client(), Client()
    ip = "203.0.113.78"
    codes = []
    for i in range(45):
        codes.append(
            scanner.get(
                f"/khong-co-{i}.php", REMOTE_ADDR=ip, HTTP_USER_AGENT="Mozilla/5.0"
            ).status_code
        )
    assert codes[0] == 404 and codes[-1] == 403
    assert Decision.objects.filter(value=ip, rule="scan-404").exists()
    _citizen_ok(citizen)

    injector = "203.0.113.79"
    refused = [
        scanner.get(
            "/thu-tuc-hanh-chinh/",
            {"q": "1' union select password from core_user--"},
            REMOTE_ADDR=injector,
        )
        for _ in range(3)
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert Decision.objects.filter(value=injector, rule="web-attack").exists()
    assert (
        scanner.get("/api/v1/ping", REMOTE_ADDR=injector).json()["error"]["code"] == "soc_blocked"
    )
    _citizen_ok(citizen)


def test_the_analyst_sees_the_attack_as_an_incident_with_its_evidence():
    """After a scripted injection attack, the IT administrator's console shows one
    incident for the attacker with the requests that made the rule fire."""
    from django.urls import reverse

    from tinhso.core.choices import Role
    from tinhso.core.models import User
    from tinhso.soc.models import Incident

    attacker = Client()
    ip = "203.0.113.80"
    payload = "1' union select password from core_user--"
    for _ in range(3):
        assert (
            attacker.get("/thu-tuc-hanh-chinh/", {"q": payload}, REMOTE_ADDR=ip).status_code == 403
        )
    incident = Incident.objects.get(key=ip)
    assert incident.status == "open" and incident.rules == ["web-attack"]
    assert incident.severity == "high" and incident.alert_count == 1

    admin = User.objects.create_user(
        username="quantri.attack", password="x-Unused-Pass-123", role=Role.IT_ADMIN
    )
    analyst = Client()
    analyst.force_login(admin)
    listing = analyst.get(reverse("soc:incidents")).content.decode()
    assert reverse("soc:incident", args=[incident.pk]) in listing and ip in listing
    detail = analyst.get(reverse("soc:incident", args=[incident.pk])).content.decode()
    assert "1&#x27; union select password from core_user--" in detail  # decoded, escaped
    assert "<code>1001</code>" in detail  # the inspection rule that matched
    assert "Đang hiệu lực" in detail  # the ban the engine took, shown with the incident
    # Everyone else is still served, the attacker is not.
    _citizen_ok(Client())
    assert attacker.get("/", REMOTE_ADDR=ip).status_code == 403
