"""Reads for the analyst console: always from ``restrict(user, "view")`` (IT administrators)."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote_plus

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tinhso.core.exceptions import NotFound
from tinhso.soc.choices import IncidentStatus
from tinhso.soc.models import Alert, Decision, Incident

# What each stateful rule means, for people (the rule names stay as the engine writes them).
RULE_LABELS = {
    "web-attack": _("Tấn công web lặp lại (yêu cầu chứa mã tấn công)"),
    "brute-force": _("Dò mật khẩu từ một địa chỉ"),
    "credential-stuffing": _("Thử nhiều tài khoản từ một địa chỉ"),
    "user-brute-force": _("Dò mật khẩu một tài khoản"),
    "scan-404": _("Quét đường dẫn (nhiều lỗi 404)"),
    "scan-distinct-paths": _("Quét nhiều đường dẫn khác nhau"),
    "flood-address": _("Gửi dồn dập yêu cầu"),
    "flood-login": _("Gửi dồn dập yêu cầu đăng nhập"),
    "manual": _("Quản trị viên chặn thủ công"),
}

# The states the list offers: "đang xử lý" (open or acknowledged) first.
STATUS_FILTERS = {
    "dang-xu-ly": (
        _("Đang xử lý"),
        Q(status__in=[IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED]),
    ),
    "mo": (_("Đang mở"), Q(status=IncidentStatus.OPEN)),
    "tiep-nhan": (pgettext_lazy("incident", "Đã tiếp nhận"), Q(status=IncidentStatus.ACKNOWLEDGED)),
    "dong": (_("Đã đóng"), Q(status=IncidentStatus.CLOSED)),
    "tat-ca": (_("Tất cả"), Q()),
}

DECISION_STATES = {
    "hieu-luc": _("Đang hiệu lực"),
    "het-han": _("Đã hết hạn"),
    "da-go": _("Đã gỡ"),
    "tat-ca": _("Tất cả"),
}


def rule_label(name: str) -> str:
    return str(RULE_LABELS.get(name, name))


def _day_bounds(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def incidents_for(
    user,
    *,
    status: str = "dang-xu-ly",
    severity: str = "",
    rule: str = "",
    key: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Incident]:
    """Incidents the user may see, filtered; ``date_*`` bound the last-seen day (inclusive)."""
    queryset = Incident.objects.restrict(user, "view")
    queryset = queryset.filter(STATUS_FILTERS.get(status, STATUS_FILTERS["dang-xu-ly"])[1])
    if severity:
        queryset = queryset.filter(severity=severity)
    if rule:
        # JSON list membership, portable across SQLite and PostgreSQL: through the alerts.
        queryset = queryset.filter(alerts__rule=rule).distinct()
    if key:
        queryset = queryset.filter(key__icontains=key.strip())
    if date_from:
        queryset = queryset.filter(last_seen__gte=_day_bounds(date_from))
    if date_to:
        queryset = queryset.filter(last_seen__lt=_day_bounds(date_to + dt.timedelta(days=1)))
    return queryset.select_related("assignee", "acknowledged_by", "closed_by")


def incident_counts(user) -> dict[str, int]:
    """Incidents per state for the list's tabs (one grouped query)."""
    rows = (
        Incident.objects.restrict(user, "view").order_by().values("status").annotate(n=Count("id"))
    )
    by_status = {row["status"]: row["n"] for row in rows}
    return {
        "dang-xu-ly": by_status.get(IncidentStatus.OPEN, 0)
        + by_status.get(IncidentStatus.ACKNOWLEDGED, 0),
        "mo": by_status.get(IncidentStatus.OPEN, 0),
        "tiep-nhan": by_status.get(IncidentStatus.ACKNOWLEDGED, 0),
        "dong": by_status.get(IncidentStatus.CLOSED, 0),
        "tat-ca": sum(by_status.values()),
    }


def incident_rules(user) -> list[str]:
    """The rule names that ever raised an alert (for the filter's choices)."""
    names = Alert.objects.restrict(user, "view").order_by("rule").values_list("rule", flat=True)
    return list(names.distinct()[:200])


