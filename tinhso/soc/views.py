"""The analyst console under /quan-tri/an-ninh/ (IT administrators; docs/soc.md "Console").

- incidents: filtered by state, severity, rule, address or user and last-seen dates,
  paged, with the count per state;
- an incident: its alerts with their evidence events, the decisions taken, and the
  actions (acknowledge, close with a reason, revoke a decision, ban for a while);
- alerts, and decisions (active, expired, revoked) with revoke.

Anonymous users are sent to sign in, citizens get 403, officials who are not IT
administrators 404 (the console does not exist for them). Actions are POST only with
CSRF; each calls one service, which checks the role again and writes the audit event.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound, TinhsoError
from tinhso.core.responses import error_response
from tinhso.core.views import _backoffice_nav, official_required
from tinhso.soc import selectors, services
from tinhso.soc.choices import IncidentStatus, Scope, Severity
from tinhso.soc.forms import BanForm, CloseForm, IncidentFilterForm

SECTION = "an-ninh"
PAGE_SIZE = 25


def analyst_required(view):
    """IT administrators only; other officials get 404, as if the console did not exist."""

    @official_required
    def wrapper(request, *args, **kwargs):
        if getattr(request.user, "role", None) != Role.IT_ADMIN:
            return error_response(request, NotFound())
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return never_cache(wrapper)


def _ctx(current: str, **extra) -> dict:
    return {"backoffice_nav": _backoffice_nav(SECTION), "soc_tab": current, **extra}


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    return paginator.get_page(request.GET.get("trang"))


def _query_without_page(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "trang" and v])


@analyst_required
def incidents_page(request):
    user = request.user
    rules = selectors.incident_rules(user)
    form = IncidentFilterForm(request.GET or None, rules=rules)
    if form.is_bound:
        form.is_valid()
    filters = form.filters() if form.is_bound else IncidentFilterForm(rules=rules).initial
    filters = {"status": "dang-xu-ly", **filters}
    queryset = selectors.incidents_for(user, **filters)
    page = _page(request, queryset)
    for incident in page:
        incident.label = selectors.rule_label(incident.rules[0] if incident.rules else "")
    counts = selectors.incident_counts(user)
    tabs = [
        {
            "slug": slug,
            "label": label,
            "count": counts.get(slug, 0),
            "current": slug == filters["status"],
            "href": "?" + urlencode({"trang_thai": slug}),
        }
        for slug, (label, _q) in selectors.STATUS_FILTERS.items()
    ]
    return render(
        request,
        "soc/incidents.html",
        _ctx(
            "incidents",
            form=form,
            page=page,
            tabs=tabs,
            base=_query_without_page(request),
            rule_labels={r: selectors.rule_label(r) for r in rules},
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


def _incident_context(request, incident, *, close_form=None, ban_form=None) -> dict:
    user = request.user
    alerts = selectors.incident_alerts(user, incident)
    for alert in alerts:
        alert.rows = selectors.evidence_rows(alert)
        alert.rule_label = selectors.rule_label(alert.rule)
    decisions = selectors.incident_decisions(user, incident)
    incident.label = selectors.rule_label(incident.rules[0] if incident.rules else "")
    if ban_form is None:
        ban_form = BanForm(
            initial={
                "scope": incident.key_scope,
                "value": incident.key,
                "ttl_seconds": 3600,
                "reason": _("Sự cố #%(id)s: %(title)s")
                % {"id": incident.pk, "title": incident.title},
            }
        )
    return _ctx(
        "incidents",
        incident=incident,
        alerts=alerts,
        decisions=decisions,
        close_form=close_form or CloseForm(),
        ban_form=ban_form,
        rule_labels=[(r, selectors.rule_label(r)) for r in incident.rules],
        is_closed=incident.status == IncidentStatus.CLOSED,
        is_open=incident.status == IncidentStatus.OPEN,
        next_url=request.path,
    )


@analyst_required
def incident_page(request, incident_id: int):
    try:
        incident = selectors.incident_get(request.user, incident_id)
    except TinhsoError as error:
        return error_response(request, error)
    return render(request, "soc/incident.html", _incident_context(request, incident))


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@analyst_required
def incident_acknowledge(request, incident_id: int):
    if refused := _post_only(request):
        return refused
    try:
        incident = services.incident_acknowledge(actor=request.user, incident_id=incident_id)
    except TinhsoError as error:
        return error_response(request, error)
    messages.success(request, _("Đã tiếp nhận sự cố #%(id)s.") % {"id": incident.pk})
    return redirect("soc:incident", incident.pk)


@analyst_required
def incident_close(request, incident_id: int):
    if refused := _post_only(request):
        return refused
    try:
        incident = selectors.incident_get(request.user, incident_id)
    except TinhsoError as error:
        return error_response(request, error)
    form = CloseForm(request.POST)
    if not form.is_valid():
        context = _incident_context(request, incident, close_form=form)
        return render(request, "soc/incident.html", context, status=400)
    try:
        services.incident_close(
            actor=request.user,
            incident_id=incident.pk,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except TinhsoError as error:
        return error_response(request, error)
    messages.success(request, _("Đã đóng sự cố #%(id)s.") % {"id": incident.pk})
    return redirect("soc:incident", incident.pk)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    prefix = reverse("soc:incidents")
    return target if target.startswith(prefix) and "//" not in target else default


@analyst_required
def decision_revoke(request, decision_id: int):
    if refused := _post_only(request):
        return refused
    try:
        decision = selectors.decision_get(request.user, decision_id)
        services.decision_revoke(actor=request.user, decision=decision)
    except TinhsoError as error:
        return error_response(request, error)
    messages.success(
        request, _("Đã gỡ quyết định xử lý đối với %(value)s.") % {"value": decision.value}
    )
    return redirect(_back(request, reverse("soc:decisions")))


@analyst_required
def ban(request):
    """POST: ban by hand for a chosen time, from an incident's page or the decisions page."""
    if refused := _post_only(request):
        return refused
    incident = None
    incident_id = request.POST.get("incident")
    if incident_id:
        try:
            incident = selectors.incident_get(request.user, int(incident_id))
        except (TinhsoError, ValueError):
            return error_response(
                request, NotFound(_("Không tìm thấy sự cố."), code="soc_incident_not_found")
            )
    form = BanForm(request.POST)
    error = None
    if form.is_valid():
        try:
            decision = services.decision_ban_manual(
                actor=request.user,
                scope=form.cleaned_data["scope"],
                value=form.cleaned_data["value"],
                ttl_seconds=form.cleaned_data["ttl_seconds"],
                reason=form.cleaned_data["reason"],
                incident_id=incident.pk if incident else None,
            )
        except TinhsoError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Đã chặn %(value)s đến %(until)s.")
                % {
                    "value": decision.value,
                    "until": decision.expires_at.strftime("%d/%m/%Y %H:%M"),
                },
            )
            if incident:
                return redirect("soc:incident", incident.pk)
            return redirect("soc:decisions")
    if error is not None:
        form.add_error(
            "value" if error.code != "soc_bad_ttl" else "ttl_seconds", str(error.message)
        )
    if incident:
        context = _incident_context(request, incident, ban_form=form)
        return render(request, "soc/incident.html", context, status=400)
    return _decisions_render(request, ban_form=form, status=400)


