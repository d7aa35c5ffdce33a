"""Pages of one-stop dossiers: submitting, one's own dossiers, public tracking, the officers' desk.

The pages call the same services, selectors and actions as the API
(``tinhso.dossiers.services.dossier_submit``, ``tinhso.dossiers.selectors``,
``tinhso.dossiers.actions.dossier_act``): which components are required, which
files are accepted, who may act and when are decided there, never here. A view
only turns what the page sent into those calls, and their errors into messages
next to the fields (``aria-describedby``) with the error's status.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.core import calendar
from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound, PermissionDenied, TinhsoError, ValidationError
from tinhso.core.files import sanitise_name
from tinhso.core.responses import error_response
from tinhso.core.views import _backoffice_nav, official_required
from tinhso.core.workflow import StaleVersion
from tinhso.dossiers import selectors
from tinhso.dossiers.actions import ACTIONS, dossier_act
from tinhso.dossiers.choices import RUNNING_STATUSES, DossierStatus
from tinhso.dossiers.errors import DossierNotFound, TooManyAttempts, UnknownField
from tinhso.dossiers.forms import (
    FILE_PREFIX,
    PAPER_PREFIX,
    ActionForm,
    DeskSubmissionForm,
    SubmissionForm,
    TrackForm,
    new_idempotency_key,
)

PAGE_SIZE = 20
# "Due soon" on the officers' pages: within this many working hours.
DUE_SOON_HOURS = 8

# Which fields each action's form shows, and which of them the action requires
# (shown as required; the action itself refuses a missing one).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "receive": ("note",),
    "refuse_receipt": ("reason",),
    "assign": ("assignee", "note"),
    "forward": ("note",),
    "send_back": ("note",),
    "request_supplement": ("reason", "items"),
    "submit_supplement": ("note",),
    "approve": ("note",),
    "refuse": ("reason",),
    "stop": ("reason",),
    "withdraw": ("reason",),
    "return_result": ("note",),
}
ACTION_REQUIRED: dict[str, frozenset[str]] = {
    "refuse_receipt": frozenset({"reason"}),
    "assign": frozenset({"assignee"}),
    "send_back": frozenset({"note"}),
    "request_supplement": frozenset({"reason"}),
    "refuse": frozenset({"reason"}),
    "stop": frozenset({"reason"}),
}
# Actions that end or refuse something: their button is drawn as a secondary one.
CAUTION_ACTIONS = frozenset({"refuse_receipt", "refuse", "stop", "withdraw", "send_back"})


# --- access ---------------------------------------------------------------------------


def citizen_required(view):
    """Citizens only: anonymous visitors go to sign in, officials get the 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.CITIZEN:
            return error_response(
                request,
                PermissionDenied(
                    _("Trang này dành cho công dân. Cán bộ làm việc tại trang quản trị."),
                    code="citizens_only",
                ),
            )
        return view(request, *args, **kwargs)

    return wrapper


def desk_officer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role != Role.DESK_OFFICER:
            return error_response(
                request,
                PermissionDenied(
                    _("Chỉ cán bộ bộ phận một cửa tiếp nhận hồ sơ tại quầy."),
                    code="desk_officers_only",
                ),
            )
        return view(request, *args, **kwargs)

    return official_required(wrapper)


# --- small helpers --------------------------------------------------------------------


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 100_000 else 1


def _status_label(status: str) -> str:
    try:
        return str(DossierStatus(status).label)
    except ValueError:
        return status


def _deadline_state(dossier, due: dt.datetime | None, now: dt.datetime, soon: dt.datetime) -> str:
    """The deadline state of a due moment ("overdue", "due_soon", "") while the clock runs."""
    if due is None or dossier.status not in RUNNING_STATUSES or dossier.paused_since is not None:
        return ""
    if due <= now:
        return "overdue"
    if due <= soon:
        return "due_soon"
    return ""


def _decorate_deadlines(dossiers) -> None:
    """Mark each dossier's step and overall due moments as overdue or due soon."""
    now = calendar.now()
    soon = calendar.add_working_hours(now, DUE_SOON_HOURS)
    for dossier in dossiers:
        dossier.status_label = _status_label(dossier.status)
        dossier.due_state = _deadline_state(dossier, dossier.due_at, now, soon)
        dossier.step_due_state = _deadline_state(dossier, dossier.step_due_at, now, soon)


