"""API of signed e-results: public verification (no sign-in).

- ``GET /api/v1/dossiers/results/verify?token=...``: the result's summary; an
  unknown code is ``404 result_not_found`` (the same for any guess).
- ``POST /api/v1/dossiers/results/verify`` (multipart: ``token``, ``file``):
  whether the file is the issued result with a valid signature, and why not.
- ``POST /api/v1/dossiers/results/<code>/upload`` (signed in, head of the
  competent agency; multipart ``file``): keep a result signed elsewhere; a
  non-PDF or a PDF whose signature does not verify is refused, nothing kept.

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
    DECIDED,
    ResultNotDecided,
    result_by_token,
    result_check,
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
    summary = result_summary(result_by_token(token))
    summary.pop("dossier_code", None)
    return summary


@router.post("/verify", response=CheckOut, summary="Kiểm tra tệp kết quả")
def verify_file(request):
    token = str(request.POST.get("token", ""))
    upload = request.FILES.get("file")
    result_by_token(token)
    if upload is None:
        raise ValidationError(_("Vui lòng gửi tệp kết quả cần kiểm tra."), code="file_required")
    verdict = result_check(token=token, data=upload.read(MAX_CHECK_BYTES))
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
    if not (user.role == Role.HEAD and user.organisation_id == dossier.competent_organisation_id):
        raise PermissionDenied(
            _("Chỉ lãnh đạo cơ quan giải quyết được tải lên kết quả."), code="result_upload_denied"
        )
    if dossier.status not in DECIDED:
        raise ResultNotDecided(_("Hồ sơ chưa được phê duyệt nên chưa có kết quả."))
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
