"""Signed electronic results of dossiers: issue, upload, public verification, reuse.

When a dossier is decided (approved), ``result_issue`` draws the result
document (``tinhso.core.documents``: agency, procedure, applicant, decision
text, a QR code to ``/xac-thuc-ket-qua/<token>/``), signs it with the competent
agency's certificate (``tinhso.core.signing``, PAdES baseline B), stores it as
a ``core.StoredFile`` and records a ``DossierResult``. An officer may instead
upload a file already signed elsewhere (``result_upload``): it must be a PDF and
its signature must verify against the trusted root.

``result_check(token=..., data=...)`` is the public verification: a token that
does not exist is a 404 (same answer for any guess); a presented file must be
byte-identical to the stored one and carry a valid signature.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core.audit import audit_record
from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.files import file_open, file_store
from tinhso.core.signing import organisation_signer, sign_pdf, verify_pdf
from tinhso.dossiers.choices import DossierStatus, ResultSource
from tinhso.dossiers.models import DossierResult

VERIFY_PREFIX = "/xac-thuc-ket-qua/"
logger = logging.getLogger(__name__)


class ResultNotFound(NotFound):
    code = "result_not_found"
    default_message = gettext_lazy("Không tìm thấy kết quả với mã xác thực này.")


class ResultSignatureInvalid(ValidationError):
    code = "result_signature_invalid"


class ResultAlreadyIssued(ValidationError):
    code = "result_already_issued"


class ResultNotDecided(ValidationError):
    code = "result_not_decided"


class ResultUploadDenied(PermissionDenied):
    code = "result_upload_denied"
    default_message = gettext_lazy("Chỉ lãnh đạo cơ quan giải quyết được tải lên kết quả.")


DECIDED = frozenset({DossierStatus.PROCESSED, DossierStatus.RETURNED})


REASONS = {
    "not_pdf": gettext_lazy("Tệp không phải là tệp PDF."),
    "unreadable": gettext_lazy("Không đọc được tệp PDF."),
    "unsigned": gettext_lazy("Tệp không có chữ ký số."),
    "malformed_signature": gettext_lazy("Chữ ký số trong tệp bị hỏng."),
    "altered": gettext_lazy("Nội dung tệp đã bị thay đổi sau khi ký."),
    "modified_after_signing": gettext_lazy("Tệp đã bị thêm nội dung sau khi ký."),
    "untrusted_signer": gettext_lazy(
        "Chữ ký số không thuộc cơ quan có thẩm quyền được hệ thống tin cậy."
    ),
    "not_the_issued_file": gettext_lazy("Tệp không trùng với bản kết quả đã cấp."),
}


def new_token() -> str:
    """A random, non-guessable verification code (about 160 bits)."""
    return secrets.token_urlsafe(20)


def verification_path(token: str) -> str:
    try:
        return reverse("dossiers:result_verify", args=[token])
    except NoReverseMatch:
        return f"{VERIFY_PREFIX}{token}/"


def verification_url(token: str, request=None) -> str:
    """The absolute verification address, on the public address whoever signs (request or job)."""
    from tinhso.core.links import public_url

    return public_url(verification_path(token))


def result_document(dossier, *, token: str, decision: str = "", request=None):
    """The result document of ``dossier`` with the QR code of its verification address."""
    from tinhso.core.documents import (
        KeyValues,
        OfficialDocument,
        Paragraph,
        Qr,
        Signature,
        place_date,
    )

    agency = dossier.competent_organisation
    parent = agency.parent.name if agency.parent_id else ""
    today = timezone.localdate()
    place = agency.unit.name if getattr(agency, "unit_id", None) else ""
    text = decision or _(
        "%(agency)s đã giải quyết xong hồ sơ %(code)s về thủ tục “%(procedure)s” "
        "và chấp thuận yêu cầu của người nộp hồ sơ."
    ) % {"agency": agency.name, "code": dossier.code, "procedure": dossier.procedure.name}
    return OfficialDocument(
        agency_parent=parent.upper(),
        agency=agency.name.upper(),
        number=dossier.code or "",
        place_date=place_date(place, today) if place else "",
        title=_("Kết quả giải quyết thủ tục hành chính"),
        subtitle=dossier.procedure.name,
        author=agency.name,
        subject=dossier.procedure.name,
        blocks=[
            KeyValues(
                [
                    (_("Mã hồ sơ"), dossier.code or ""),
                    (_("Thủ tục"), dossier.procedure.name),
                    (_("Người nộp hồ sơ"), dossier.applicant.full_name),
                    (_("Số định danh cá nhân"), dossier.applicant.masked_id_number),
                    (_("Cơ quan giải quyết"), agency.name),
                ]
            ),
            Paragraph(text),
            Qr(
                verification_url(token, request),
                caption=_(
                    "Quét mã để xác thực kết quả. Văn bản được ký số bởi %(agency)s; "
                    "mã xác thực: %(token)s"
                )
                % {"agency": agency.name, "token": token},
            ),
            Signature(title=agency.name.upper(), name="", note=_("(Đã ký số)")),
        ],
    )


def _record(
    *, actor, dossier, stored, data: bytes, token: str, source: str, check
) -> DossierResult:
    result = DossierResult.objects.create(
        dossier=dossier,
        stored_file=stored,
        sha256=hashlib.sha256(data).hexdigest(),
        token=token,
        source=source,
        signer_name=check.signer_name,
        signer_identifier_code=check.signer_identifier_code,
        signer_serial=check.signer_serial[:64],
        signed_at=check.signed_at or timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="dossier.result_" + source,
        obj=result,
        changes={
            "dossier": dossier.code,
            "sha256": result.sha256,
            "signer": result.signer_identifier_code,
        },
    )
    return result


def result_issue(*, actor, dossier, decision: str = "", request=None) -> DossierResult:
    """Draw, sign (competent agency) and store the result of ``dossier``; one per dossier."""
    from tinhso.core.documents import render_pdf

    if dossier.status not in DECIDED:
        raise ResultNotDecided(_("Hồ sơ chưa được phê duyệt nên chưa có kết quả."))
    if DossierResult.objects.filter(dossier=dossier).exists():
        raise ResultAlreadyIssued(_("Hồ sơ đã có kết quả điện tử."))
    token = new_token()
    agency = dossier.competent_organisation
    pdf = render_pdf(result_document(dossier, token=token, decision=decision, request=request))
    signed = sign_pdf(
        pdf,
        signer=organisation_signer(agency),
        reason=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code},
        location=agency.name,
    )
    check = verify_pdf(signed)
    upload = ContentFile(signed, name=f"ket-qua-{dossier.code or dossier.pk}.pdf")
    with transaction.atomic():
        stored = file_store(
            actor=actor, uploaded_file=upload, purpose="dossier_result", accepted_types=("pdf",)
        )
        return _record(
            actor=actor,
            dossier=dossier,
            stored=stored,
            data=signed,
            token=token,
            source=ResultSource.GENERATED,
            check=check,
        )


def may_upload(actor, dossier) -> bool:
    """Whether ``actor`` is a head of the dossier's competent agency (who signs its result)."""
    return (
        getattr(actor, "role", None) == Role.HEAD
        and actor.organisation_id is not None
        and actor.organisation_id == dossier.competent_organisation_id
    )


