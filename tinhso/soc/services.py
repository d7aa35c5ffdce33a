"""Writing alerts and decisions; every decision says why (reason, rule, evidence)."""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.soc import conf
from tinhso.soc.choices import CloseReason, DecisionKind, IncidentStatus, Scope, Severity
from tinhso.soc.models import SEVERITY_RANK, Alert, Decision, Incident

log = logging.getLogger(__name__)
STAMP_KEY = "tinhso:soc:decisions:stamp"


def _check_actor(actor) -> None:
    from tinhso.core.choices import Role

    if actor is not None and getattr(actor, "role", None) != Role.IT_ADMIN:
        raise PermissionDenied()


def _normalise(scope: str, value: str) -> str:
    try:
        if scope == Scope.IP:
            return str(ipaddress.ip_address(value))
        if scope == Scope.RANGE:
            return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        raise ValidationError(
            _("Địa chỉ hoặc dải địa chỉ không hợp lệ."), code="soc_bad_scope"
        ) from None
    if scope == Scope.USER and value:
        return value[:150]
    raise ValidationError(_("Địa chỉ hoặc dải địa chỉ không hợp lệ."), code="soc_bad_scope")


def ban_seconds(*, offence: int) -> int:
    """Escalation: the base ban times the factor for each earlier offence, capped."""
    base = conf.get("TINHSO_SOC_BAN_SECONDS")
    factor = conf.get("TINHSO_SOC_ESCALATION_FACTOR")
    return int(min(base * factor ** max(0, offence - 1), conf.get("TINHSO_SOC_BAN_MAX_SECONDS")))


def alert_create(
    *,
    actor=None,
    rule: str,
    severity: str,
    summary: str,
    source_ip: str = "",
    user: str = "",
    evidence: list | None = None,
    scope: str = "",
) -> Alert:
    """Store an alert and file it under its incident, in one transaction.

    ``scope`` ("ip" or "user") says what the rule watched; without it, a summary naming
    the user (``"rule: user"``, as the engine writes it) means the user, else the address.
    A new incident, or one whose severity rises, queues its notices in the same
    transaction; they are delivered after it (``tinhso.soc.notify``), never here.
    """
    severity = severity if severity in Severity.values else Severity.MEDIUM
    evidence = _with_inspection(evidence or [])
    alert = Alert(
        rule=rule[:64],
        severity=severity,
        source_ip=source_ip or None,
        user=user[:150],
        summary=summary[:255],
        evidence=evidence,
    )
    key_scope, key = _incident_key(
        scope=scope, rule=rule, summary=summary, source_ip=source_ip, user=user
    )
    with transaction.atomic():
        change = ""
        if key:  # the incident first, so the alert is written once, already filed
            alert.incident, change = _incident_file(alert=alert, key_scope=key_scope, key=key)
        alert.save(force_insert=True)
        audit_record(
            actor=actor,
            action="soc.alert",
            obj=alert,
            changes={"rule": rule, "source_ip": source_ip, "incident": alert.incident_id},
        )
        if change:
            from tinhso.soc.notify import notices_queue

            notices_queue(incident=alert.incident, alert=alert, change=change)
    return alert


def _with_inspection(evidence: list) -> list:
    """Each evidence event with the inspection rules its URL and user agent match.

    Alerts are rare (a bucket overflowing), so inspecting their few events again costs
    nothing on the hot path; an event already carrying ``rules`` keeps them.
    """
    from tinhso.soc.inspection import Inspector

    inspector = None
    rows = []
    for item in evidence[:50]:
        if isinstance(item, dict) and item.get("url") and "rules" not in item:
            if inspector is None:
                inspector = Inspector(
                    paranoia=conf.get("TINHSO_SOC_PARANOIA"),
                    threshold=conf.get("TINHSO_SOC_INBOUND_THRESHOLD"),
                )
            verdict = inspector.inspect(
                url=str(item.get("url", "")),
                user_agent=str(item.get("user_agent", "")),
                method=str(item.get("method", "") or "GET"),
            )
            item = {**item, "rules": verdict.rule_ids, "score": verdict.score}
        rows.append(item)
    return rows


def _incident_key(
    *, scope: str, rule: str, summary: str, source_ip: str, user: str
) -> tuple[str, str]:
    if scope not in (Scope.IP, Scope.USER):
        named_user = user and summary == f"{rule}: {user}" and user != source_ip
        scope = Scope.USER if named_user or not source_ip else Scope.IP
    if scope == Scope.USER:
        return Scope.USER, user[:150]
    return Scope.IP, source_ip or ""