def incident_get(user, incident_id: int) -> Incident:
    incident = (
        Incident.objects.restrict(user, "view")
        .select_related("assignee", "acknowledged_by", "closed_by")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise NotFound(_("Không tìm thấy sự cố."), code="soc_incident_not_found")
    return incident


def incident_alerts(user, incident: Incident, *, limit: int = 20) -> list[Alert]:
    """The incident's latest alerts (the page shows 20; the alert list has them all)."""
    return list(
        Alert.objects.restrict(user, "view")
        .filter(incident=incident)
        .order_by("-created_at")[:limit]
    )


def incident_decisions(user, incident: Incident) -> list[Decision]:
    """Decisions taken on the incident's alerts, and any against its key since it began."""
    condition = Q(alert__incident=incident) | Q(
        scope=incident.key_scope, value=incident.key, created_at__gte=incident.first_seen
    )
    return list(Decision.objects.restrict(user, "view").filter(condition).order_by("-created_at"))


def alerts_for(user, *, severity: str = "", rule: str = "", key: str = "") -> QuerySet[Alert]:
    queryset = Alert.objects.restrict(user, "view").select_related("incident")
    if severity:
        queryset = queryset.filter(severity=severity)
    if rule:
        queryset = queryset.filter(rule=rule)
    if key:
        key = key.strip()
        condition = Q(user__icontains=key)
        # An address column on PostgreSQL refuses to compare with anything but an address.
        with contextlib.suppress(ValueError):
            condition |= Q(source_ip=str(ipaddress.ip_address(key)))
        queryset = queryset.filter(condition)
    return queryset


def decisions_for(user, *, state: str = "hieu-luc", key: str = "") -> QuerySet[Decision]:
    now = timezone.now()
    queryset = Decision.objects.restrict(user, "view").select_related("alert")
    if state == "hieu-luc":
        queryset = queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
    elif state == "het-han":
        queryset = queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
    elif state == "da-go":
        queryset = queryset.filter(revoked_at__isnull=False)
    if key:
        queryset = queryset.filter(value__icontains=key.strip())
    return queryset


def decision_get(user, decision_id: int) -> Decision:
    decision = Decision.objects.restrict(user, "view").filter(pk=decision_id).first()
    if decision is None:
        raise NotFound(_("Không tìm thấy quyết định xử lý."), code="soc_decision_not_found")
    return decision


@dataclass(frozen=True)
class EvidenceRow:
    time: dt.datetime | None
    source_ip: str
    user: str
    method: str
    url: str
    url_text: str  # %-decoded, for reading
    status: int | None
    user_agent: str
    outcome: str
    rules: list
    score: int | None


def evidence_rows(alert: Alert) -> list[EvidenceRow]:
    """The alert's evidence events as table rows (whatever their source wrote, tolerated)."""
    rows = []
    for item in alert.evidence if isinstance(alert.evidence, list) else []:
        if not isinstance(item, dict):
            continue
        when = item.get("time")
        try:
            when = dt.datetime.fromisoformat(when) if when else None
            if when is not None and timezone.is_naive(when):
                when = timezone.make_aware(when, dt.UTC)
        except (TypeError, ValueError):
            when = None
        status = item.get("status")
        rows.append(
            EvidenceRow(
                time=when,
                source_ip=str(item.get("source_ip") or ""),
                user=str(item.get("user") or ""),
                method=str(item.get("method") or ""),
                url=str(item.get("url") or ""),
                url_text=unquote_plus(str(item.get("url") or ""), errors="replace"),
                status=status if isinstance(status, int) and status > 0 else None,
                user_agent=str(item.get("user_agent") or ""),
                outcome=str(item.get("outcome") or ""),
                rules=[r for r in item.get("rules") or [] if isinstance(r, int | str)],
                score=item.get("score") if isinstance(item.get("score"), int) else None,
            )
        )
    return rows