def _province_units():
    """The province's communes and wards today (post-2025 list), for the unit choice."""
    from tinhso.core.selectors.units import unit_descendants, unit_get

    try:
        province = unit_get(settings.TINHSO_PROVINCE_CODE)
    except NotFound:
        return None, []
    return province, unit_descendants(province, "commune")


def _receiving_organisations(province) -> list:
    """Where a dossier may be received: any centre or commune committee of the province."""
    from tinhso.core.selectors.organisations import organisation_list
    from tinhso.dossiers.routing import RECEIVING_KINDS

    if province is None:
        return []
    rows = [
        organisation
        for kind in sorted(RECEIVING_KINDS)
        for organisation in organisation_list(kind=kind).order_by("name")
    ]
    return [o for o in rows if o.unit_id == province.pk or o.unit.parent_id == province.pk]


def _case_of(procedure, code: str):
    code = (code or "").strip()[:64]
    if not code:
        return None
    for case in procedure.cases.all():
        if case.code == code:
            return case
    raise ValidationError(_("Trường hợp không thuộc thủ tục này."), code="invalid_case")


def _component_rows(
    components, errors: dict[str, str], prefix: str = "", papers=(), chosen=None
) -> list[dict]:
    """One row per component; ``papers`` (the citizen's stored results) offered where reusable."""
    from tinhso.dossiers.services import MAX_FILES_PER_COMPONENT, accepted_kinds

    chosen = chosen or {}
    rows = []
    for component in components:
        kinds = accepted_kinds(component)
        rows.append(
            {
                "papers": list(papers) if component.reusable else [],
                "paper_name": f"{prefix}{PAPER_PREFIX}{component.code}",
                "paper_chosen": str(chosen.get(component.code, "")),
                "component": component,
                "input_name": f"{prefix}{FILE_PREFIX}{component.code}",
                "input_id": f"{prefix}file-{component.code}",
                "accept": ",".join(f".{ext}" for ext in component.extensions),
                "types": ", ".join(kind.upper() for kind in kinds),
                "max_mb": component.max_size_mb,
                "max_files": MAX_FILES_PER_COMPONENT,
                "error": errors.get(component.code, ""),
            }
        )
    return rows


def _files_by_component(request, components, prefix: str = "") -> dict[str, list]:
    files = {}
    for component in components:
        items = request.FILES.getlist(f"{prefix}{FILE_PREFIX}{component.code}")
        if items:
            files[component.code] = items
    return files


def _place_error(error: TinhsoError, files: dict[str, list]) -> dict[str, str]:
    """Which component an error of the service is about (by component code or file name)."""
    details = error.details if isinstance(error.details, dict) else {}
    placed: dict[str, str] = {}
    if error.code == "component_missing":
        for code in details.get("components") or []:
            placed[code] = _("Vui lòng đính kèm tệp cho thành phần bắt buộc này.")
    if details.get("component") in files:
        placed[details["component"]] = str(error.message)
    name = details.get("file")
    if name:
        for code, items in files.items():
            if any(sanitise_name(getattr(item, "name", None)) == name for item in items):
                placed[code] = str(error.message)
                break
    return placed


def _forged(unknown: list[str]) -> UnknownField:
    return UnknownField(
        _("Biểu mẫu có trường không hợp lệ: %(fields)s. Vui lòng tải lại trang và nhập lại.")
        % {"fields": ", ".join(unknown[:5])},
        details={"fields": unknown[:10]},
    )


def _summary(form, component_rows, general: str = "") -> list[dict]:
    """The error summary: one line per problem, each linking to its field."""
    items = []
    if general:
        items.append({"href": "", "message": general})
    if form is not None and form.is_bound:
        for name in form.fields:
            for message in form[name].errors:
                items.append({"href": f"#{form[name].auto_id}", "message": message})
        for message in form.non_field_errors():
            items.append({"href": "", "message": message})
    for row in component_rows:
        if row["error"]:
            items.append(
                {
                    "href": f"#{row['input_id']}",
                    "message": f"{row['component'].name}: {row['error']}",
                }
            )
    return items


