"""The incidents API (/api/v1/soc/incidents): IT administrators only, the same filters."""

import pytest

from tinhso.core.auth import api_token_issue
from tinhso.core.choices import Role
from tinhso.core.models import User
from tinhso.soc import services

pytestmark = pytest.mark.django_db


def _bearer(role, username):
    user = User.objects.create_user(username=username, password="x-Unused-Pass-123", role=role)
    _token, key = api_token_issue(user=user)
    return user, {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _alert(ip, rule="scan-404", severity="medium"):
    return services.alert_create(
        rule=rule,
        severity=severity,
        summary=f"{rule}: {ip}",
        source_ip=ip,
        evidence=[{"url": "/.env?x=%3Cscript%3E", "status": 404, "source_ip": ip}],
    )


def test_it_admins_list_and_read_incidents(client):
    admin, auth = _bearer(Role.IT_ADMIN, "quantri.api")
    first = _alert("203.0.113.90")
    _alert("203.0.113.90", rule="web-attack", severity="high")
    _alert("198.51.100.91")
    services.incident_close(
        actor=admin, incident_id=first.incident_id, reason="duplicate", note="Trùng #2."
    )
    body = client.get("/api/v1/soc/incidents", **auth).json()
    assert body["count"] == 1 and body["results"][0]["key"] == "198.51.100.91"
    body = client.get("/api/v1/soc/incidents?status=tat-ca&severity=high", **auth).json()
    assert [r["key"] for r in body["results"]] == ["203.0.113.90"]
    assert body["results"][0]["close_reason"] == "duplicate"
    detail = client.get(f"/api/v1/soc/incidents/{first.incident_id}", **auth).json()
    assert detail["alert_count"] == 2 and sorted(detail["rules"]) == ["scan-404", "web-attack"]
    evidence = detail["alerts"][0]["evidence"][0]
    assert evidence["url"] == "/.env?x=%3Cscript%3E" and 2001 in evidence["rules"]


def test_others_see_nothing_and_bad_filters_are_refused(client):
    _, officer = _bearer(Role.LEADER, "lanhdao.api")
    alert = _alert("203.0.113.92")
    assert client.get("/api/v1/soc/incidents", **officer).json()["count"] == 0
    response = client.get(f"/api/v1/soc/incidents/{alert.incident_id}", **officer)
    assert response.status_code == 404
    assert client.get("/api/v1/soc/incidents").status_code == 401
    _, auth = _bearer(Role.IT_ADMIN, "quantri.api2")
    response = client.get("/api/v1/soc/incidents?status=zzz", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "soc_bad_filter"
