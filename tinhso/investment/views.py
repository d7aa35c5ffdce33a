"""Public-investment pages under /quan-tri/dau-tu/ (docs/investment.md, "Pages").

- the overview: the province's (or a commune's, or an owner's) picture for a
  plan year, both rates, the gap to the month's target, the S-curve, projects
  behind schedule, rankings of owners and units, filters, links to projects;
- a project: identity, owners over time, decisions, total investment, plan
  lines, disbursements (paged), progress with photos, contracts, obstacles,
  alerts;
- the owner's daily update (phone first): a disbursement and/or physical
  progress with a photo, checked against the version the page was drawn with;
- alerts: by kind and severity, acknowledged with a note.

Views parse the request, call one selector or service and render; the rules
live in ``services``, ``daily`` and ``selectors.measures``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tinhso.core.exceptions import NotFound, TinhsoError
from tinhso.core.files import file_response
from tinhso.core.responses import error_response
from tinhso.core.views import _backoffice_nav, official_required
from tinhso.investment import errors, selectors, services
from tinhso.investment.charts import s_curve
from tinhso.investment.choices import (
    AlertKind,
    AlertSeverity,
    DisbursementKind,
    DisbursementStatus,
    FundingSource,
    PlanKind,
    PlanLineKind,
    ProjectTier,
)
from tinhso.investment.daily import daily_update_record
from tinhso.investment.models import (
    Alert,
    BidPackage,
    Contract,
    Disbursement,
    Obstacle,
    PlanLine,
    ProgressSnapshot,
    Project,
    ProjectDecision,
    ProjectOwnership,
    TotalInvestmentVersion,
)
from tinhso.investment.rules import default_deadline
from tinhso.investment.selectors import measures as m
from tinhso.investment.templatetags.investment_format import dong

SECTION = "dau-tu"
PAGE_SIZE = 50
DISBURSEMENTS_PAGE = 25
SORTS = {"ty-le": "rate", "ty-le-ttg": "rate_pm", "ke-hoach": "plan", "giai-ngan": "disbursed"}


def _today() -> dt.date:
    return timezone.localdate()


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _page_number(request) -> int:
    return max(_int(request.GET.get("trang"), 1), 1)


def _plan_year(request) -> int:
    """The plan year asked (``nam``); by default this year, or last year during January."""
    today = _today()
    default = today.year - 1 if today.month == 1 else today.year
    year = _int(request.GET.get("nam"), default)
    return year if 2000 <= year <= today.year + 1 else default


def _as_of(year: int) -> dt.date:
    return min(_today(), default_deadline(year))


def _ctx(**extra) -> dict:
    return {"backoffice_nav": _backoffice_nav(SECTION), **extra}


def _sort(rows: list, key: str) -> tuple[list, str]:
    """Rows of a ranking sorted by ``key`` (``ty-le``, ``-giai-ngan`` ...): slowest first by default."""
    descending = key.startswith("-")
    field = SORTS.get(key.lstrip("-"))
    if field is None:
        return rows, "ty-le"
    present = [r for r in rows if getattr(r, field) is not None]
    missing = [r for r in rows if getattr(r, field) is None]
    present.sort(key=lambda r: getattr(r, field), reverse=descending)
    return present + missing, key


def _sort_headers(current: str, param: str, query: dict, anchor: str) -> dict[str, dict]:
    """For each sortable column: the link that sorts by it (again: the other way) and aria-sort."""
    headers = {}
    for key in SORTS:
        active = current.lstrip("-") == key
        descending = current.startswith("-")
        target = (key if descending else f"-{key}") if active else key
        headers[key.replace("-", "_")] = {
            "href": f"?{urlencode({**query, param: target})}#{anchor}",
            "aria": ("descending" if descending else "ascending") if active else "none",
            "mark": ("▼" if descending else "▲") if active else "",
        }
    return headers


# --- overview -----------------------------------------------------------------------


def _data_stamp(year: int) -> str:
    """What the overview's figures depend on besides the user: see ``_overview_cached``."""
    from django.db.models import Max

    from tinhso.investment.models import TargetCurve

    stamp = Project.objects.aggregate(latest=Max("updated_at"), n=Count("id"))
    curve = TargetCurve.objects.filter(year=year).aggregate(n=Count("id"), top=Max("id"))
    latest = stamp["latest"].timestamp() if stamp["latest"] else 0
    return f"{latest}:{stamp['n']}:{curve['n']}:{curve['top']}"


