"""Writes of the dossier domain: submission (and receipt at the desk).

Every other change of a dossier is an action (``tinhso.dossiers.actions``),
run through ``tinhso.core.workflow.Action.run``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tinhso.core import calendar
from tinhso.core.audit import audit_record
from tinhso.core.choices import Role
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.permissions import is_signed_in
from tinhso.core.workflow import step_start
from tinhso.dossiers import routing
from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.errors import (
    ChannelNotAllowed,
    CitizenRequired,
    ComponentMissing,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InvalidUnit,
    ProcedureNotOnline,
    TooManyFiles,
    UnknownField,
)
from tinhso.dossiers.models import Dossier, DossierEvent, DossierFile

# The declaration fields a dossier's form may carry besides its files; any
# other key is refused (``unknown_field``): a forged field never gets stored.
FORM_FIELDS: dict[str, int] = {
    "applicant_name": 150,
    "address": 300,
    "phone": 20,
    "email": 254,
    "content": 2000,
    "note": 1000,
    "result_delivery": 20,
    "copies": 5,
}
RESULT_DELIVERY = frozenset({"in_person", "post", "online"})
MAX_FILES_PER_COMPONENT = 5
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
_TYPE_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg"}


def accepted_kinds(component) -> tuple[str, ...]:
    """The component's accepted types as ``tinhso.core.files`` kinds (jpeg → jpg)."""
    kinds = []
    for ext in component.extensions:
        kind = _TYPE_ALIASES.get(ext, ext)
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def dossier_code(organisation, moment: dt.datetime) -> str:
    """``{agency identifier}-{yyMMdd}-{NNNN}``: the counter runs per agency per local day."""
    from tinhso.core.sequences import next_value

    stamp = calendar.get_calendar().local(moment).strftime("%y%m%d")
    number = next_value(scope=f"dossier:{organisation.identifier_code}:{stamp}")
    return f"{organisation.identifier_code}-{stamp}-{number:04d}"


def clean_form_data(form_data: Any) -> dict[str, Any]:
    if form_data in (None, ""):
        return {}
    if not isinstance(form_data, dict):
        raise ValidationError(_("Tờ khai phải là một đối tượng JSON."), code="invalid_form_data")
    unknown = sorted(str(key)[:64] for key in form_data if key not in FORM_FIELDS)
    if unknown:
        raise UnknownField(
            _("Tờ khai có trường không thuộc thủ tục: %(fields)s.")
            % {"fields": ", ".join(unknown[:10])},
            details={"fields": unknown[:10]},
        )
    cleaned: dict[str, Any] = {}
    for key, value in form_data.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError(
                _("Trường “%(field)s” phải là chuỗi ký tự.") % {"field": key},
                code="invalid_form_data",
                details={"field": key},
            )
        text = str(value).strip()
        if len(text) > FORM_FIELDS[key]:
            raise ValidationError(
                _("Trường “%(field)s” dài quá %(n)s ký tự.")
                % {"field": key, "n": FORM_FIELDS[key]},
                code="invalid_form_data",
                details={"field": key},
            )
        if key == "result_delivery" and text not in RESULT_DELIVERY:
            raise ValidationError(
                _("Hình thức nhận kết quả không hợp lệ."),
                code="invalid_form_data",
                details={"field": key},
            )
        cleaned[key] = text
    return cleaned


def _check_files(components, files: dict[str, list]) -> dict[str, list]:
    by_code = {c.code: c for c in components}
    files = {str(k): list(v or []) for k, v in (files or {}).items()}
    unknown = sorted(code[:64] for code in files if code not in by_code)
    if unknown:
        raise UnknownField(
            _("Hồ sơ có thành phần không thuộc thủ tục: %(codes)s.")
            % {"codes": ", ".join(unknown[:10])},
            details={"components": unknown[:10]},
        )
    missing = [c for c in components if c.required and not files.get(c.code)]
    if missing:
        raise ComponentMissing(
            _("Hồ sơ còn thiếu thành phần bắt buộc: %(names)s.")
            % {"names": "; ".join(c.name for c in missing[:5])},
            details={"components": [c.code for c in missing]},
        )
    for code, items in files.items():
        if len(items) > MAX_FILES_PER_COMPONENT:
            raise TooManyFiles(
                _("Mỗi thành phần hồ sơ được đính kèm tối đa %(n)s tệp.")
                % {"n": MAX_FILES_PER_COMPONENT},
                details={"component": code},
            )
    return files


def store_component_files(*, actor, dossier, components, files, supplement=None) -> list:
    """Check and keep each file under its component's types and size; link them to the dossier."""
    from tinhso.core.files import file_store
    from tinhso.core.models import StoredFile

    by_code = {c.code: c for c in components}
    rows = []
    for code, items in files.items():
        component = by_code[code]
        for uploaded in items:
            # A paper reused from the citizen's store is already kept (tinhso.dossiers.results).
            stored = (
                uploaded
                if isinstance(uploaded, StoredFile)
                else file_store(
                    actor=actor,
                    uploaded_file=uploaded,
                    purpose="dossier",
                    accepted_types=accepted_kinds(component),
                    max_bytes=int(component.max_size_mb) * 1024 * 1024,
                )
            )
            rows.append(
                DossierFile(
                    dossier=dossier, component=component, stored_file=stored, supplement=supplement
                )
            )
    DossierFile.objects.bulk_create(rows)
    return rows


