"""API of signed e-results: public verification (no sign-in).

- ``GET /api/v1/dossiers/results/verify?token=...``: the result's summary; an
  unknown code is ``404 result_not_found`` (the same for any guess).
- ``POST /api/v1/dossiers/results/verify`` (multipart: ``token``, ``file``):
  whether the file is the issued result with a valid signature, and why not.

Registered in ``tinhso/api.py`` before the dossiers router so that ``results``
is not read as a dossier code.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema

from tinhso.core.exceptions import ValidationError
from tinhso.dossiers.results import result_by_token, result_check, result_summary

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
