"""Pages of signed e-results: public verification, the citizen's download and papers store.

- ``/xac-thuc-ket-qua/<token>/`` (anyone, no sign-in): the result's summary
  (procedure, agency, signer, date, masked applicant, sha256) and a form to
  check a file; a code that does not exist is the 404 page. Wrong codes and
  files that are not valid count against the client's address like the
  tracking look-up's: past the limit, the 429 page (``too_many_attempts``).
- ``/ca-nhan/ho-so/<code>/ket-qua.pdf``: the citizen downloads their result.
- ``/ca-nhan/kho-giay-to/``: the citizen's stored results ("Kho giấy tờ").
"""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tinhso.core.files import file_response
from tinhso.dossiers import selectors
from tinhso.dossiers.errors import DossierNotFound
from tinhso.dossiers.models import DossierResult
from tinhso.dossiers.results import (
    citizen_results,
    result_public,
    result_public_check,
    result_summary,
)
from tinhso.dossiers.views import citizen_required

MAX_CHECK_BYTES = 20 * 1024 * 1024


class CheckForm(forms.Form):
    file = forms.FileField(label=_("Tệp kết quả cần kiểm tra (PDF)"))


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    result = result_public(token)
    verdict = None
    status = 200
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(MAX_CHECK_BYTES + 1)
            verdict = result_public_check(token=token, data=data[:MAX_CHECK_BYTES])
            if not verdict.valid:
                status = 400
        else:
            status = 400
    else:
        form = CheckForm()
    return render(
        request,
        "dossiers/result_verify.html",
        {"summary": result_summary(result), "form": form, "verdict": verdict, "token": token},
        status=status,
    )


@citizen_required
def my_result(request, code: str):
    dossier = selectors.dossier_get_for(request.user, code)
    result = DossierResult.objects.select_related("stored_file").filter(dossier=dossier).first()
    if result is None:
        raise DossierNotFound()
    return file_response(request, result.stored_file)


@citizen_required
def my_papers(request):
    citizen = request.user.citizen
    rows = list(citizen_results(citizen)) if citizen is not None else []
    return render(request, "dossiers/result_papers.html", {"results": rows})
