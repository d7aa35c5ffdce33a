"""Pages for people: the citizen portal's base pages, the back-office entry and error pages.

Views hold no business rules: they read through selectors and render.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from functools import wraps

from django.apps import apps as django_apps
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

import tinhso
from tinhso.core.choices import UnitLevel
from tinhso.core.exceptions import NotFound, PermissionDenied, TinhsoError
from tinhso.core.responses import error_response, wants_json

log = logging.getLogger(__name__)


@functools.cache
def _expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration the code ships, read from disk once per process."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


@never_cache
def healthz(request):
    """Liveness and readiness in one: database reachable, migrations applied, version.

    One query per call: the applied migrations, compared with the set the code
    ships (read once per process), so a load balancer may poll it often.
    """
    body: dict = {"version": tinhso.__version__, "database": "ok", "migrations": "ok"}
    status = 200
    try:
        applied = MigrationRecorder(connection).applied_migrations()
        pending = _expected_migrations() - set(applied)
        if pending:
            body["migrations"] = f"{len(pending)} pending"
            status = 503
    except DatabaseError:
        log.exception("health check: database unreachable")
        body["database"] = "unreachable"
        body["migrations"] = "unknown"
        status = 503
    body["status"] = "ok" if status == 200 else "unavailable"
    return JsonResponse(body, status=status)


# --- citizen portal -----------------------------------------------------------------

QUERY_MAX_LENGTH = 100


def home(request):
    return render(request, "core/home.html")


_UNIT_CODE = re.compile(r"^\d{1,5}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_page_date(value: str) -> dt.date:
    """A date typed on a page: ISO (what ``<input type=date>`` sends) or day/month/year.

    Raises ValueError for anything else, including impossible dates (30/02/2025).
    """
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def units(request):
    """Look administrative units up by name (diacritics optional) or by code, as of a date.

    A query of digits is a code; anything else is a name. Bad input re-renders the
    form with the reason next to the field and status 400.
    """
    form = {
        "q": request.GET.get("q", "").strip(),
        "on": request.GET.get("on", "").strip(),
        "level": request.GET.get("level", "").strip(),
    }
    errors: dict[str, str] = {}
    if len(form["q"]) > QUERY_MAX_LENGTH:
        errors["q"] = _("Từ khoá dài quá %(max)d ký tự.") % {"max": QUERY_MAX_LENGTH}
    on = None
    if form["on"]:
        try:
            on = parse_page_date(form["on"])
        except ValueError:
            errors["on"] = _("Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025.")
    if form["level"] and form["level"] not in UnitLevel.values:
        errors["level"] = _("Cấp đơn vị không hợp lệ.")

    day = on or timezone.localdate()
    results: list = []
    not_found = ""
    searched = bool(form["q"]) and not errors
    if searched:
        from tinhso.core.selectors import units as unit_selectors

        try:
            if _UNIT_CODE.match(form["q"]):
                try:
                    results = [unit_selectors.unit_get(form["q"], on=day, user=request.user)]
                except NotFound as exc:
                    not_found = str(exc.message)
            else:
                results = list(
                    unit_selectors.unit_search(
                        form["q"],
                        on=day,
                        level=form["level"] or None,
                        limit=50,
                        user=request.user,
                    )
                )
        except TinhsoError as exc:
            errors["q"] = str(exc.message)
            searched = False

    return render(
        request,
        "core/units.html",
        {
            "form": form,
            "errors": errors,
            "levels": UnitLevel.choices,
            "searched": searched,
            "units": results,
            "not_found": not_found,
            "on_display": day.strftime("%d/%m/%Y"),
        },
        status=400 if errors else 200,
    )


# --- back office ----------------------------------------------------------------------

# slug → (label, description); the modules behind them arrive with their apps.
BACKOFFICE_SECTIONS = {
    "ho-so": (
        gettext_lazy("Hồ sơ"),
        gettext_lazy("Tiếp nhận, xử lý và trả kết quả hồ sơ một cửa."),
    ),
    "dau-tu": (
        gettext_lazy("Đầu tư công"),
        gettext_lazy("Kế hoạch vốn, giải ngân, tiến độ và cảnh báo các dự án đầu tư công."),
    ),
    "bao-cao": (
        gettext_lazy("Báo cáo"),
        gettext_lazy("Báo cáo, thống kê và bộ chỉ số phục vụ người dân, doanh nghiệp."),
    ),
    "danh-muc": (
        gettext_lazy("Danh mục"),
        gettext_lazy("Đơn vị hành chính, cơ quan, thủ tục hành chính, lịch làm việc."),
    ),
    "nhat-ky": (
        gettext_lazy("Nhật ký"),
        gettext_lazy("Nhật ký thao tác của hệ thống, có kiểm tra toàn vẹn."),
    ),
    "an-ninh": (
        gettext_lazy("An ninh"),
        gettext_lazy("Sự cố, cảnh báo và quyết định chặn của hệ thống giám sát an ninh."),
    ),
}
# Sections shown only to some roles (the menu and the dashboard hide them from the others).
BACKOFFICE_SECTION_ROLES = {"an-ninh": {"it_admin"}}


def official_required(view):
    """Officials only: anonymous users go to sign in, citizens get the 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_official", False):
            return error_response(
                request,
                PermissionDenied(
                    _("Trang này chỉ dành cho cán bộ, công chức."), code="officials_only"
                ),
            )
        return view(request, *args, **kwargs)

    return wrapper