def _incident_file(*, alert: Alert, key_scope: str, key: str) -> tuple[Incident, str]:
    """The incident collecting for this key, joined (row locked) or opened.

    Returns the incident and what changed for the notices: ``"new"``, ``"escalated"``
    (its severity rose) or ``""``. Two alerts racing for a key both try to insert; the
    unique ``open_key`` lets one win and the other, retrying, joins it.
    """
    open_key = f"{key_scope}:{key}"[:160]
    window = timedelta(minutes=conf.get("TINHSO_SOC_INCIDENT_WINDOW_MINUTES"))
    now = alert.created_at
    for _attempt in range(5):
        incident = Incident.objects.select_for_update().filter(open_key=open_key).first()
        if incident is not None and incident.last_seen >= now - window:
            return incident, _incident_join(incident, alert)
        try:
            with transaction.atomic():  # a savepoint around the insert only
                if incident is not None:  # quiet for too long: it stops collecting
                    incident.open_key = None
                    incident.save(update_fields=["open_key"])
                incident = Incident.objects.create(
                    title=f"{alert.rule}: {key}"[:255],
                    severity=alert.severity,
                    key_scope=key_scope,
                    key=key,
                    open_key=open_key,
                    first_seen=now,
                    last_seen=now,
                    alert_count=1,
                    rules=[alert.rule],
                )
        except IntegrityError:
            continue  # another alert opened it meanwhile: join it
        audit_record(
            actor=None,
            action="soc.incident_open",
            obj=incident,
            changes={"key": key, "rule": alert.rule, "severity": alert.severity},
        )
        return incident, "new"
    raise Conflict(code="soc_incident_busy")


def _incident_join(incident: Incident, alert: Alert) -> str:
    escalated = SEVERITY_RANK.get(alert.severity, 0) > incident.severity_rank
    fields = ["alert_count", "last_seen"]
    incident.alert_count += 1
    incident.last_seen = max(incident.last_seen, alert.created_at)
    if escalated:
        incident.severity = alert.severity
        fields.append("severity")
    if alert.rule not in incident.rules:
        incident.rules = [*incident.rules, alert.rule][:50]
        fields.append("rules")
    incident.save(update_fields=fields)
    return "escalated" if escalated else ""


def decision_create(
    *,
    actor=None,
    scope: str,
    value: str,
    kind: str = DecisionKind.BAN,
    reason: str,
    rule: str = "",
    evidence: list | None = None,
    alert: Alert | None = None,
    ttl_seconds: int | None = None,
) -> Decision | None:
    """Ban / rate-limit / challenge a scope. Repeat offenders get longer bans.

    Returns None for an allowlisted address or range (nothing is decided against it).
    """
    _check_actor(actor)
    value = _normalise(scope, value)
    if kind not in DecisionKind.values:
        raise ValidationError(code="soc_bad_kind")
    if scope == Scope.IP and conf.allowlisted(value):
        return None
    if scope == Scope.RANGE and conf.allowlisted(value.split("/")[0]):
        return None
    now = timezone.now()
    window = now - timedelta(days=conf.get("TINHSO_SOC_ESCALATION_WINDOW_DAYS"))
    with transaction.atomic():
        earlier = Decision.objects.filter(scope=scope, value=value, created_at__gte=window).count()
        offence = earlier + 1
        ttl = ttl_seconds or ban_seconds(offence=offence)
        decision = Decision.objects.create(
            scope=scope,
            value=value,
            kind=kind,
            reason=str(reason)[:255],
            rule=rule[:64],
            evidence=evidence or [],
            alert=alert,
            ttl_seconds=ttl,
            offence=offence,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
        audit_record(
            actor=actor,
            action="soc.decision",
            obj=decision,
            changes={"scope": scope, "value": value, "kind": kind, "ttl": ttl, "rule": rule},
        )
        transaction.on_commit(lambda: _published(decision))
    return decision


def decision_revoke(*, actor, decision: Decision) -> Decision:
    _check_actor(actor)
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if not decision.is_active:
            raise ValidationError(
                _("Quyết định này đã hết hạn hoặc đã được gỡ."), code="soc_decision_not_active"
            )
        decision.revoked_at = timezone.now()
        decision.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="soc.decision_revoke", obj=decision)
        transaction.on_commit(lambda: _published(None))
    return decision


# --- the analyst's actions on incidents (docs/soc.md, "Incidents") -----------------------


def _require_admin(actor) -> None:
    from tinhso.core.choices import Role

    if actor is None or getattr(actor, "role", None) != Role.IT_ADMIN:
        raise PermissionDenied()