@analyst_required
def alerts_page(request):
    severity = request.GET.get("muc_do", "")
    rule = request.GET.get("luat", "")
    key = request.GET.get("doi_tuong", "")[:150]
    queryset = selectors.alerts_for(
        request.user,
        severity=severity if severity in Severity.values else "",
        rule=rule[:64],
        key=key,
    )
    page = _page(request, queryset)
    for alert in page:
        alert.rule_label = selectors.rule_label(alert.rule)
    return render(
        request,
        "soc/alerts.html",
        _ctx(
            "alerts",
            page=page,
            severities=Severity.choices,
            severity=severity,
            rules=selectors.incident_rules(request.user),
            rule=rule,
            key=key,
            base=_query_without_page(request),
        ),
    )


def _decisions_render(request, *, ban_form=None, status=200):
    state = request.GET.get("trang_thai", "hieu-luc")
    if state not in selectors.DECISION_STATES:
        state = "hieu-luc"
    key = request.GET.get("doi_tuong", "")[:150]
    page = _page(request, selectors.decisions_for(request.user, state=state, key=key))
    return render(
        request,
        "soc/decisions.html",
        _ctx(
            "decisions",
            page=page,
            states=list(selectors.DECISION_STATES.items()),
            state=state,
            key=key,
            base=_query_without_page(request),
            ban_form=ban_form or BanForm(initial={"scope": Scope.IP, "ttl_seconds": 3600}),
            next_url=request.get_full_path(),
        ),
        status=status,
    )


@analyst_required
def decisions_page(request):
    return _decisions_render(request)