def _backoffice_nav(current: str) -> list[dict]:
    items = [{"slug": "", "label": _("Bàn làm việc"), "url": reverse("core:backoffice")}]
    items += [
        {"slug": slug, "label": label, "url": reverse("core:backoffice_section", args=[slug])}
        for slug, (label, _description) in BACKOFFICE_SECTIONS.items()
    ]
    for item in items:
        item["current"] = item["slug"] == current
        item["roles"] = BACKOFFICE_SECTION_ROLES.get(item["slug"], ())
    return items


def _backoffice_figures(user) -> dict[str, list[dict]]:
    """Figures each domain app shows on the dashboard, by section slug.

    An app opts in with ``backoffice_summary(user)`` on its AppConfig, returning
    ``{slug: [{"label", "value", "url", "tone"}]}``; core never imports the apps.
    """
    figures: dict[str, list[dict]] = {}
    for config in django_apps.get_app_configs():
        summary = getattr(config, "backoffice_summary", None)
        if summary is not None:
            figures.update(summary(user))
    return figures


@never_cache
@official_required
def backoffice(request):
    user = request.user
    scope_units = list(user.units.all()[:50])
    if not scope_units and user.organisation_id:
        scope_units = [user.organisation.unit]
    figures = _backoffice_figures(user)
    modules = [
        {
            "label": item["label"],
            "url": item["url"],
            "description": BACKOFFICE_SECTIONS[slug][1],
            "available": slug in figures,
            "figures": figures.get(slug, []),
        }
        for item in _backoffice_nav("")
        if (slug := item["slug"]) and (not item["roles"] or user.role in item["roles"])
    ]
    return render(
        request,
        "core/backoffice/dashboard.html",
        {"backoffice_nav": _backoffice_nav(""), "scope_units": scope_units, "modules": modules},
    )


@never_cache
@official_required
def backoffice_section(request, slug: str):
    if slug not in BACKOFFICE_SECTIONS:
        return error_404(request)
    label, description = BACKOFFICE_SECTIONS[slug]
    return render(
        request,
        "core/backoffice/placeholder.html",
        {
            "backoffice_nav": _backoffice_nav(slug),
            "section": {"label": label, "description": description},
        },
    )


# --- error handlers (config/urls.py) --------------------------------------------------


def error_400(request, exception=None):
    return error_response(request, TinhsoError())


def error_403(request, exception=None):
    return error_response(request, PermissionDenied())


def error_404(request, exception=None):
    if wants_json(request):
        return error_response(request, NotFound())
    return error_response(request, NotFound(_("Không tìm thấy trang bạn yêu cầu.")))


def error_500(request):
    return error_response(
        request,
        TinhsoError(
            _("Hệ thống gặp sự cố khi xử lý yêu cầu. Vui lòng thử lại sau."),
            code="server_error",
            status=500,
        ),
    )
