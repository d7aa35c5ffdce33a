"""The documents of a dossier on its pages: the signed result and the apology letters.

- ``POST /quan-tri/ho-so/<code>/ket-qua/``: the head of the competent agency
  uploads the result signed elsewhere (``results.result_upload``), once the
  dossier is decided and while it has no result.
- ``GET /quan-tri/ho-so/<code>/ket-qua.pdf``: officials who reach the dossier
  download its result.
- ``POST /quan-tri/ho-so/<code>/xin-loi/``: the head of the competent agency or a
  desk officer of the receiving agency issues an apology letter with a new date
  (``apologies.apology_issue``).
- ``GET /quan-tri/ho-so/<code>/xin-loi/<id>.pdf`` and
  ``GET /ca-nhan/ho-so/<code>/xin-loi/<id>.pdf``: a letter, for the officials who
  reach the dossier and for its applicant.

The forms follow the action forms (``views._run_action``): each posts the
version the page showed, a success redirects to the page with a message, a
refusal re-renders the page with the message next to the form and the error's
status, and someone who may not act gets the 403 page with nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tinhso.core.exceptions import TinhsoError, ValidationError
from tinhso.core.files import file_response
from tinhso.core.views import _backoffice_nav, official_required
from tinhso.core.workflow import StaleVersion
from tinhso.dossiers import selectors
from tinhso.dossiers.apologies import (
    APOLOGY_STATUSES,
    ApologyNotAllowed,
    apology_issue,
    is_late_or_will_miss,
    may_issue,
)
from tinhso.dossiers.errors import DossierNotFound
from tinhso.dossiers.forms import ApologyForm, ResultUploadForm
from tinhso.dossiers.models import DossierResult
from tinhso.dossiers.results import DECIDED, ResultUploadDenied, may_upload, result_upload
from tinhso.dossiers.views import _detail_context, _forged, citizen_required

RESULT = "result"
APOLOGY = "apology"


def _mark_invalid(form, name: str, error_id: str) -> None:
    attrs = form.fields[name].widget.attrs
    attrs["aria-invalid"] = "true"
    attrs["aria-describedby"] = f"{attrs.get('aria-describedby', '')} {error_id}".strip()


def document_forms(request, dossier, *, bound=None, errors=None) -> dict:
    """The dossier's result and letters, and the forms ``request.user`` may use now."""
    errors = errors or {}
    user = request.user
    result = DossierResult.objects.filter(dossier=dossier).first()
    letters = list(dossier.apologies.order_by("issued_at", "id"))
    result_form = None
    if result is None and dossier.status in DECIDED and may_upload(user, dossier):
        if bound is not None and bound.prefix == RESULT:
            result_form = bound
        else:
            result_form = ResultUploadForm(
                prefix=RESULT, initial={"expected_version": dossier.version}
            )
        result_form.decorate()
        if errors.get(RESULT):
            _mark_invalid(result_form, "file", "result-form-error")
    apology_form = None
    # The form only for a dossier that has missed its date or will miss it (the rule
    # apology_issue enforces, so a forged post on another is refused there).
    if (
        dossier.status in APOLOGY_STATUSES
        and may_issue(user, dossier)
        and is_late_or_will_miss(dossier)
    ):
        if bound is not None and bound.prefix == APOLOGY:
            apology_form = bound
        else:
            apology_form = ApologyForm(
                prefix=APOLOGY, initial={"expected_version": dossier.version}
            )
        apology_form.decorate()
        if errors.get(APOLOGY):
            _mark_invalid(apology_form, "reason", "apology-form-error")
    return {
        "result": result,
        "letters": letters,
        "result_form": result_form,
        "result_error": errors.get(RESULT, ""),
        "apology_form": apology_form,
        "apology_error": errors.get(APOLOGY, ""),
    }