# --- citizen: submit ------------------------------------------------------------------


def _papers_chosen(request, components) -> dict[str, str]:
    """The stored results the citizen picked (``paper__<code>``), by component code."""
    chosen = {}
    for component in components:
        value = request.POST.get(f"{PAPER_PREFIX}{component.code}", "").strip()[:20]
        if value:
            chosen[component.code] = value
    return chosen


def _submission_context(
    procedure, case, form, component_errors, general="", *, desk=False, papers=(), chosen=None
):
    components = procedure.components_for(case)
    rows = _component_rows(components, component_errors, papers=papers, chosen=chosen)
    return {
        "procedure": procedure,
        "case": case,
        "cases": list(procedure.cases.all()),
        "form": form.decorate(),
        "components": rows,
        "errors": _summary(form, rows, general),
        "fees": procedure.fees(case),
    }


@never_cache
@citizen_required
@require_http_methods(["GET", "POST"])
def submit(request, national_code: str):
    """The online submission form of a procedure, generated from its components."""
    from tinhso.dossiers.errors import ProcedureNotOnline
    from tinhso.dossiers.services import dossier_submit
    from tinhso.procedures.selectors import get_procedure

    procedure = get_procedure(national_code[:32], user=request.user)
    if not procedure.is_online:
        raise ProcedureNotOnline()
    source = request.POST if request.method == "POST" else request.GET
    case = _case_of(procedure, source.get("case", ""))
    province, units = _province_units()
    receiving = _receiving_organisations(province)
    options = {
        "units": units,
        "receiving": receiving,
        "unit_required": procedure.level == "commune",
    }
    citizen = request.user.citizen
    component_errors: dict[str, str] = {}
    general = ""
    status = 200
    picked: dict[str, str] = {}
    if request.method == "POST":
        form = SubmissionForm(request.POST, **options)
        components = procedure.components_for(case)
        codes = [c.code for c in components]
        unknown = form.unknown_keys(
            request.POST, request.FILES, component_codes=codes, paper_codes=codes
        )
        picked = _papers_chosen(request, components)
        if unknown:
            general, status = str(_forged(unknown).message), 400
            form.is_valid()
        elif form.is_valid():
            files = _files_by_component(request, components)
            unit = {u.code: u for u in units}.get(form.cleaned_data["unit"]) or province
            chosen = form.cleaned_data["receiving_organisation"]
            try:
                dossier = dossier_submit(
                    actor=request.user,
                    procedure=procedure,
                    case=case,
                    applicant=citizen,
                    channel="online",
                    receiving_organisation={o.identifier_code: o for o in receiving}.get(chosen),
                    unit=unit,
                    form_data=form.declaration(),
                    files=files,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    applicant_phone=form.cleaned_data["phone"],
                    applicant_email=form.cleaned_data["email"],
                    papers=picked or None,
                )
            except TinhsoError as error:
                component_errors = _place_error(error, files)
                about = error.details.get("component") if isinstance(error.details, dict) else None
                if error.code == "paper_not_reusable" and about in codes:
                    component_errors[about] = str(error.message)
                general = (
                    ""
                    if component_errors and error.code == "component_missing"
                    else (str(error.message))
                )
                status = error.status
            else:
                return redirect("dossiers:submitted", code=dossier.code)
        else:
            status = 400
    else:
        form = SubmissionForm(
            initial={
                "idempotency_key": new_idempotency_key(),
                "case": case.code if case else "",
                "phone": getattr(citizen, "phone", ""),
                "email": getattr(citizen, "email", ""),
            },
            **options,
        )
    from tinhso.dossiers.results import citizen_results

    papers = list(citizen_results(citizen)) if citizen is not None else []
    context = _submission_context(
        procedure, case, form, component_errors, general, papers=papers, chosen=picked
    )
    context["citizen"] = citizen
    return render(request, "dossiers/submit.html", context, status=status)


@never_cache
@citizen_required
def submitted(request, code: str):
    """After a submission: the dossier's code, what happens next, the receipt when there is one."""
    dossier = selectors.dossier_get_for(request.user, code)
    dossier.status_label = _status_label(dossier.status)
    return render(request, "dossiers/submitted.html", {"dossier": dossier})