def _cache_seconds() -> int:
    from django.conf import settings

    return getattr(settings, "TINHSO_INVESTMENT_OVERVIEW_CACHE_SECONDS", 60)


def _filter_options(user) -> tuple[list, list]:
    """The owners and units of the projects in scope (kept like the figures)."""
    from django.core.cache import cache

    def read():
        in_scope = Project.objects.restrict(user, "view")
        owners = list(
            in_scope.order_by("owner__name").values_list("owner_id", "owner__name").distinct()
        )
        units = list(
            in_scope.order_by("unit__name").values_list("unit_id", "unit__name").distinct()
        )
        return owners, units

    if not _cache_seconds():
        return read()
    key = f"investment:filters:{user.pk}:{_data_stamp(0)}"
    options = cache.get(key)
    if options is None:
        options = read()
        cache.set(key, options, _cache_seconds())
    return options


def _filters(request, user) -> tuple[m.Narrow, dict, dict]:
    """The overview's filters from the query string, the options offered and the query kept."""
    query: dict = {}
    tier = request.GET.get("cap", "")
    if tier not in ProjectTier.values:
        tier = ""
    source = request.GET.get("nguon", "")
    if source not in FundingSource.values:
        source = ""
    owners, units = _filter_options(user)
    owner_id = _int(request.GET.get("chu-dau-tu"))
    if owner_id not in {o for o, _name in owners}:
        owner_id = None
    unit_id = _int(request.GET.get("dia-ban"))
    if unit_id not in {u for u, _name in units}:
        unit_id = None
    for key, value in (
        ("cap", tier),
        ("nguon", source),
        ("chu-dau-tu", owner_id),
        ("dia-ban", unit_id),
    ):
        if value:
            query[key] = value
    narrow = m.Narrow(tier=tier, owner_id=owner_id, unit_id=unit_id, source=source)
    options = {
        "tiers": ProjectTier.choices,
        "sources": FundingSource.choices,
        "owners": owners,
        "units": units,
    }
    return narrow, options, query


def _overview_cached(user, *, year: int, as_of: dt.date, narrow: m.Narrow) -> m.Overview:
    """``measures.overview`` kept for ``TINHSO_INVESTMENT_OVERVIEW_CACHE_SECONDS`` per user.

    The province-wide figures read every disbursement of the year (seconds for
    500,000 rows); a leader paging, sorting or coming back gets the same figures
    without reading them again, as long as nothing changed. The key holds the
    user (so the scope), the year, the day, the filters and a stamp of the data:
    every write to a project's plan, disbursements or progress bumps the
    project's ``updated_at`` (``services._bump``), and target curves have their
    own rows, so a change anywhere is a new key; the figures are never staler
    than the last write. 0 seconds turns it off.
    """
    from django.core.cache import cache

    seconds = _cache_seconds()
    if not seconds:
        return m.overview(user, year=year, as_of=as_of, narrow=narrow)
    key = (
        f"investment:overview:{user.pk}:{year}:{as_of.isoformat()}:"
        f"{narrow.tier}:{narrow.owner_id or ''}:{narrow.unit_id or ''}:{narrow.source}:"
        f"{_data_stamp(year)}"
    )
    view = cache.get(key)
    if view is None:
        view = m.overview(user, year=year, as_of=as_of, narrow=narrow)
        cache.set(key, view, seconds)
    return view