def _post(request, code: str, *, kind: str, form_class, allowed, denied, run):
    """Validate the posted form, run the service, redirect or re-render with the refusal."""
    dossier = selectors.dossier_get_for(request.user, code)
    if not allowed(request.user, dossier):
        raise denied
    form = form_class(request.POST, request.FILES, prefix=kind)
    unknown = form.unknown_keys(request.POST, request.FILES)
    error: TinhsoError | None = None
    if unknown:
        error = _forged(unknown)
    elif not form.is_valid():
        if form.has_error("expected_version"):
            error = StaleVersion()
        else:
            error = ValidationError(_("Vui lòng kiểm tra lại các trường đã nhập."))
    else:
        try:
            done = run(dossier, form)
        except TinhsoError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            messages.success(request, done)
            return redirect("dossiers:office_detail", code=dossier.code)
    dossier = selectors.dossier_get_for(request.user, code)
    general = ""
    errors: dict = {}
    bound = None
    if isinstance(error, StaleVersion):
        general = str(error.message)  # fresh forms carry the new version
    else:
        errors[kind] = str(error.message)
        if kind == APOLOGY:
            data = form.data.copy()
            data[form.add_prefix("expected_version")] = str(dossier.version)
            bound = form_class(data, prefix=kind)
            bound.is_valid()
    context = _detail_context(request, dossier, bound=bound, errors=errors, general=general)
    if errors.get(kind) and context.get(f"{kind}_form") is None:
        context["general_error"] = errors[kind]  # the form is no longer offered: say why on top
    context["backoffice_nav"] = _backoffice_nav("ho-so")
    return render(request, "dossiers/office_detail.html", context, status=error.status)


@never_cache
@official_required
@require_POST
def office_result_upload(request, code: str):
    def run(dossier, form):
        result_upload(
            actor=request.user,
            dossier=dossier,
            uploaded_file=form.cleaned_data["file"],
            expected_version=form.cleaned_data["expected_version"],
        )
        return _("Đã lưu kết quả đã ký số của hồ sơ %(code)s.") % {"code": dossier.code}

    return _post(
        request,
        code,
        kind=RESULT,
        form_class=ResultUploadForm,
        allowed=may_upload,
        denied=ResultUploadDenied(),
        run=run,
    )


@never_cache
@official_required
@require_POST
def office_apology(request, code: str):
    def run(dossier, form):
        letter = apology_issue(
            actor=request.user,
            dossier=dossier,
            expected_version=form.cleaned_data["expected_version"],
            **form.params(),
        )
        return _("Đã phát hành phiếu xin lỗi, hẹn trả kết quả hồ sơ %(code)s vào %(due)s.") % {
            "code": dossier.code,
            "due": _moment(letter.new_due_at),
        }

    return _post(
        request,
        code,
        kind=APOLOGY,
        form_class=ApologyForm,
        allowed=may_issue,
        denied=ApologyNotAllowed(
            _("Chỉ lãnh đạo cơ quan giải quyết hoặc bộ phận một cửa được lập phiếu xin lỗi.")
        ),
        run=run,
    )


def _moment(value) -> str:
    from django.utils import timezone

    local = timezone.localtime(value)
    return f"{local:%H:%M %d/%m/%Y}"


def _result_file(request, code: str):
    dossier = selectors.dossier_get_for(request.user, code)
    result = DossierResult.objects.select_related("stored_file").filter(dossier=dossier).first()
    if result is None:
        raise DossierNotFound()
    return file_response(request, result.stored_file)


def _letter_file(request, code: str, letter_id: int):
    dossier = selectors.dossier_get_for(request.user, code)
    letter = (
        dossier.apologies.select_related("stored_file")
        .filter(pk=letter_id, stored_file__isnull=False)
        .first()
    )
    if letter is None:
        raise DossierNotFound()
    return file_response(request, letter.stored_file)


@official_required
def office_result(request, code: str):
    return _result_file(request, code)


@official_required
def office_letter(request, code: str, letter_id: int):
    return _letter_file(request, code, letter_id)


@citizen_required
def my_letter(request, code: str, letter_id: int):
    return _letter_file(request, code, letter_id)