# --- citizen: my dossiers -------------------------------------------------------------


@never_cache
@citizen_required
def my_list(request):
    page_number = _page_number(request.GET.get("page"))
    items, total = selectors.dossier_list_for(
        request.user, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
    )
    _decorate_deadlines(items)
    for dossier in items:
        dossier.my_actions = [a.name for a in ACTIONS.available(request.user, dossier)]
    page = Paginator(range(total), PAGE_SIZE).get_page(page_number)
    return render(
        request,
        "dossiers/my_list.html",
        {"dossiers": items, "total": total, "page": page},
    )


def _action_forms(request, dossier, *, bound=None, errors=None, assignees=()):
    """One form per action ``request.user`` may take now (from the actions' own checks)."""
    errors = errors or {}
    forms = []
    for action in ACTIONS.available(request.user, dossier):
        if bound is not None and bound.prefix == action.name:
            form = bound
        else:
            form = ActionForm(
                prefix=action.name,
                initial={"expected_version": dossier.version},
                assignees=assignees if action.name == "assign" else (),
            )
        shown = ACTION_FIELDS.get(action.name, ("note",))
        required = ACTION_REQUIRED.get(action.name, frozenset())
        for name in shown:
            if name in required:
                form.fields[name].required = True
        form.decorate()
        for name in shown:  # the action decides; the page only marks the field
            form.fields[name].required = False
        error = errors.get(action.name)
        if error:
            # The action's message is read with the fields it is about.
            about = [n for n in shown if n in required] or list(shown[:1])
            for name in about:
                attrs = form.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described = attrs.get("aria-describedby", "")
                attrs["aria-describedby"] = f"{described} {action.name}-action-error".strip()
        if action.name == "send_back":
            form.fields["note"].label = _("Lý do trả lại")
        rows = []
        if action.name == "submit_supplement":
            components = dossier.procedure.components_for(dossier.case)
            rows = _component_rows(components, errors.get("_components", {}), f"{action.name}-")
        forms.append(
            {
                "action": action,
                "form": form,
                "fields": [form[name] for name in shown],
                "required": required,
                "error": error,
                "components": rows,
                "caution": action.name in CAUTION_ACTIONS,
            }
        )
    return forms


def _detail_context(request, dossier, *, bound=None, errors=None, general=""):
    from tinhso.dossiers.process import process_for

    _decorate_deadlines([dossier])
    step = process_for(dossier.procedure, dossier.case).get(dossier.step_code)
    assignees = []
    if request.user.role == Role.HEAD and any(
        a.name == "assign" for a in ACTIONS.available(request.user, dossier)
    ):
        from tinhso.core.selectors.users import user_list_for

        assignees = list(
            user_list_for(request.user)
            .filter(
                organisation_id=dossier.current_organisation_id,
                role__in=(Role.SPECIALIST, Role.HEAD),
                is_active=True,
            )
            .order_by("full_name", "username")
        )
    history = selectors.dossier_history(dossier)
    for event in history:
        event.action_label = _action_label(event.action)
        event.to_label = _status_label(event.to_status) if event.to_status else ""
        items = event.data.get("items") if isinstance(event.data, dict) else None
        event.supplement_items = items if isinstance(items, list) else []
    supplements = list(dossier.supplements.order_by("requested_at", "id"))
    from tinhso.dossiers.views_documents import document_forms

    return {
        **document_forms(request, dossier, bound=bound, errors=errors),
        "dossier": dossier,
        "step": step,
        "files": selectors.dossier_files(dossier),
        "supplements": supplements,
        "open_supplement": next((s for s in supplements if s.resolved_at is None), None),
        "history": history,
        "actions": _action_forms(request, dossier, bound=bound, errors=errors, assignees=assignees),
        "general_error": general,
        "role_label": dict(Role.choices).get(dossier.current_role, ""),
    }


def _action_label(name: str) -> str:
    if name == "submit":
        return _("Nộp hồ sơ")
    try:
        return str(ACTIONS.get(name).label)
    except TinhsoError:
        return name


@never_cache
@citizen_required
def my_detail(request, code: str):
    dossier = selectors.dossier_get_for(request.user, code)
    return render(request, "dossiers/my_detail.html", _detail_context(request, dossier))