def _locked_incident(incident_id: int) -> Incident:
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(_("Không tìm thấy sự cố."), code="soc_incident_not_found")
    return incident


def incident_acknowledge(*, actor, incident_id: int) -> Incident:
    """The analyst takes the incident: acknowledged, and theirs when nobody had it."""
    _require_admin(actor)
    with transaction.atomic():
        incident = _locked_incident(incident_id)
        if incident.status != IncidentStatus.OPEN:
            raise ValidationError(
                _("Chỉ tiếp nhận được sự cố đang mở."), code="soc_incident_not_open"
            )
        incident.status = IncidentStatus.ACKNOWLEDGED
        incident.acknowledged_by = actor
        incident.acknowledged_at = timezone.now()
        fields = ["status", "acknowledged_by", "acknowledged_at"]
        if incident.assignee_id is None:
            incident.assignee = actor
            fields.append("assignee")
        incident.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="soc.incident_acknowledge",
            obj=incident,
            changes={"status": [IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED]},
        )
    return incident


def incident_close(*, actor, incident_id: int, reason: str, note: str) -> Incident:
    """Close with a reason (false positive, resolved, duplicate, accepted risk) and a note.

    A closed incident collects no more alerts: the next alert for its key opens a new one.
    """
    _require_admin(actor)
    note = (note or "").strip()
    if reason not in CloseReason.values:
        raise ValidationError(_("Hãy chọn lý do đóng sự cố."), code="soc_close_reason_required")
    if not note:
        raise ValidationError(
            _("Hãy ghi rõ đã xác minh hoặc xử lý thế nào."), code="soc_close_note_required"
        )
    if len(note) > 2000:
        raise ValidationError(_("Ghi chú dài quá 2.000 ký tự."), code="soc_close_note_too_long")
    with transaction.atomic():
        incident = _locked_incident(incident_id)
        if incident.status == IncidentStatus.CLOSED:
            raise ValidationError(_("Sự cố này đã được đóng."), code="soc_incident_closed")
        before = incident.status
        incident.status = IncidentStatus.CLOSED
        incident.open_key = None
        incident.closed_by = actor
        incident.closed_at = timezone.now()
        incident.close_reason = reason
        incident.close_note = note
        incident.save(
            update_fields=[
                "status",
                "open_key",
                "closed_by",
                "closed_at",
                "close_reason",
                "close_note",
            ]
        )
        audit_record(
            actor=actor,
            action="soc.incident_close",
            obj=incident,
            changes={"status": [before, IncidentStatus.CLOSED], "reason": reason, "note": note},
        )
    return incident


MANUAL_BAN_SECONDS = (15 * 60, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600)


def decision_ban_manual(
    *, actor, scope: str, value: str, ttl_seconds: int, reason: str, incident_id: int | None = None
) -> Decision:
    """An IT administrator bans an address, a range or a user for a chosen time.

    From an incident, the ban is tied to the incident's latest alert so it shows there.
    """
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Hãy ghi lý do chặn."), code="soc_ban_reason_required")
    if ttl_seconds not in MANUAL_BAN_SECONDS:
        raise ValidationError(_("Thời hạn chặn không hợp lệ."), code="soc_bad_ttl")
    if scope not in Scope.values:
        raise ValidationError(_("Địa chỉ hoặc dải địa chỉ không hợp lệ."), code="soc_bad_scope")
    alert = None
    if incident_id is not None:
        incident = Incident.objects.filter(pk=incident_id).first()
        if incident is None:
            raise NotFound(_("Không tìm thấy sự cố."), code="soc_incident_not_found")
        alert = incident.alerts.order_by("-created_at").first()
    decision = decision_create(
        actor=actor,
        scope=scope,
        value=value,
        kind=DecisionKind.BAN,
        reason=reason[:255],
        rule="manual",
        alert=alert,
        ttl_seconds=ttl_seconds,
    )
    if decision is None:
        raise ValidationError(
            _("Địa chỉ này nằm trong danh sách không bao giờ chặn (allowlist hoặc proxy tin cậy)."),
            code="soc_allowlisted",
        )
    return decision


def _published(decision: Decision | None) -> None:
    """Tell this process at once and the others within a refresh interval."""
    from tinhso.soc.enforcement import DECISIONS

    try:
        cache.set(STAMP_KEY, timezone.now().timestamp(), None)
    except Exception:  # the cache being down must not lose the decision
        log.warning("soc: could not publish the decision stamp", exc_info=True)
    if decision is not None:
        DECISIONS.add(decision)
    else:
        DECISIONS.invalidate()