def _check_actor(actor, applicant, channel: str):
    if not is_signed_in(actor):
        raise PermissionDenied()
    if actor.role == Role.CITIZEN:
        if channel != Channel.ONLINE:
            raise ChannelNotAllowed()
        if not actor.citizen_id:
            raise CitizenRequired()
        if applicant.pk != actor.citizen_id:
            # A citizen submits for themselves; an officer at the desk for others.
            raise PermissionDenied()
        return
    if actor.role == Role.DESK_OFFICER:
        if channel == Channel.ONLINE:
            raise ChannelNotAllowed()
        if not actor.organisation_id:
            raise PermissionDenied()
        return
    raise PermissionDenied()


def _existing_for_key(actor, key: str, procedure) -> Dossier | None:
    if not key:
        return None
    existing = (
        Dossier.objects.filter(submitted_by=actor, idempotency_key=key)
        .select_related("procedure")
        .first()
    )
    if existing is not None and existing.procedure_id != procedure.pk:
        raise IdempotencyKeyReused()
    return existing


def dossier_submit(
    *,
    actor,
    procedure,
    case=None,
    applicant,
    channel: str,
    receiving_organisation=None,
    unit,
    form_data: dict | None = None,
    files: dict[str, list] | None = None,
    idempotency_key: str = "",
    applicant_phone: str = "",
    applicant_email: str = "",
    papers: dict[str, int] | None = None,
) -> Dossier:
    """Submit a dossier online (citizen) or at the desk on a citizen's behalf (desk officer).

    Online dossiers wait in the receiving desk's inbox (``new``); a desk
    submission (in person or by post) is received at once, so its clock starts
    now. The same ``idempotency_key`` from the same submitter returns the first
    dossier; two concurrent requests with one key meet the unique constraint
    and the loser returns the winner's dossier.
    """
    key = (idempotency_key or "").strip()
    if key and not IDEMPOTENCY_KEY.match(key):
        raise IdempotencyKeyRequired()
    if channel not in Channel.values:
        raise ChannelNotAllowed()
    _check_actor(actor, applicant, channel)
    existing = _existing_for_key(actor, key, procedure)
    if existing is not None:
        return existing
    if not procedure.is_active:
        raise ProcedureNotOnline()
    if channel == Channel.ONLINE and not procedure.is_online:
        raise ProcedureNotOnline()
    if case is not None and case.procedure_id != procedure.pk:
        raise UnknownField(details={"case": getattr(case, "code", "")})
    if unit is None:
        raise InvalidUnit()
    cleaned = clean_form_data(form_data)
    components = procedure.components_for(case)
    if papers:
        from tinhso.dossiers.results import papers_as_files

        files = papers_as_files(
            applicant=applicant, components=components, papers=papers, files=files
        )
    files = _check_files(components, files or {})

    competent = routing.competent_organisation(procedure, unit)
    if actor.role == Role.DESK_OFFICER:
        receiving = actor.organisation
    else:
        receiving = receiving_organisation or routing.default_receiving_organisation(
            procedure, unit, competent
        )
    routing.check_receiving_organisation(receiving, unit)

    try:
        with transaction.atomic():
            now = calendar.now()
            dossier = Dossier(
                procedure=procedure,
                case=case,
                applicant=applicant,
                applicant_phone=(applicant_phone or cleaned.get("phone") or applicant.phone)[:20],
                applicant_email=(applicant_email or cleaned.get("email") or applicant.email)[:254],
                submitted_by=actor,
                channel=channel,
                receiving_organisation=receiving,
                competent_organisation=competent,
                unit=unit,
                form_data=cleaned,
                submitted_at=now,
                status=DossierStatus.NEW,
                idempotency_key=key,
                current_organisation=receiving,
                current_role=Role.DESK_OFFICER,
                step_started_at=now,
            )
            dossier.code = dossier_code(receiving, now)
            dossier.save(force_insert=True)
            stored = store_component_files(
                actor=actor, dossier=dossier, components=components, files=files
            )
            DossierEvent.objects.create(
                dossier=dossier,
                action="submit",
                from_status="",
                to_status=DossierStatus.NEW,
                actor_id=actor.pk,
                actor_label=str(actor)[:150],
                organisation_id=actor.organisation_id,
                at=now,
                data={"channel": channel, "files": len(stored)},
            )
            audit_record(
                actor=actor,
                action="dossier.submit",
                obj=dossier,
                changes={
                    "procedure": procedure.national_code,
                    "channel": channel,
                    "receiving_organisation": receiving.identifier_code,
                    "competent_organisation": competent.identifier_code,
                    "files": len(stored),
                },
            )
            if actor.role == Role.DESK_OFFICER:
                from tinhso.dossiers.actions import ReceiveAction

                dossier = ReceiveAction().run(actor=actor, subject=dossier)
            else:
                from tinhso.dossiers.events import notify_status

                notify_status(dossier)
    except IntegrityError:
        existing = _existing_for_key(actor, key, procedure)
        if existing is None:
            raise
        return existing
    return dossier


def receive(dossier: Dossier, *, actor, at: dt.datetime) -> None:
    """Valid receipt: the legal clock starts and the dossier goes to its first step.

    The due moment is computed from ``at`` on the working-time calendar, so a
    dossier received after hours counts from the next working moment.
    """
    from tinhso.dossiers.process import due_moment, process_for

    dossier.status = DossierStatus.RECEIVED
    dossier.received_at = at
    dossier.received_by = actor
    dossier.due_at = due_moment(dossier.procedure, dossier.case, dossier.channel, at)
    process = process_for(dossier.procedure, dossier.case)
    step = process.first_after_receipt()
    if step is None:
        step = process.first()
    step_start(
        dossier,
        step_code=step.code,
        role=step.role,
        organisation=routing.step_organisation(step, dossier),
        hours=step.hours,
        at=at,
    )