def _run_action(request, code: str, action_name: str, *, template: str, done_url, extra=None):
    """Run one action posted from a dossier page; errors re-render the page with the message."""
    dossier = selectors.dossier_get_for(request.user, code)
    try:
        action = ACTIONS.get(action_name)
    except TinhsoError:
        raise NotFound() from None
    assignees = ()
    if action.name == "assign":
        from tinhso.core.selectors.users import user_list_for

        assignees = user_list_for(request.user).filter(
            organisation_id=dossier.current_organisation_id,
            role__in=(Role.SPECIALIST, Role.HEAD),
            is_active=True,
        )
    form = ActionForm(request.POST, prefix=action.name, assignees=assignees)
    components = dossier.procedure.components_for(dossier.case)
    codes = [c.code for c in components] if action.name == "submit_supplement" else []
    unknown = form.unknown_keys(request.POST, request.FILES, component_codes=codes)
    error: TinhsoError | None = None
    files: dict[str, list] = {}
    if unknown:
        error = _forged(unknown)
    elif not form.is_valid():
        if form.has_error("expected_version"):
            error = StaleVersion()
        else:
            error = ValidationError(_("Vui lòng kiểm tra lại các trường đã nhập."))
    else:
        if codes:
            files = _files_by_component(request, components, f"{action.name}-")
        params = form.params()
        if codes:
            params["files"] = files
        try:
            dossier = dossier_act(
                actor=request.user,
                dossier=dossier,
                action=action.name,
                expected_version=form.cleaned_data["expected_version"],
                **params,
            )
        except TinhsoError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Đã thực hiện “%(action)s” với hồ sơ %(code)s.")
                % {"action": action.label, "code": dossier.code},
            )
            return redirect(done_url(dossier))
    # Re-read: after a refusal nothing changed, and a stale page must show the fresh state.
    dossier = selectors.dossier_get_for(request.user, code)
    general = ""
    errors: dict = {}
    if isinstance(error, StaleVersion):
        general = str(error.message)
        form = None  # fresh forms carry the new version
    else:
        errors[action.name] = str(error.message)
        if codes:
            errors["_components"] = _place_error(error, files)
        if form.is_bound and "expected_version" in form.data:
            data = form.data.copy()
            data[form.add_prefix("expected_version")] = str(dossier.version)
            form = ActionForm(data, prefix=action.name, assignees=assignees)
            form.is_valid()
    context = _detail_context(request, dossier, bound=form, errors=errors, general=general)
    context.update(extra or {})
    return render(request, template, context, status=error.status)


@never_cache
@citizen_required
@require_POST
def my_act(request, code: str, action: str):
    return _run_action(
        request,
        code,
        action,
        template="dossiers/my_detail.html",
        done_url=lambda d: reverse("dossiers:my_detail", args=[d.code]),
    )


