"""What happened to dossiers: messages to applicants on every status change.

Messages are queued with ``tinhso.core.notifications.notify`` inside the
action's transaction and sent after commit, by email and SMS, to the contact
the applicant gave on the dossier (else their citizen record's).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.dossiers.choices import DossierStatus


def tracking_path(dossier) -> str:
    return f"/tra-cuu-ho-so/?code={dossier.code or ''}"


def tracking_url(dossier) -> str:
    """The tracking page of ``dossier`` on the platform's public address."""
    from tinhso.core.links import public_url

    return public_url(tracking_path(dossier))


def notify_applicant(dossier, *, subject: str, body: str) -> None:
    from tinhso.core.notifications import notify

    applicant = dossier.applicant
    email = dossier.applicant_email or applicant.email
    phone = dossier.applicant_phone or applicant.phone
    from tinhso.core.models import User

    user = User.objects.filter(citizen_id=applicant.pk, is_active=True).first()
    if not (email or phone or user):
        return
    notify(
        subject=subject,
        body=body,
        user=user,
        email=email,
        phone=phone,
        channels=("email", "sms"),
        related=dossier,
    )


def notify_status(dossier, *, note: str = "") -> None:
    """The one message per status change: code, procedure, new status, and why."""
    status = DossierStatus(dossier.status).label
    subject = _("Hồ sơ %(code)s: %(status)s") % {"code": dossier.code, "status": status}
    lines = [
        _("Hồ sơ %(code)s (%(procedure)s) chuyển sang trạng thái: %(status)s.")
        % {"code": dossier.code, "procedure": dossier.procedure.name, "status": status}
    ]
    if note:
        lines.append(_("Nội dung: %(note)s") % {"note": note})
    if dossier.due_at and dossier.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING):
        from django.utils import timezone

        lines.append(
            _("Hẹn trả kết quả: %(due)s.")
            % {"due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")}
        )
    lines.append(
        _("Tra cứu bằng mã hồ sơ và số định danh tại %(path)s") % {"path": tracking_url(dossier)}
    )
    notify_applicant(dossier, subject=subject, body="\n".join(lines))
