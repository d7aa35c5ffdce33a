"""Writes on citizens: the identity keyed by the 12-digit CCCD.

Only what the services need is kept (name, date of birth, sex, contact). The
ID number never reaches the audit trail in clear: ``changes`` carries it masked.

Error codes: the CCCD codes of ``tinhso.core.validators.parse_cccd``,
``citizen_exists`` (409), ``full_name_required``, ``full_name_too_long``,
``phone_invalid``, ``email_invalid``, ``citizen_field_unknown``,
``permission_denied``, ``not_found``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.exceptions import Conflict, NotFound, ValidationError
from tinhso.core.models import Citizen
from tinhso.core.permissions import require
from tinhso.core.selectors import get_object_for
from tinhso.core.text import normalise
from tinhso.core.validators import mask_id_number, parse_cccd

_PHONE_RE = re.compile(r"\+?[0-9]{9,15}")
_PHONE_SEPARATORS = re.compile(r"[\s.()\-]+")
_UPDATABLE = ("full_name", "date_of_birth", "sex", "phone", "email")


class CitizenExists(Conflict):
    code = "citizen_exists"
    default_message = _("Đã có công dân với số CCCD này.")


def _clean_name(full_name: str) -> str:
    name = normalise(full_name if isinstance(full_name, str) else "")
    if not name:
        raise ValidationError(_("Cần nhập họ và tên."), code="full_name_required")
    if len(name) > Citizen._meta.get_field("full_name").max_length:
        raise ValidationError(_("Họ và tên dài quá 150 ký tự."), code="full_name_too_long")
    return name


def _clean_phone(phone: str) -> str:
    phone = _PHONE_SEPARATORS.sub("", phone or "")
    if phone and not _PHONE_RE.fullmatch(phone):
        raise ValidationError(
            _("Số điện thoại không hợp lệ (9 đến 15 chữ số, có thể có dấu + ở đầu)."),
            code="phone_invalid",
        )
    return phone


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationError(
                _("Địa chỉ thư điện tử không hợp lệ."), code="email_invalid"
            ) from None
    return email


def _check_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError(_("Ngày sinh không hợp lệ."), code="date_of_birth_invalid")
    return value


def _masked_changes(citizen: Citizen, fields) -> dict:
    changes = {}
    for field in fields:
        value = getattr(citizen, field)
        if field == "id_number":
            value = mask_id_number(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        changes[field] = value
    return changes


def citizen_create(
    *,
    actor,
    id_number: str,
    full_name: str,
    date_of_birth: dt.date | None = None,
    sex: str = "",
    phone: str = "",
    email: str = "",
) -> Citizen:
    """Register a citizen. ``actor=None`` is the platform itself (loaders, seeders)."""
    if actor is not None:
        require(actor, Citizen, "add")
    date_of_birth = _check_date(date_of_birth)
    info = parse_cccd(id_number, date_of_birth=date_of_birth, sex=sex or None)
    citizen = Citizen(
        id_number=info.number,
        full_name=_clean_name(full_name),
        date_of_birth=date_of_birth,
        sex=sex or info.sex,
        phone=_clean_phone(phone),
        email=_clean_email(email),
    )
    try:
        with transaction.atomic():
            if Citizen.objects.filter(id_number=info.number).exists():
                raise CitizenExists()
            citizen.save(force_insert=True)
            audit_record(
                actor=actor,
                action="citizen.create",
                obj=citizen,
                changes=_masked_changes(citizen, ("id_number", *_UPDATABLE)),
            )
    except IntegrityError:
        # Two desks registering the same person at once: the unique index decides.
        raise CitizenExists() from None
    return citizen


def citizen_update(*, actor, citizen: Citizen | int, **fields) -> Citizen:
    """Change a citizen's name, date of birth, sex or contact; the ID number never changes.

    A citizen may change their own record; ``actor=None`` is the platform itself.
    """
    unknown = set(fields) - set(_UPDATABLE)
    if unknown:
        raise ValidationError(
            _("Không thể sửa trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="citizen_field_unknown",
        )
    pk = citizen.pk if isinstance(citizen, Citizen) else citizen
    with transaction.atomic():
        if actor is not None:
            require(actor, Citizen, "change")
            row = get_object_for(actor, Citizen, action="change", pk=pk)
        else:
            row = Citizen.objects.filter(pk=pk).first()
            if row is None:
                raise NotFound()
        row = Citizen.objects.select_for_update().get(pk=row.pk)
        cleaners = {
            "full_name": _clean_name,
            "date_of_birth": _check_date,
            "sex": lambda v: v or "",
            "phone": _clean_phone,
            "email": _clean_email,
        }
        changed = []
        for field, value in fields.items():
            value = cleaners[field](value)
            if getattr(row, field) != value:
                setattr(row, field, value)
                changed.append(field)
        if not changed:
            return row
        parse_cccd(row.id_number, date_of_birth=row.date_of_birth, sex=row.sex or None)
        row.save(update_fields=changed)
        audit_record(
            actor=actor,
            action="citizen.update",
            obj=row,
            changes=_masked_changes(row, changed),
        )
    return row