@never_cache
@official_required
def overview_page(request):
    """The province picture for a plan year, with filters, rankings and the S-curve."""
    user = request.user
    if not services.may(user, Project, "view"):
        return error_response(request, NotFound())
    year = _plan_year(request)
    as_of = _as_of(year)
    narrow, options, query = _filters(request, user)
    view = _overview_cached(user, year=year, as_of=as_of, narrow=narrow)
    total = view.total
    # what is still to disburse this month to reach the target (against the own plan)
    to_target = None
    if total.plan:
        to_target = max(int(total.plan * view.target / 100) - total.disbursed, 0)
    owners, owner_sort = _sort(view.by_owner, request.GET.get("xep-cdt", "ty-le"))
    units, unit_sort = _sort(view.by_unit, request.GET.get("xep-db", "ty-le"))
    # the projects, slowest first, one page at a time; their codes in one query
    page = _page_number(request)
    with_plan = [f for f in view.projects if f.plan]
    shown = with_plan[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    info = {
        row["id"]: row
        for row in Project.objects.filter(pk__in=[f.key for f in shown]).values(
            "id", "code", "name", "owner__name", "unit__name", "phase"
        )
    }
    projects = [
        {"fig": f, **info[f.key], "behind": (f.rate or 0) < view.target}
        for f in shown
        if f.key in info
    ]
    base = {"nam": year, **query}
    return render(
        request,
        "investment/overview.html",
        _ctx(
            view=view,
            year=year,
            years=list(range(_today().year + 1, _today().year - 6, -1)),
            as_of=as_of,
            narrow=narrow,
            options=options,
            to_target=to_target,
            chart=s_curve(view.curve),
            owners=owners,
            owner_sort=_sort_headers(owner_sort, "xep-cdt", base, "xep-hang-cdt"),
            units=units,
            unit_sort=_sort_headers(unit_sort, "xep-db", base, "xep-hang-dia-ban"),
            projects=projects,
            page=page,
            has_next=page * PAGE_SIZE < len(with_plan),
            project_count=len(with_plan),
            base=urlencode(base),
            base_query=base,
            may_update=services.may(user, Disbursement, "add"),
        ),
    )


# --- project ------------------------------------------------------------------------


def _project(request, code: str) -> Project:
    project = selectors.project_for(request.user, code=code)
    return project


@never_cache
@official_required
def project_page(request, code: str):
    """Everything about one project the user reaches (404 otherwise)."""
    user = request.user
    try:
        project = _project(request, code)
    except TinhsoError as error:
        return error_response(request, error)
    year = _plan_year(request)
    as_of = _as_of(year)
    figures = m.project_measures(user, project, year=year, as_of=as_of)
    lines = list(
        PlanLine.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("plan")
        .annotate(
            disbursed=Sum(
                "disbursements__amount",
                filter=~Q(disbursements__status=DisbursementStatus.REJECTED),
            )
        )
        .order_by("-year", "id")
    )
    disbursements = (
        Disbursement.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("plan_line", "reported_by")
        .order_by("-date", "-id")
    )
    page = _page_number(request)
    total_disbursements = disbursements.count()
    disbursement_rows = list(
        disbursements[(page - 1) * DISBURSEMENTS_PAGE : page * DISBURSEMENTS_PAGE]
    )
    context = _ctx(
        project=project,
        year=year,
        figures=figures,
        ownerships=ProjectOwnership.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("owner", "decision"),
        decisions=ProjectDecision.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("file"),
        versions=TotalInvestmentVersion.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("decision"),
        lines=lines,
        disbursements=disbursement_rows,
        disbursement_count=total_disbursements,
        page=page,
        has_next=page * DISBURSEMENTS_PAGE < total_disbursements,
        snapshots=ProgressSnapshot.objects.restrict(user, "view")
        .filter(project=project)
        .prefetch_related("photos")
        .order_by("-date", "-id")[:20],
        packages=BidPackage.objects.restrict(user, "view")
        .filter(project=project)
        .prefetch_related(
            Prefetch(
                "contracts",
                queryset=Contract.objects.prefetch_related("modifications").order_by("id"),
            )
        ),
        obstacles=Obstacle.objects.restrict(user, "view").filter(project=project),
        alerts=selectors.alerts_for(user, open_only=False, project=project)[:20],
        may_update=services.may(user, Disbursement, "add"),
    )
    return render(request, "investment/project.html", context)


@never_cache
@official_required
def project_file(request, code: str, file_id):
    """A decision's file or a progress photo of a project the user reaches."""
    user = request.user
    try:
        project = _project(request, code)
    except TinhsoError as error:
        return error_response(request, error)
    decision = (
        ProjectDecision.objects.restrict(user, "view")
        .filter(project=project, file_id=file_id)
        .select_related("file")
        .first()
    )
    if decision is not None:
        return file_response(request, decision.file, as_attachment=False)
    snapshot = (
        ProgressSnapshot.objects.restrict(user, "view")
        .filter(project=project, photos__id=file_id)
        .first()
    )
    if snapshot is not None:
        stored = snapshot.photos.get(pk=file_id)
        return file_response(request, stored, as_attachment=False)
    return error_response(request, NotFound())


# --- the owner's daily update ---------------------------------------------------------


FIELD_OF_ERROR = {
    errors.InvalidAmount.code: "amount",
    errors.AbovePlan.code: "amount",
    errors.PlanLineNotFound.code: "plan_line",
    errors.PlanLineNotAnnual.code: "plan_line",
    errors.DateOutsidePlan.code: "date",
    errors.InvalidPercent.code: "percent",
}


def _open_lines(user, project: Project, today: dt.date) -> list[PlanLine]:
    """The annual lines an owner may still disburse on today, with what each has had."""
    return list(
        PlanLine.objects.restrict(user, "view")
        .filter(project=project, plan__kind=PlanKind.ANNUAL, year__gte=today.year - 1)
        .filter(year__lte=today.year, amount__gt=0)
        .filter(Q(deadline__gte=today) | Q(deadline__isnull=True))
        .annotate(
            disbursed=Sum(
                "disbursements__amount",
                filter=~Q(disbursements__status=DisbursementStatus.REJECTED),
            )
        )
        .order_by("-year", "source", "id")
    )


def _line_label(line: PlanLine) -> str:
    label = f"{line.year} · {line.get_source_display()}"
    if line.kind == PlanLineKind.CARRIED_OVER:
        label += f" · {line.get_kind_display()}"
    remaining = line.amount - int(line.disbursed or 0)
    return label + " · " + _("còn %(amount)s đ") % {"amount": dong(remaining)}


@never_cache
@official_required
def update_page(request):
    """Pick one of the owner's projects; record today's disbursement and progress."""
    user = request.user
    if not services.may(user, Disbursement, "add"):
        return error_response(request, NotFound())
    today = _today()
    own = list(
        Project.objects.restrict(user, "change")
        .only("id", "code", "name", "version")
        .order_by("code")
    )
    code = request.POST.get("du-an") or request.GET.get("du-an") or ""
    if not code and len(own) == 1:
        code = own[0].code
    project = next((p for p in own if p.code == code), None)
    if code and project is None:
        return error_response(request, NotFound())
    values: dict = {"date": today.isoformat(), "kind": DisbursementKind.PAYMENT}
    field_errors: dict[str, str] = {}
    summary: str = ""
    if request.method == "POST":
        if project is None:
            return error_response(request, NotFound())
        values = {k: request.POST.get(k, "").strip() for k in _UPDATE_FIELDS}
        photo = request.FILES.get("photo")
        try:
            on = _parse_date(values["date"])
            if photo is not None and not values["percent"]:
                raise errors.InvalidPercent(
                    _("Ảnh hiện trường đi kèm tỷ lệ khối lượng thực hiện: hãy nhập tỷ lệ (%).")
                )
            if values["amount"] and not values["plan_line"]:
                raise errors.PlanLineNotFound(_("Hãy chọn nguồn vốn (dòng kế hoạch) để giải ngân."))
            result = daily_update_record(
                actor=user,
                project_id=project.pk,
                expected_version=_int(values["version"], -1),
                on=on,
                plan_line_id=_int(values["plan_line"]),
                amount=values["amount"] or None,
                kind=values["kind"] or DisbursementKind.PAYMENT,
                treasury_reference=values["reference"],
                physical_percent=values["percent"].replace(",", ".") or None,
                photo=photo,
                note=values["note"],
                today=today,
            )
        except TinhsoError as error:
            code_ = error.code
            if code_ == errors.InvalidProjectData.code and (error.details or {}).get("update"):
                summary = _("Hãy nhập số tiền giải ngân hoặc tỷ lệ khối lượng thực hiện.")
            elif code_ == errors.StaleVersion.code:
                summary = str(error.message)
                project.refresh_from_db(fields=["version"])
                values["version"] = str(project.version)
            else:
                field = FIELD_OF_ERROR.get(code_, "")
                if field:
                    field_errors[field] = str(error.message)
                summary = str(error.message)
        else:
            parts = []
            if result.disbursement is not None:
                parts.append(
                    _("giải ngân %(amount)s đồng") % {"amount": dong(result.disbursement.amount)}
                )
            if result.snapshot is not None:
                parts.append(
                    _("khối lượng thực hiện %(percent)s%%")
                    % {"percent": result.snapshot.physical_percent.normalize()}
                )
            messages.success(
                request,
                _("Đã ghi cho dự án %(code)s: %(what)s.")
                % {"code": project.code, "what": ", ".join(parts)},
            )
            return redirect(f"{reverse('investment:update')}?{urlencode({'du-an': project.code})}")
    lines = _open_lines(user, project, today) if project is not None else []
    latest = None
    if project is not None:
        latest = (
            ProgressSnapshot.objects.restrict(user, "view")
            .filter(project=project)
            .order_by("-date", "-id")
            .first()
        )
        if request.method != "POST":
            values["version"] = str(project.version)
    return render(
        request,
        "investment/update.html",
        _ctx(
            own=own,
            project=project,
            lines=[(line, _line_label(line)) for line in lines],
            kinds=DisbursementKind.choices,
            values=values,
            field_errors=field_errors,
            summary=summary,
            latest=latest,
            today=today,
        ),
        status=400 if summary else 200,
    )


_UPDATE_FIELDS = ("plan_line", "amount", "kind", "reference", "date", "percent", "note", "version")


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise errors.DateOutsidePlan(_("Ngày không hợp lệ (dạng ngày/tháng/năm).")) from None


# --- alerts ---------------------------------------------------------------------------


@never_cache
@official_required
def alerts_page(request):
    """Alerts in scope: the owner's own, the leaders' units; by kind, severity and state."""
    user = request.user
    if not services.may(user, Alert, "view"):
        return error_response(request, NotFound())
    state = request.GET.get("trang-thai", "mo")
    kind = request.GET.get("loai", "")
    severity = request.GET.get("muc-do", "")
    queryset = selectors.alerts_for(user, open_only=state != "tat-ca")
    query = {"trang-thai": state}
    if kind in AlertKind.values:
        queryset = queryset.filter(kind=kind)
        query["loai"] = kind
    if severity in AlertSeverity.values:
        queryset = queryset.filter(severity=severity)
        query["muc-do"] = severity
    if request.GET.get("chua-xem"):
        queryset = queryset.filter(acknowledged_at__isnull=True)
        query["chua-xem"] = "1"
    queryset = queryset.select_related("acknowledged_by", "project__unit")
    counts = {
        row["kind"]: row["n"]
        for row in selectors.alerts_for(user, open_only=True)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
    }
    page = _page_number(request)
    total = queryset.count()
    rows = list(queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return render(
        request,
        "investment/alerts.html",
        _ctx(
            alerts=rows,
            total=total,
            page=page,
            has_next=page * PAGE_SIZE < total,
            kinds=[(value, label, counts.get(value, 0)) for value, label in AlertKind.choices],
            severities=AlertSeverity.choices,
            state=state,
            kind=kind,
            severity=severity,
            unseen=bool(request.GET.get("chua-xem")),
            base=urlencode(query),
            next_url=request.get_full_path(),
            may_ack=services.may(user, Alert, "change"),
        ),
    )


@official_required
def alert_ack(request, alert_id: int):
    """POST: acknowledge an alert with an optional note, back to where the user was."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        alert = services.alert_acknowledge(
            actor=request.user, alert_id=alert_id, note=request.POST.get("note", "")
        )
    except TinhsoError as error:
        return error_response(request, error)
    messages.success(
        request,
        _("Đã xác nhận đã xem cảnh báo của dự án %(code)s.") % {"code": alert.project.code},
    )
    target = request.POST.get("next", "")
    if not target.startswith("/quan-tri/dau-tu/"):
        target = reverse("investment:alerts")
    return redirect(target)