def result_upload(
    *, actor, dossier, uploaded_file, expected_version: int | None = None
) -> DossierResult:
    """Keep a result signed outside the platform: a PDF whose signature verifies.

    Only a head of the competent agency (``result_upload_denied``), only for a
    decided dossier (``result_not_decided``) without a result yet
    (``result_already_issued``); ``expected_version``, when given, must be the
    dossier's current version (``stale_version``). Anything but a PDF is refused
    by ``file_store`` (``FileTypeNotAllowed``); an unsigned, altered or
    foreign-signed PDF by ``ResultSignatureInvalid``. Nothing is stored then.
    """
    from tinhso.core.workflow import StaleVersion
    from tinhso.dossiers.models import Dossier

    if not may_upload(actor, dossier):
        raise ResultUploadDenied()
    if dossier.status not in DECIDED:
        raise ResultNotDecided(_("Hồ sơ chưa được phê duyệt nên chưa có kết quả."))
    if DossierResult.objects.filter(dossier=dossier).exists():
        raise ResultAlreadyIssued(_("Hồ sơ đã có kết quả điện tử."))
    with transaction.atomic():
        # One upload at a time per dossier: the second waits here, then sees the first.
        locked = Dossier.objects.select_for_update().only("pk", "version").get(pk=dossier.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion()
        if DossierResult.objects.filter(dossier=dossier).exists():
            raise ResultAlreadyIssued(_("Hồ sơ đã có kết quả điện tử."))
        stored = file_store(
            actor=actor,
            uploaded_file=uploaded_file,
            purpose="dossier_result",
            accepted_types=("pdf",),
        )
        with file_open(stored) as handle:
            data = handle.read()
        check = verify_pdf(data)
        if not check.valid:
            # The row goes with the transaction; do not leave its bytes behind.
            stored.file.storage.delete(stored.file.name)
            raise ResultSignatureInvalid(
                _("Tệp kết quả không hợp lệ: %(reason)s") % {"reason": REASONS[check.reason]},
                details={"reason": check.reason},
            )
        return _record(
            actor=actor,
            dossier=dossier,
            stored=stored,
            data=data,
            token=new_token(),
            source=ResultSource.UPLOADED,
            check=check,
        )


def result_by_token(token: str) -> DossierResult:
    """The result with this verification code; ``ResultNotFound`` for any other string."""
    if not token or len(token) > 64:
        raise ResultNotFound()
    result = (
        DossierResult.objects.select_related(
            "dossier__procedure", "dossier__competent_organisation", "dossier__applicant"
        )
        .filter(token=token)
        .first()
    )
    if result is None:
        raise ResultNotFound()
    return result


def _too_many_checks():
    from tinhso.dossiers.errors import TooManyAttempts

    return TooManyAttempts(
        _("Bạn đã kiểm tra kết quả sai quá nhiều lần. Vui lòng thử lại sau ít phút.")
    )


def result_public(token: str, *, client_ip: str | None = None) -> DossierResult:
    """``result_by_token`` for the public page and API, under the look-ups' failure limit.

    A code that does not exist counts as a failure of the client's address (the
    tracking look-up's counter, kind ``verify``); past the limit every look-up
    from that address answers 429 ``too_many_attempts`` until the window ends.
    """
    from tinhso.dossiers.selectors import failure_record, failures_guard

    failures_guard("verify", client_ip=client_ip, error=_too_many_checks())
    try:
        return result_by_token(token)
    except ResultNotFound:
        failure_record("verify", client_ip=client_ip)
        raise


def result_public_check(*, token: str, data: bytes, client_ip: str | None = None) -> ResultCheck:
    """``result_check`` for the public page and API: a file that is not valid counts as a failure."""
    from tinhso.dossiers.selectors import failure_record

    result_public(token, client_ip=client_ip)
    verdict = result_check(token=token, data=data)
    if not verdict.valid:
        failure_record("verify", client_ip=client_ip)
    return verdict


@dataclass(frozen=True)
class ResultCheck:
    """The answer to "is this file the result issued under this code?"."""

    valid: bool
    reason: str = ""
    message: str = ""


def result_check(*, token: str, data: bytes) -> ResultCheck:
    """Compare a presented file with the result issued under ``token`` and verify its signature."""
    result = result_by_token(token)
    check = verify_pdf(data)
    if not check.valid:
        return ResultCheck(False, check.reason, str(REASONS[check.reason]))
    if hashlib.sha256(data).hexdigest() != result.sha256:
        return ResultCheck(False, "not_the_issued_file", str(REASONS["not_the_issued_file"]))
    return ResultCheck(True, "", _("Hợp lệ: tệp đúng là kết quả đã cấp và chữ ký số hợp lệ."))


def result_summary(result: DossierResult) -> dict:
    """What the public page shows: no personal data but the masked applicant."""
    dossier = result.dossier
    return {
        "procedure": dossier.procedure.name,
        "agency": dossier.competent_organisation.name,
        "signer": result.signer_name,
        "signed_at": result.signed_at,
        "applicant": dossier.applicant.masked_name
        if hasattr(dossier.applicant, "masked_name")
        else _mask_name(dossier.applicant.full_name),
        "sha256": result.sha256,
        "dossier_code": dossier.code,
    }


def _mask_name(full_name: str) -> str:
    parts = full_name.split()
    if not parts:
        return ""
    return " ".join([p[0] + "." for p in parts[:-1]] + [parts[-1]])


def citizen_results(citizen):
    """The citizen's stored results (their "Kho giấy tờ"), newest first."""
    return (
        DossierResult.objects.filter(dossier__applicant=citizen)
        .select_related("dossier__procedure", "dossier__competent_organisation", "stored_file")
        .order_by("-signed_at", "-id")
    )


def result_issue_after_commit(*, actor, dossier) -> None:
    """Issue the signed result once the approval is committed (called by the approve action).

    Signing happens after the approval's transaction so a signing failure never
    undoes a decision; it is logged, and the result can be issued again later
    with ``result_issue``.
    """
    dossier_id = dossier.pk
    actor_id = getattr(actor, "pk", None)

    def issue() -> None:
        from tinhso.core.models import User
        from tinhso.dossiers.models import Dossier

        try:
            fresh = Dossier.objects.select_related(
                "procedure", "competent_organisation__parent", "applicant"
            ).get(pk=dossier_id)
            if DossierResult.objects.filter(dossier_id=dossier_id).exists():
                return
            who = User.objects.filter(pk=actor_id).first() if actor_id else None
            result_issue(actor=who, dossier=fresh)
        except Exception:
            logger.exception("result of dossier %s not issued", dossier_id)

    transaction.on_commit(issue)


class PaperNotReusable(ValidationError):
    code = "paper_not_reusable"


def papers_as_files(*, applicant, components, papers: dict, files: dict | None) -> dict[str, list]:
    """Add the applicant's stored results chosen for ``reusable`` components to ``files``.

    ``papers`` maps a component code to the id of one of the applicant's
    ``DossierResult``; the stored signed file is linked to the new dossier as
    that component's paper (nothing is copied). A component that is not
    reusable, or a result that is not the applicant's, is refused with the same
    ``paper_not_reusable`` error (another person's result is not revealed).
    """
    files = {str(k): list(v or []) for k, v in (files or {}).items()}
    by_code = {c.code: c for c in components}
    for code, result_id in papers.items():
        component = by_code.get(str(code))
        if component is None or not component.reusable:
            raise PaperNotReusable(
                _("Thành phần “%(code)s” không dùng lại được từ kho giấy tờ.")
                % {"code": str(code)[:64]},
                details={"component": str(code)[:64]},
            )
        try:
            pk = int(result_id)
        except (TypeError, ValueError):
            pk = 0
        result = (
            DossierResult.objects.select_related("stored_file")
            .filter(pk=pk, dossier__applicant=applicant)
            .first()
        )
        if result is None:
            raise PaperNotReusable(
                _("Không tìm thấy giấy tờ đã chọn trong kho giấy tờ của người nộp."),
                details={"component": component.code},
            )
        files.setdefault(component.code, []).append(result.stored_file)
    return files
