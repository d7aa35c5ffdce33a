"""Incidents: alerts grouped by address or user within a window, the analyst's actions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.models import AuditEvent, User
from tinhso.dossiers.tests.test_concurrency import units_back_afterwards  # noqa: F401
from tinhso.soc import services
from tinhso.soc.choices import IncidentStatus
from tinhso.soc.models import Alert, Decision, Incident

pytestmark = pytest.mark.django_db


def _alert(ip="203.0.113.30", rule="scan-404", severity="medium", user="", **kw):
    key = user if kw.get("scope") == "user" else ip
    return services.alert_create(
        rule=rule,
        severity=severity,
        summary=kw.pop("summary", f"{rule}: {key}"),
        source_ip=ip,
        user=user,
        evidence=kw.pop("evidence", [{"url": "/a", "status": 404, "source_ip": ip}]),
        **kw,
    )


@pytest.fixture
def admin():
    return User.objects.create_user(
        username="quantri.test", password="x-Unused-Pass-123", role=Role.IT_ADMIN
    )


def test_alerts_for_one_address_make_one_incident_with_the_highest_severity():
    first = _alert(rule="scan-404", severity="medium")
    second = _alert(rule="web-attack", severity="high")
    third = _alert(rule="scan-404", severity="low")
    other = _alert(ip="203.0.113.31")
    incident = Incident.objects.get(pk=first.incident_id)
    assert second.incident_id == third.incident_id == incident.pk
    assert other.incident_id != incident.pk
    assert incident.alert_count == 3
    assert incident.severity == "high"  # the max, not the last
    assert incident.rules == ["scan-404", "web-attack"]
    assert incident.key_scope == "ip" and incident.key == "203.0.113.30"
    assert incident.status == IncidentStatus.OPEN
    assert incident.first_seen == first.created_at and incident.last_seen == third.created_at
    assert AuditEvent.objects.filter(
        action="soc.incident_open", object_id=str(incident.pk)
    ).exists()


@override_settings(TINHSO_SOC_INCIDENT_WINDOW_MINUTES=60)
def test_an_alert_after_the_window_opens_a_new_incident_the_old_stays_open():
    first = _alert()
    Incident.objects.filter(pk=first.incident_id).update(
        last_seen=timezone.now() - timedelta(minutes=61)
    )
    later = _alert()
    assert later.incident_id != first.incident_id
    old = Incident.objects.get(pk=first.incident_id)
    assert old.status == IncidentStatus.OPEN and old.open_key is None
    Incident.objects.filter(pk=later.incident_id).update(
        last_seen=timezone.now() - timedelta(minutes=59)
    )
    assert _alert().incident_id == later.incident_id


def test_a_user_rule_groups_by_user_not_by_address():
    # The engine writes "rule: key": the user for a user-scoped rule.
    said = "user-brute-force: nguyenvana"
    a = _alert(ip="203.0.113.40", rule="user-brute-force", user="nguyenvana", summary=said)
    b = _alert(ip="198.51.100.41", rule="user-brute-force", user="nguyenvana", summary=said)
    assert a.incident_id == b.incident_id
    incident = Incident.objects.get(pk=a.incident_id)
    assert (incident.key_scope, incident.key) == ("user", "nguyenvana")
    # The same address guessing passwords is a separate incident, keyed by address.
    c = _alert(ip="203.0.113.40", rule="brute-force", user="nguyenvana", summary="x")
    assert Incident.objects.get(pk=c.incident_id).key == "203.0.113.40"
    d = _alert(ip="203.0.113.40", rule="brute-force", user="other", scope="user")
    assert Incident.objects.get(pk=d.incident_id).key == "other"


def test_evidence_carries_the_inspection_rules_its_urls_match():
    alert = _alert(
        rule="web-attack",
        evidence=[
            {"url": "/tim-kiem?q=1'+union+select+password+from+core_user--", "method": "GET"},
            {"url": "/thu-tuc-hanh-chinh/?q=dang+ky+khai+sinh", "method": "GET"},
            {"url": "/x", "rules": [9999], "score": 7},
        ],
    )
    evidence = Alert.objects.get(pk=alert.pk).evidence
    assert 1001 in evidence[0]["rules"] and evidence[0]["score"] >= 5
    assert evidence[1]["rules"] == [] and evidence[1]["score"] == 0
    assert evidence[2]["rules"] == [9999] and evidence[2]["score"] == 7  # kept as given


def test_acknowledge_then_close_with_a_reason_audited(admin):
    incident = Incident.objects.get(pk=_alert().incident_id)
    services.incident_acknowledge(actor=admin, incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.acknowledged_by == admin and incident.assignee == admin
    assert _alert().incident_id == incident.pk  # an acknowledged incident still collects
    with pytest.raises(ValidationError) as error:
        services.incident_acknowledge(actor=admin, incident_id=incident.pk)
    assert error.value.code == "soc_incident_not_open"

    services.incident_close(
        actor=admin, incident_id=incident.pk, reason="resolved", note="Đã chặn ở tường lửa."
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.open_key is None
    assert (incident.close_reason, incident.close_note) == ("resolved", "Đã chặn ở tường lửa.")
    assert incident.closed_by == admin and incident.closed_at is not None
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(incident.pk), object_type="soc.incident"
        ).values_list("action", flat=True)
    )
    assert {"soc.incident_acknowledge", "soc.incident_close"} <= actions
    # After closing, the next alert for the same address opens a new incident.
    assert _alert().incident_id != incident.pk
    with pytest.raises(ValidationError) as error:
        services.incident_close(actor=admin, incident_id=incident.pk, reason="resolved", note="x")
    assert error.value.code == "soc_incident_closed"


@pytest.mark.parametrize(
    ("reason", "note", "code"),
    [
        ("", "ghi chú", "soc_close_reason_required"),
        ("wrong", "ghi chú", "soc_close_reason_required"),
        ("false_positive", "   ", "soc_close_note_required"),
        ("duplicate", "x" * 2001, "soc_close_note_too_long"),
    ],
)
def test_closing_needs_a_reason_and_a_note(admin, reason, note, code):
    incident = Incident.objects.get(pk=_alert().incident_id)
    with pytest.raises(ValidationError) as error:
        services.incident_close(actor=admin, incident_id=incident.pk, reason=reason, note=note)
    assert error.value.code == code
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_only_it_admins_act_on_incidents(admin):
    incident = Incident.objects.get(pk=_alert().incident_id)
    officer = User.objects.create_user(
        username="motcua.test", password="x-Unused-Pass-123", role=Role.DESK_OFFICER
    )
    for actor in (None, officer):
        with pytest.raises(PermissionDenied):
            services.incident_acknowledge(actor=actor, incident_id=incident.pk)
        with pytest.raises(PermissionDenied):
            services.incident_close(
                actor=actor, incident_id=incident.pk, reason="resolved", note="x"
            )
    with pytest.raises(NotFound):
        services.incident_acknowledge(actor=admin, incident_id=incident.pk + 1000)
    assert Incident.objects.restrict(officer, "view").count() == 0
    assert Incident.objects.restrict(admin, "view").count() == 1


def test_manual_ban_and_revoke(admin, django_capture_on_commit_callbacks):
    incident = Incident.objects.get(pk=_alert().incident_id)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decision_ban_manual(
            actor=admin,
            scope="ip",
            value="203.0.113.30",
            ttl_seconds=3600,
            reason="Quét đường dẫn",
            incident_id=incident.pk,
        )
    assert decision.ttl_seconds == 3600 and decision.rule == "manual"
    assert decision.alert.incident_id == incident.pk
    with pytest.raises(ValidationError) as error:
        services.decision_ban_manual(
            actor=admin, scope="ip", value="203.0.113.30", ttl_seconds=17, reason="x"
        )
    assert error.value.code == "soc_bad_ttl"
    with pytest.raises(ValidationError) as error:
        services.decision_ban_manual(
            actor=admin, scope="ip", value="127.0.0.1", ttl_seconds=3600, reason="x"
        )
    assert error.value.code == "soc_allowlisted"
    with pytest.raises(ValidationError) as error:
        services.decision_ban_manual(
            actor=admin, scope="ip", value="203.0.113.30", ttl_seconds=3600, reason=" "
        )
    assert error.value.code == "soc_ban_reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_revoke(actor=admin, decision=decision)
    with pytest.raises(ValidationError) as error:
        services.decision_revoke(actor=admin, decision=decision)
    assert error.value.code == "soc_decision_not_active"
    assert Decision.objects.get(pk=decision.pk).revoked_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL and real threads")
def test_eight_concurrent_alerts_for_one_address_make_one_incident():
    from tinhso.dossiers.tests.test_concurrency import run_threads

    def work(index):
        return _alert(ip="203.0.113.99", rule="scan-404" if index % 2 else "web-attack").pk

    results, failures = run_threads(8, work)
    assert all(results)
    assert failures == [None] * 8
    assert Incident.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.alert_count == 8
    assert Alert.objects.filter(incident=incident).count() == 8
    assert sorted(incident.rules) == ["scan-404", "web-attack"]
    assert incident.severity == "medium"