def _receipt(request, code: str):
    from tinhso.dossiers.receipts import receipt_pdf

    dossier = selectors.dossier_get_for(request.user, code)
    pdf, filename = receipt_pdf(dossier, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _file(request, code: str, file_id: str):
    from tinhso.core.files import file_response

    row = selectors.dossier_file_for(request.user, code, file_id)
    return file_response(request, row.stored_file)


@citizen_required
def my_receipt(request, code: str):
    return _receipt(request, code)


@citizen_required
def my_file(request, code: str, file_id: str):
    return _file(request, code, file_id)


# --- public tracking ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Look a dossier up by code plus the applicant's CCCD, without signing in.

    Posted, not in the address: the ID number stays out of logs and history. A
    wrong pair answers 404 like a missing code; too many failures 429.
    """
    dossier = None
    history = []
    not_found = ""
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            try:
                dossier = selectors.dossier_track(
                    form.cleaned_data["code"], form.cleaned_data["id_number"]
                )
            except (DossierNotFound, TooManyAttempts) as error:
                not_found, status = str(error.message), error.status
            else:
                dossier.status_label = _status_label(dossier.status)
                history = [
                    {"at": event.at, "label": _status_label(event.to_status)}
                    for event in selectors.dossier_history(dossier)
                    if event.to_status and event.from_status != event.to_status
                ]
            # The ID number is not echoed back (a shared computer, a screenshot).
            form = TrackForm(initial={"code": form.cleaned_data["code"]})
        else:
            status = 400
    else:
        form = TrackForm(initial={"code": request.GET.get("code", "")[:40]})
    return render(
        request,
        "dossiers/track.html",
        {
            "form": form.decorate(),
            "dossier": dossier,
            "history": history,
            "not_found": not_found,
            "errors": _summary(form, []) if status == 400 else [],
        },
        status=status,
    )


# --- officers -------------------------------------------------------------------------

TABS = (
    ("", "inbox"),
    ("sap-den-han", "due_soon"),
    ("qua-han", "overdue"),
    ("tat-ca", "all"),
)


def _tab_labels() -> dict[str, str]:
    return {
        "inbox": _("Chờ tôi xử lý"),
        "due_soon": _("Sắp đến hạn"),
        "overdue": _("Quá hạn"),
        "all": _("Tất cả hồ sơ"),
    }


@never_cache
@official_required
def inbox(request):
    """The officer's desk: what waits for them, what is due soon or late, everything in scope."""
    slugs = dict(TABS)
    slug = request.GET.get("loai", "")
    tab = slugs.get(slug, "inbox")
    if slug not in slugs:
        slug = ""
    page_number = _page_number(request.GET.get("page"))
    offset = (page_number - 1) * PAGE_SIZE
    q = request.GET.get("q", "").strip()[:100]
    status_filter = request.GET.get("status", "")
    status_filter = status_filter if status_filter in DossierStatus.values else ""
    user = request.user
    if tab == "due_soon":
        items, total = selectors.due_soon_for(
            user, within_hours=DUE_SOON_HOURS, limit=PAGE_SIZE, offset=offset
        )
    elif tab == "overdue":
        items, total = selectors.overdue_for(user, limit=PAGE_SIZE, offset=offset)
    elif tab == "all":
        items, total = selectors.dossier_list_for(
            user, status=status_filter, q=q, limit=PAGE_SIZE, offset=offset
        )
    else:
        items, total = selectors.inbox_for(user, limit=PAGE_SIZE, offset=offset)
    _decorate_deadlines(items)
    roles = dict(Role.choices)
    for dossier in items:
        dossier.role_label = roles.get(dossier.current_role, "")
    labels = _tab_labels()
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "dossiers/inbox.html",
        {
            "backoffice_nav": _backoffice_nav("ho-so"),
            "tabs": [{"slug": s, "label": labels[name], "current": s == slug} for s, name in TABS],
            "tab": tab,
            "tab_label": labels[tab],
            "dossiers": items,
            "total": total,
            "page": Paginator(range(total), PAGE_SIZE).get_page(page_number),
            "query_string": params.urlencode(),
            "q": q,
            "status_filter": status_filter,
            "statuses": DossierStatus.choices,
            "is_desk": user.role == Role.DESK_OFFICER,
        },
    )


@never_cache
@official_required
def office_detail(request, code: str):
    dossier = selectors.dossier_get_for(request.user, code)
    context = _detail_context(request, dossier)
    context["backoffice_nav"] = _backoffice_nav("ho-so")
    return render(request, "dossiers/office_detail.html", context)


def _office_done(request):
    def done(dossier):
        try:
            selectors.dossier_get_for(request.user, dossier.code)
        except NotFound:
            return reverse("dossiers:inbox")
        return reverse("dossiers:office_detail", args=[dossier.code])

    return done


@never_cache
@official_required
@require_POST
def office_act(request, code: str, action: str):
    return _run_action(
        request,
        code,
        action,
        template="dossiers/office_detail.html",
        done_url=_office_done(request),
        extra={"backoffice_nav": _backoffice_nav("ho-so")},
    )


@official_required
def office_receipt(request, code: str):
    return _receipt(request, code)


@official_required
def office_file(request, code: str, file_id: str):
    return _file(request, code, file_id)


# --- the desk: receive a dossier on a citizen's behalf ---------------------------------


def _find_citizen(user, id_number: str):
    from tinhso.core.selectors.people import citizen_list_for

    return citizen_list_for(user, q=id_number).first() if id_number else None


