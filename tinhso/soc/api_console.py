"""Incidents over HTTP (mounted at ``/api/v1/soc/``): the console's list and detail, read only.

Scoped like the pages: IT administrators see every incident, other users an empty
list and 404 on a detail (docs/soc.md, "The console").
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema

from tinhso.core.auth import api_auth
from tinhso.core.exceptions import ValidationError
from tinhso.soc import selectors
from tinhso.soc.choices import Severity
from tinhso.soc.models import Incident

router = Router(tags=["soc"])
PAGE_SIZE = 50


class IncidentOut(Schema):
    id: int
    title: str
    severity: str
    status: str
    key_scope: str
    key: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    alert_count: int
    rules: list[str]
    assignee: str | None
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    close_note: str


class IncidentPage(Schema):
    count: int
    page: int
    results: list[IncidentOut]


class EvidenceOut(Schema):
    time: dt.datetime | None
    source_ip: str
    user: str
    method: str
    url: str
    status: int | None
    user_agent: str
    outcome: str
    rules: list[int | str]
    score: int | None


class AlertOut(Schema):
    id: int
    rule: str
    severity: str
    source_ip: str | None
    user: str
    summary: str
    created_at: dt.datetime
    evidence: list[EvidenceOut]


class DecisionOut(Schema):
    id: int
    scope: str
    value: str
    kind: str
    reason: str
    rule: str
    offence: int
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool


class IncidentDetailOut(IncidentOut):
    alerts: list[AlertOut]
    decisions: list[DecisionOut]


class IncidentsIn(Schema):
    status: str = "dang-xu-ly"
    severity: str = ""
    rule: str = ""
    key: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1


def _incident(incident: Incident) -> dict:
    assignee = incident.assignee
    return {
        "id": incident.pk,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "key_scope": incident.key_scope,
        "key": incident.key,
        "first_seen": incident.first_seen,
        "last_seen": incident.last_seen,
        "alert_count": incident.alert_count,
        "rules": list(incident.rules),
        "assignee": assignee.username if assignee else None,
        "acknowledged_at": incident.acknowledged_at,
        "closed_at": incident.closed_at,
        "close_reason": incident.close_reason,
        "close_note": incident.close_note,
    }


@router.get("/incidents", response=IncidentPage, auth=api_auth, summary="Danh sách sự cố an ninh")
def incident_list(request, params: Query[IncidentsIn]):
    if params.status not in selectors.STATUS_FILTERS:
        raise ValidationError(
            _("Trạng thái lọc không hợp lệ."),
            code="soc_bad_filter",
            details={"status": list(selectors.STATUS_FILTERS)},
        )
    if params.severity and params.severity not in Severity.values:
        raise ValidationError(
            _("Mức độ lọc không hợp lệ."),
            code="soc_bad_filter",
            details={"severity": list(Severity.values)},
        )
    queryset = selectors.incidents_for(
        request.auth,
        status=params.status,
        severity=params.severity,
        rule=params.rule[:64],
        key=params.key[:150],
        date_from=params.date_from,
        date_to=params.date_to,
    )
    page = max(params.page, 1)
    rows = list(queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"count": queryset.count(), "page": page, "results": [_incident(i) for i in rows]}


@router.get(
    "/incidents/{incident_id}",
    response=IncidentDetailOut,
    auth=api_auth,
    summary="Chi tiết sự cố an ninh, kèm cảnh báo, bằng chứng và quyết định xử lý",
)
def incident_detail(request, incident_id: int):
    user = request.auth
    incident = selectors.incident_get(user, incident_id)
    alerts = selectors.incident_alerts(user, incident)
    return {
        **_incident(incident),
        "alerts": [
            {
                "id": a.pk,
                "rule": a.rule,
                "severity": a.severity,
                "source_ip": a.source_ip,
                "user": a.user,
                "summary": a.summary,
                "created_at": a.created_at,
                "evidence": [
                    {
                        "time": e.time,
                        "source_ip": e.source_ip,
                        "user": e.user,
                        "method": e.method,
                        "url": e.url,
                        "status": e.status,
                        "user_agent": e.user_agent,
                        "outcome": e.outcome,
                        "rules": e.rules,
                        "score": e.score,
                    }
                    for e in selectors.evidence_rows(a)
                ],
            }
            for a in alerts
        ],
        "decisions": [
            {
                "id": d.pk,
                "scope": d.scope,
                "value": d.value,
                "kind": d.kind,
                "reason": d.reason,
                "rule": d.rule,
                "offence": d.offence,
                "created_at": d.created_at,
                "expires_at": d.expires_at,
                "revoked_at": d.revoked_at,
                "active": d.is_active,
            }
            for d in selectors.incident_decisions(user, incident)
        ],
    }
