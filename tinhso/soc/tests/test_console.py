"""The analyst console: who sees it, the lists and their filters, the actions (POST, CSRF,
audited), and clear errors."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.core.choices import Role
from tinhso.core.models import AuditEvent, User
from tinhso.soc import services
from tinhso.soc.choices import IncidentStatus
from tinhso.soc.models import Decision, Incident

pytestmark = pytest.mark.django_db


def _user(username, role):
    return User.objects.create_user(username=username, password="x-Unused-Pass-123", role=role)


@pytest.fixture
def admin():
    return _user("quantri.console", Role.IT_ADMIN)


@pytest.fixture
def analyst(admin):
    client = Client()
    client.force_login(admin)
    return client


def _incident(ip="203.0.113.50", rule="web-attack", severity="high", url=None):
    url = url or "/thu-tuc-hanh-chinh/?q=1%27+union+select+password+from+core_user--"
    alert = services.alert_create(
        rule=rule,
        severity=severity,
        summary=f"{rule}: {ip}",
        source_ip=ip,
        evidence=[
            {
                "time": "2026-11-20T08:15:02+07:00",
                "source_ip": ip,
                "method": "GET",
                "url": url,
                "status": 403,
                "user_agent": "sqlmap/1.8",
            }
        ],
    )
    return Incident.objects.get(pk=alert.incident_id)


def test_only_it_admins_see_the_console(client):
    url = reverse("soc:incidents")
    assert client.get(url).status_code == 302  # anonymous: to sign in
    officer = _user("chuyenvien.console", Role.SPECIALIST)
    client.force_login(officer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("soc:decisions")).status_code == 404
    incident = _incident()
    response = client.post(reverse("soc:incident_acknowledge", args=[incident.pk]))
    assert response.status_code == 404
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN
    # Nor in the menu.
    page = client.get(reverse("core:backoffice")).content.decode()
    assert "/quan-tri/an-ninh/" not in page
    citizen = _user("congdan.console", Role.CITIZEN)
    client.force_login(citizen)
    assert client.get(url).status_code == 403


def test_the_menu_and_dashboard_show_the_console_to_it_admins(analyst):
    _incident()
    page = analyst.get(reverse("core:backoffice")).content.decode()
    assert 'href="/quan-tri/an-ninh/"' in page
    assert "sự cố đang mở" in page


def test_list_counts_per_status_and_filters(analyst, admin):
    a = _incident("203.0.113.51", "web-attack", "high")
    b = _incident("203.0.113.52", "scan-404", "medium")
    c = _incident("198.51.100.53", "brute-force", "critical")
    services.incident_close(actor=admin, incident_id=c.pk, reason="resolved", note="Đã chặn.")
    url = reverse("soc:incidents")
    page = analyst.get(url).content.decode()
    assert "203.0.113.51" in page and "203.0.113.52" in page and "198.51.100.53" not in page
    assert "Đang xử lý (2)" in page and "Đã đóng (1)" in page and "Tất cả (3)" in page

    def keys(**params):
        html = analyst.get(url, params).content.decode()
        return set(re.findall(r'class="mono ip">([\d.]+)<', html))

    assert keys(trang_thai="dong") == {"198.51.100.53"}
    assert keys(trang_thai="tat-ca", muc_do="medium") == {"203.0.113.52"}
    assert keys(trang_thai="tat-ca", luat="web-attack") == {"203.0.113.51"}
    assert keys(trang_thai="tat-ca", doi_tuong="198.51") == {"198.51.100.53"}
    assert keys(trang_thai="tat-ca", tu_ngay="2000-01-01", den_ngay="2000-01-02") == set()
    assert len(keys(trang_thai="tat-ca", tu_ngay="2000-01-01")) == 3
    assert a.pk and b.pk


def test_a_bad_filter_is_explained_not_a_500(analyst):
    _incident()
    response = analyst.get(reverse("soc:incidents"), {"tu_ngay": "31/02/2026x", "muc_do": "zzz"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ngày không hợp lệ" in html
    assert "203.0.113.50" in html  # the other filters still apply; the list is shown
    response = analyst.get(
        reverse("soc:incidents"), {"tu_ngay": "2026-02-10", "den_ngay": "2026-02-01"}
    )
    assert "Ngày kết thúc phải sau ngày bắt đầu" in response.content.decode()


def test_the_list_is_paginated(analyst):
    for i in range(30):
        _incident(f"203.0.113.{100 + i}")
    first = analyst.get(reverse("soc:incidents")).content.decode()
    second = analyst.get(reverse("soc:incidents"), {"trang": 2}).content.decode()
    assert first.count('class="mono ip">203.0.113.') == 25
    assert second.count('class="mono ip">203.0.113.') == 5
    assert "Trang 1/2" in first and "trang=2" in first


def test_detail_shows_evidence_and_decisions(analyst, django_capture_on_commit_callbacks):
    incident = _incident()
    alert = incident.alerts.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_create(
            scope="ip", value=incident.key, reason="web-attack: x", rule="web-attack", alert=alert
        )
    html = analyst.get(reverse("soc:incident", args=[incident.pk])).content.decode()
    for text in ("203.0.113.50", "sqlmap/1.8", "403", "union select password", "08:15:02"):
        assert text in html, text
    assert "<code>1001</code>" in html  # the matched inspection rule
    assert "Tấn công web lặp lại" in html  # the rule explained
    assert "Đang hiệu lực" in html and "Gỡ" in html  # the ban, revocable
    assert '<th scope="col">User agent</th>' in html
    assert analyst.get(reverse("soc:incident", args=[incident.pk + 99])).status_code == 404


def test_acknowledge_and_close_from_the_page_audited(analyst, admin):
    incident = _incident()
    url = reverse("soc:incident_acknowledge", args=[incident.pk])
    assert analyst.get(url).status_code == 405
    response = analyst.post(url)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED and incident.assignee == admin
    again = analyst.post(url)
    assert again.status_code == 400 and "Chỉ tiếp nhận được sự cố đang mở" in again.content.decode()

    close = reverse("soc:incident_close", args=[incident.pk])
    response = analyst.post(close, {"reason": "", "note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hãy chọn lý do đóng sự cố." in html and "Hãy ghi rõ" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_reason-error"' in html
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    response = analyst.post(close, {"reason": "false_positive", "note": "Máy quét của Sở."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.close_reason == "false_positive"
    assert AuditEvent.objects.filter(
        action="soc.incident_close", object_id=str(incident.pk), actor_id=admin.pk
    ).exists()


def test_actions_need_csrf(admin):
    incident = _incident()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(reverse("soc:incident_acknowledge", args=[incident.pk]))
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_ban_by_hand_and_revoke(analyst, admin):
    incident = _incident()
    response = analyst.post(
        reverse("soc:ban"),
        {
            "incident": incident.pk,
            "scope": "ip",
            "value": incident.key,
            "ttl_seconds": "14400",
            "reason": "Tấn công SQL",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(value=incident.key)
    assert decision.ttl_seconds == 14400 and decision.alert.incident_id == incident.pk
    assert AuditEvent.objects.filter(action="soc.decision", actor_id=admin.pk).exists()

    bad = analyst.post(
        reverse("soc:ban"),
        {"scope": "ip", "value": "khong-phai-dia-chi", "ttl_seconds": "3600", "reason": "x"},
    )
    assert bad.status_code == 400
    assert "Địa chỉ hoặc dải địa chỉ không hợp lệ." in bad.content.decode()
    bad = analyst.post(
        reverse("soc:ban"), {"scope": "ip", "value": "203.0.113.9", "ttl_seconds": "5"}
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Thời hạn chặn không hợp lệ." in html and "Hãy ghi lý do chặn." in html
    assert Decision.objects.count() == 1

    revoke = reverse("soc:decision_revoke", args=[decision.pk])
    assert analyst.get(revoke).status_code == 405
    response = analyst.post(revoke, {"next": reverse("soc:incident", args=[incident.pk])})
    assert response.status_code == 302
    assert response["Location"] == reverse("soc:incident", args=[incident.pk])
    decision.refresh_from_db()
    assert decision.revoked_at is not None
    again = analyst.post(revoke)
    assert again.status_code == 400 and "đã được gỡ" in again.content.decode()
    evil = analyst.post(
        reverse("soc:ban"),
        {"scope": "ip", "value": "203.0.113.9", "ttl_seconds": "3600", "reason": "x"},
    )
    assert evil.status_code == 302
    d = Decision.objects.get(value="203.0.113.9")
    response = analyst.post(
        reverse("soc:decision_revoke", args=[d.pk]), {"next": "https://example.org/"}
    )
    assert response["Location"] == reverse("soc:decisions")  # no open redirect


def test_alert_and_decision_lists(analyst, django_capture_on_commit_callbacks):
    incident = _incident()
    _incident("198.51.100.60", "scan-404", "medium")
    html = analyst.get(reverse("soc:alerts"), {"luat": "scan-404"}).content.decode()
    assert "198.51.100.60" in html and "203.0.113.50" not in html
    html = analyst.get(reverse("soc:alerts"), {"doi_tuong": "198.51.100.60"}).content.decode()
    assert "198.51.100.60" in html and "203.0.113.50" not in html
    response = analyst.get(reverse("soc:alerts"), {"doi_tuong": "nguyenvana", "muc_do": "zzz"})
    assert response.status_code == 200 and "Không có cảnh báo." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_create(scope="ip", value=incident.key, reason="r", rule="web-attack")
    active = analyst.get(reverse("soc:decisions")).content.decode()
    assert incident.key in active
    revoked = analyst.get(reverse("soc:decisions"), {"trang_thai": "da-go"}).content.decode()
    assert incident.key not in revoked.split("<tbody>")[1]


def test_console_in_english(analyst):
    incident = _incident()
    analyst.cookies["django_language"] = "en"
    html = analyst.get(reverse("soc:incident", args=[incident.pk])).content.decode()
    assert "Close the incident" in html or "Close incident" in html


def test_the_demo_fills_the_console_once(analyst, admin, django_capture_on_commit_callbacks):
    from tinhso.soc.demo import soc_demo_seed

    with django_capture_on_commit_callbacks(execute=True):
        made = soc_demo_seed()
    assert made == 4 and soc_demo_seed() == 0
    keys = set(Incident.objects.values_list("key", flat=True))
    assert keys == {"203.0.113.45", "198.51.100.23", "203.0.113.66", "198.51.100.80"}
    injector = Incident.objects.get(key="203.0.113.66")
    assert injector.alert_count == 2 and injector.severity == "critical"
    assert Incident.objects.get(key="198.51.100.80").status == IncidentStatus.CLOSED
    assert Decision.objects.filter(value="198.51.100.23", rule="brute-force").exists()
    html = analyst.get(reverse("soc:incident", args=[injector.pk])).content.decode()
    assert "<code>1001</code>" in html and "pg_sleep" in html


def test_a_long_incident_shows_its_latest_alerts_and_links_to_all(analyst):
    for _ in range(23):
        incident = _incident("203.0.113.77")
    html = analyst.get(reverse("soc:incident", args=[incident.pk])).content.decode()
    assert "Cảnh báo và bằng chứng (23)" in html
    assert html.count('class="alert-block"') == 20
    assert "Đang hiện 20 cảnh báo gần nhất" in html and "doi_tuong=203.0.113.77" in html