@never_cache
@desk_officer_required
@require_http_methods(["GET", "POST"])
def intake(request):
    """Choose a procedure, find or register the citizen by CCCD, attach files, receive at once."""
    from tinhso.procedures.selectors import get_procedure, procedure_search

    source = request.POST if request.method == "POST" else request.GET
    code = source.get("ma", "").strip()[:32]
    base = {"backoffice_nav": _backoffice_nav("ho-so")}
    if not code:
        q = request.GET.get("thu-tuc", "").strip()[:100]
        results, total = procedure_search(q, limit=PAGE_SIZE) if q else ([], 0)
        return render(
            request,
            "dossiers/intake_choose.html",
            {**base, "q": q, "procedures": results, "total": total},
        )
    procedure = get_procedure(code)
    case = _case_of(procedure, source.get("case", ""))
    province, units = _province_units()
    options = {"units": units, "unit_required": procedure.level == "commune"}
    component_errors: dict[str, str] = {}
    general = ""
    status = 200
    found = None
    if request.method == "POST":
        form = DeskSubmissionForm(request.POST, **options)
        components = procedure.components_for(case)
        unknown = form.unknown_keys(
            request.POST, request.FILES, component_codes=[c.code for c in components]
        )
        if unknown:
            general, status = str(_forged(unknown).message), 400
            form.is_valid()
        elif form.is_valid():
            files = _files_by_component(request, components)
            try:
                dossier = _desk_submit(request.user, procedure, case, form, units, province, files)
            except TinhsoError as error:
                component_errors = _place_error(error, files)
                field = _citizen_error_field(error.code)
                if field:
                    form.add_error(field, str(error.message))
                elif not (component_errors and error.code == "component_missing"):
                    general = str(error.message)
                status = error.status
            else:
                messages.success(
                    request,
                    _("Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả theo giấy tiếp nhận.")
                    % {"code": dossier.code},
                )
                return redirect("dossiers:office_detail", code=dossier.code)
        else:
            status = 400
        found = _find_citizen(request.user, form.data.get("id_number", "").strip()[:12])
    else:
        id_number = "".join(request.GET.get("cccd", "").split())[:12]
        found = _find_citizen(request.user, id_number)
        form = DeskSubmissionForm(
            initial={
                "idempotency_key": new_idempotency_key(),
                "case": case.code if case else "",
                "id_number": id_number,
                "phone": getattr(found, "phone", ""),
                "email": getattr(found, "email", ""),
                "ma": procedure.national_code,
            },
            **options,
        )
    context = _submission_context(procedure, case, form, component_errors, general, desk=True)
    context.update(base)
    context["found"] = found
    context["looked_up"] = bool(form.data.get("id_number") or request.GET.get("cccd"))
    return render(request, "dossiers/intake.html", context, status=status)


def _citizen_error_field(code: str) -> str:
    """The intake field an error registering the applicant is about ("" for none)."""
    if code.startswith("cccd"):
        return "id_number"
    if code.startswith("full_name") or code == "citizen_not_registered":
        return "full_name"
    return {"phone_invalid": "phone", "email_invalid": "email"}.get(code, "")


def _desk_submit(user, procedure, case, form, units, province, files):
    """Find the applicant by CCCD or register them, then submit and receive, all or nothing."""
    from tinhso.core.services.people import citizen_create
    from tinhso.dossiers.services import dossier_submit

    data = form.cleaned_data
    unit = {u.code: u for u in units}.get(data["unit"]) or province
    with transaction.atomic():
        applicant = _find_citizen(user, data["id_number"])
        if applicant is None:
            if not data.get("full_name"):
                raise ValidationError(
                    _("Công dân chưa có trong hệ thống: nhập họ và tên để đăng ký."),
                    code="citizen_not_registered",
                )
            applicant = citizen_create(
                actor=user,
                id_number=data["id_number"],
                full_name=data["full_name"],
                phone=data.get("phone", ""),
                email=data.get("email", ""),
            )
        return dossier_submit(
            actor=user,
            procedure=procedure,
            case=case,
            applicant=applicant,
            channel=data["channel"],
            unit=unit,
            form_data=form.declaration(),
            files=files,
            idempotency_key=data["idempotency_key"],
            applicant_phone=data.get("phone", ""),
            applicant_email=data.get("email", ""),
        )
