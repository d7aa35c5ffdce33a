"""Apology letters for late dossiers: issue, render as PDF, send, count, list the due ones.

A dossier that will miss or has missed its promised date gets a letter from the
agency (phiếu xin lỗi và hẹn lại ngày trả kết quả, after Circular 01/2018/TT-VPCP,
form 04 — check the layout against the circular's appendix), with a new date
computed from the working calendar. See docs/apologies.md.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core import calendar
from tinhso.core.audit import audit_record
from tinhso.core.choices import Role
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.dossiers.choices import OPEN_STATUSES, DossierStatus

MAX_REASON = 2000
MAX_EXTRA_DAYS = 60
# Lists: a dossier "will miss" when due within this many working hours and not near
# completion (not yet waiting for approval or return).
DUE_WITHIN_HOURS = 8
NEAR_COMPLETION_STEP_KINDS = ("approve", "return")
# Statuses in which an apology still makes sense: open, or processed but not returned.
APOLOGY_STATUSES = frozenset(OPEN_STATUSES | {DossierStatus.PROCESSED}) - {DossierStatus.NEW}


class ApologyNotAllowed(PermissionDenied):
    code = "apology_not_allowed"


class ApologyInvalid(ValidationError):
    code = "apology_invalid"


class ApologyNotDue(ApologyInvalid):
    code = "apology_not_due"


def may_issue(actor, dossier) -> bool:
    """The competent agency's head, or a desk officer of the receiving agency."""
    role = getattr(actor, "role", None)
    if role == Role.HEAD:
        return actor.organisation_id == dossier.competent_organisation_id
    if role == Role.DESK_OFFICER:
        return actor.organisation_id == dossier.receiving_organisation_id
    return False


def is_late_or_will_miss(
    dossier, *, now: dt.datetime | None = None, within_hours: float = DUE_WITHIN_HOURS
) -> bool:
    """Whether ``dossier`` may get a letter now: the rule of ``apologies_due``, for one dossier.

    Late: its legal due moment has passed. Will miss: due within ``within_hours``
    working hours, its clock running (not paused) and not near completion (not at an
    approval or return step). A dossier without a due moment is neither.
    """
    due = dossier.due_at
    if due is None:
        return False
    now = now or calendar.now()
    if due <= now:
        return True
    if dossier.paused_since is not None or due > calendar.add_working_hours(now, within_hours):
        return False
    return dossier.step_code not in _near_completion_steps()


def new_due_from(extra_days: float, *, now: dt.datetime | None = None) -> dt.datetime:
    """``extra_days`` working days from now (the calendar skips weekends and holidays)."""
    return calendar.add_working_days(now or calendar.now(), extra_days)


