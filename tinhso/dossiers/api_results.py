"""API of signed e-results: public verification (no sign-in).

- ``GET /api/v1/dossiers/results/verify?token=...``: the result's summary; an
  unknown code is ``404 result_not_found`` (the same for any guess). Unknown
  codes and files that are not the result count against the caller's address:
  past the limit, ``429 too_many_attempts`` (the tracking look-up's counter).
- ``POST /api/v1/dossiers/results/verify`` (multipart: ``token``, ``file``):
  whether the file is the issued result with a valid signature, and why not.
- ``POST /api/v1/dossiers/results/<code>/upload`` (signed in, head of the
  competent agency; multipart ``file``): keep a result signed elsewhere; a
  non-PDF or a PDF whose signature does not verify is refused, nothing kept.
- ``GET /api/v1/dossiers/results/mine`` (signed-in citizen): their stored
  results; the ``id`` is what ``papers`` takes when submitting a dossier.

Registered in ``tinhso/api.py`` before the dossiers router so that ``results``
is not read as a dossier code.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema

from tinhso.core.auth import api_auth
from tinhso.core.choices import Role
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.dossiers import selectors
from tinhso.dossiers.results import (
    citizen_results,
    result_public,
    result_public_check,
    result_summary,
    result_upload,
)

router = Router(tags=["dossiers"])

MAX_CHECK_BYTES = 20 * 1024 * 1024


class SummaryOut(Schema):
    procedure: str
    agency: str
    signer: str
    signed_at: dt.datetime
    applicant: str
    sha256: str


class CheckOut(Schema):
    valid: bool
    reason: str
    message: str


@router.get("/verify", response=SummaryOut, summary="Thông tin kết quả theo mã xác thực")
def verify_summary(request, token: str = ""):
    """An unknown code counts as a failure of the caller's address: past the limit, 429."""
    summary = result_summary(result_public(token))
    summary.pop("dossier_code", None)
    return summary


@router.post("/verify", response=CheckOut, summary="Kiểm tra tệp kết quả")
def verify_file(request):
    token = str(request.POST.get("token", ""))
    upload = request.FILES.get("file")
    result_public(token)
    if upload is None:
        raise ValidationError(_("Vui lòng gửi tệp kết quả cần kiểm tra."), code="file_required")
    verdict = result_public_check(token=token, data=upload.read(MAX_CHECK_BYTES))
    return {"valid": verdict.valid, "reason": verdict.reason, "message": verdict.message}


class ResultOut(Schema):
    token: str
    sha256: str
    signer: str
    signed_at: dt.datetime
    source: str


@router.post(
    "/{code}/upload", response=ResultOut, auth=api_auth, summary="Tải lên kết quả đã ký số"
)
def upload_result(request, code: str):
    """A head of the competent agency uploads a result signed elsewhere (multipart ``file``)."""
    user = request.auth
    dossier = selectors.dossier_get_for(user, code)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError(_("Vui lòng gửi tệp kết quả cần kiểm tra."), code="file_required")
    result = result_upload(actor=user, dossier=dossier, uploaded_file=upload)
    return {
        "token": result.token,
        "sha256": result.sha256,
        "signer": result.signer_name,
        "signed_at": result.signed_at,
        "source": result.source,
    }


class PaperOut(Schema):
    id: int
    dossier_code: str
    procedure: str
    signer: str
    signed_at: dt.datetime
    token: str


@router.get("/mine", response=list[PaperOut], auth=api_auth, summary="Kho giấy tờ của tôi")
def my_papers(request):
    """The signed-in citizen's stored results; ``id`` is what ``papers`` takes when submitting."""
    user = request.auth
    if user.role != Role.CITIZEN:
        raise PermissionDenied(_("Kho giấy tờ chỉ dành cho công dân."), code="citizens_only")
    citizen = user.citizen
    rows = list(citizen_results(citizen)) if citizen is not None else []
    return [
        {
            "id": row.pk,
            "dossier_code": row.dossier.code,
            "procedure": row.dossier.procedure.name,
            "signer": row.signer_name,
            "signed_at": row.signed_at,
            "token": row.token,
        }
        for row in rows
    ]
