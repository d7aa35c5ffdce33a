"""Writing alerts and decisions; every decision says why (reason, rule, evidence)."""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.soc import conf
from tinhso.soc.choices import DecisionKind, Scope, Severity
from tinhso.soc.models import Alert, Decision

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
) -> Alert:
    with transaction.atomic():
        alert = Alert.objects.create(
            rule=rule[:64],
            severity=severity if severity in Severity.values else Severity.MEDIUM,
            source_ip=source_ip or None,
            user=user[:150],
            summary=summary[:255],
            evidence=evidence or [],
        )
        audit_record(
            actor=actor,
            action="soc.alert",
            obj=alert,
            changes={"rule": rule, "source_ip": source_ip},
        )
    return alert


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
        decision.revoked_at = timezone.now()
        decision.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="soc.decision_revoke", obj=decision)
        transaction.on_commit(lambda: _published(None))
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