def apology_issue(
    *,
    actor,
    dossier,
    reason: str,
    new_due_at: dt.datetime | None = None,
    extra_days: float | None = None,
    expected_version: int | None = None,
):
    """Issue an apology letter for ``dossier``: stored as PDF, sent to the applicant, audited.

    Only for a dossier that has missed its due moment or will miss it
    (``is_late_or_will_miss``, the rule of ``apologies_due``), else ``apology_not_due``.
    Give either ``new_due_at`` or ``extra_days`` (working days from now). The new
    date must be after now and after the date promised so far. The dossier's own
    ``due_at`` is not changed: the legal deadline still decides lateness.
    ``expected_version`` (the pages send the version they showed), when given,
    must be the dossier's current version, else ``stale_version`` and nothing is written.
    """
    from tinhso.core.files import file_store
    from tinhso.core.workflow import StaleVersion
    from tinhso.dossiers.events import notify_applicant
    from tinhso.dossiers.models import ApologyLetter, Dossier

    if not may_issue(actor, dossier):
        raise ApologyNotAllowed(
            _("Chỉ lãnh đạo cơ quan giải quyết hoặc bộ phận một cửa được lập phiếu xin lỗi.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApologyInvalid(_("Cần ghi lý do chậm trả kết quả."))
    if len(reason) > MAX_REASON:
        raise ApologyInvalid(_("Lý do quá dài."))
    now = calendar.now()
    if new_due_at is None:
        if extra_days is None or not (0 < extra_days <= MAX_EXTRA_DAYS):
            raise ApologyInvalid(
                _("Số ngày làm việc hẹn thêm phải từ 1 đến %(n)d.") % {"n": MAX_EXTRA_DAYS}
            )
        new_due_at = new_due_from(extra_days, now=now)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if expected_version is not None and dossier.version != expected_version:
            raise StaleVersion()
        if dossier.status not in APOLOGY_STATUSES:
            raise ApologyInvalid(_("Hồ sơ đã kết thúc, không lập phiếu xin lỗi."))
        if not is_late_or_will_miss(dossier, now=now):
            raise ApologyNotDue(
                _("Hồ sơ chưa quá hạn và không có nguy cơ trễ hẹn, chưa lập phiếu xin lỗi.")
            )
        latest = dossier.apologies.order_by("-issued_at", "-id").first()
        promised = latest.new_due_at if latest is not None else dossier.due_at
        if new_due_at <= now:
            raise ApologyInvalid(_("Ngày hẹn lại phải sau thời điểm hiện tại."))
        if promised is not None and new_due_at <= promised:
            raise ApologyInvalid(_("Ngày hẹn lại phải sau ngày đã hẹn."))
        letter = ApologyLetter.objects.create(
            dossier=dossier,
            reason=reason,
            previous_due_at=promised,
            new_due_at=new_due_at,
            issued_at=now,
            issued_by=actor,
        )
        pdf = render_apology(letter)
        letter.stored_file = file_store(
            actor=actor,
            uploaded_file=ContentFile(pdf, name=f"phieu-xin-loi-{dossier.code}.pdf"),
            purpose="apology",
            accepted_types=("pdf",),
        )
        letter.save(update_fields=["stored_file"])
        audit_record(
            actor=actor,
            action="dossier.apology",
            obj=dossier,
            changes={
                "reason": reason,
                "previous_due_at": promised.isoformat() if promised else None,
                "new_due_at": new_due_at.isoformat(),
            },
        )
        notify_applicant(
            dossier,
            subject=_("Xin lỗi vì chậm trả kết quả hồ sơ %(code)s") % {"code": dossier.code},
            body=_(
                "Hồ sơ %(code)s chưa có kết quả đúng hẹn. Lý do: %(reason)s. "
                "Cơ quan xin lỗi và hẹn trả kết quả vào %(due)s."
            )
            % {"code": dossier.code, "reason": reason.rstrip("."), "due": _moment(new_due_at)},
        )
    return letter


def _moment(value) -> str:
    local = timezone.localtime(value)
    return f"{local:%H:%M} {local:%d/%m/%Y}"


def render_apology(letter) -> bytes:
    """The letter as PDF (tinhso.core.documents)."""
    from tinhso.core.documents import (
        KeyValues,
        OfficialDocument,
        Paragraph,
        Signature,
        place_date,
        render_pdf,
    )

    dossier = letter.dossier
    agency = dossier.competent_organisation
    parent = agency.parent.name if agency.parent_id else ""
    doc = OfficialDocument(
        agency_parent=parent.upper(),
        agency=agency.name.upper(),
        number=dossier.code or "",
        place_date=place_date(agency.unit.name, timezone.localtime(letter.issued_at).date()),
        title=_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        blocks=[
            Paragraph(
                _("Kính gửi: %(name)s") % {"name": dossier.applicant.full_name}, indent=False
            ),
            KeyValues(
                [
                    (_("Mã hồ sơ"), dossier.code or ""),
                    (_("Nội dung yêu cầu giải quyết"), dossier.procedure.name),
                    (
                        _("Ngày hẹn trả kết quả"),
                        _moment(letter.previous_due_at) if letter.previous_due_at else "",
                    ),
                ]
            ),
            Paragraph(
                _("Hồ sơ của ông/bà chưa được giải quyết đúng thời hạn đã hẹn. Lý do: %(reason)s")
                % {"reason": letter.reason}
            ),
            Paragraph(
                _("%(agency)s xin lỗi ông/bà vì sự chậm trễ này và hẹn trả kết quả vào %(due)s.")
                % {"agency": agency.name, "due": _moment(letter.new_due_at)},
                bold=True,
            ),
            Signature(
                _("Thủ trưởng cơ quan"),
                letter.issued_by.full_name or letter.issued_by.username,
                note=_("(Ký, ghi rõ họ tên)"),
            ),
        ],
        author=agency.name,
        subject=_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    )
    return render_pdf(doc)


def apologies_due(*, now: dt.datetime | None = None, within_hours: float = DUE_WITHIN_HOURS):
    """Open dossiers without a letter that have missed their date, or will miss it.

    "Will miss": due within ``within_hours`` working hours, running (not paused),
    and not near completion (not at an approval or return step). Returns a
    queryset ordered by due moment.
    """
    from django.db.models import Exists, OuterRef, Q

    from tinhso.dossiers.models import ApologyLetter, Dossier

    now = now or calendar.now()
    limit = calendar.add_working_hours(now, within_hours)
    late = Q(due_at__lte=now)
    will_miss = Q(due_at__gt=now, due_at__lte=limit, paused_since__isnull=True) & ~Q(
        step_code__in=_near_completion_steps()
    )
    return (
        Dossier.objects.filter(status__in=APOLOGY_STATUSES - {DossierStatus.PROCESSED})
        .filter(late | will_miss)
        .filter(~Exists(ApologyLetter.objects.filter(dossier_id=OuterRef("pk"))))
        .select_related("procedure", "competent_organisation")
        .order_by("due_at", "id")
    )


def _near_completion_steps() -> list[str]:
    from tinhso.procedures.models import ProcessStep

    return list(
        ProcessStep.objects.filter(kind__in=NEAR_COMPLETION_STEP_KINDS)
        .values_list("code", flat=True)
        .distinct()
    )


def apologies_count(dossiers) -> int:
    """How many letters the given dossiers received (the indicators' count)."""
    from tinhso.dossiers.models import ApologyLetter

    return ApologyLetter.objects.filter(dossier__in=dossiers).count()
