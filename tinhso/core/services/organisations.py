"""Writes on organisations (agencies): create and update, each audited.

Error codes: ``invalid_identifier_code`` (400), ``organisation_exists`` (409),
``organisation_not_found`` (404), ``invalid_organisation`` (400) for a bad kind,
unit, parent or validity range. Only roles allowed to ``add``/``change``
``core.organisation`` (IT administrators) may call them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.choices import OrganisationKind
from tinhso.core.exceptions import Conflict, NotFound, ValidationError
from tinhso.core.models import AdministrativeUnit, Organisation
from tinhso.core.permissions import require
from tinhso.core.text import normalise

# Decision 20/2020/QĐ-TTg: NNN.MM.LL.XKK (level 4 … level 1). Only digits, dots
# and one capital letter: safe in URLs and inside dossier codes, whose parts are
# separated by hyphens.
IDENTIFIER_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "unit",
    "parent",
    "email",
    "phone",
    "address",
    "valid_from",
    "valid_to",
)


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    default_message = _("Không tìm thấy cơ quan, đơn vị.")


class OrganisationExists(Conflict):
    code = "organisation_exists"
    default_message = _("Đã có cơ quan, đơn vị với mã định danh này.")


class InvalidIdentifierCode(ValidationError):
    code = "invalid_identifier_code"
    default_message = _(
        "Mã định danh cơ quan phải có dạng NNN.MM.LL.XKK theo Quyết định 20/2020/QĐ-TTg, "
        "ví dụ 000.00.03.H24."
    )


class InvalidOrganisation(ValidationError):
    code = "invalid_organisation"


def validate_identifier_code(value: str) -> str:
    code = (value or "").strip().upper()
    if not IDENTIFIER_RE.match(code):
        raise InvalidIdentifierCode(details={"identifier_code": value})
    return code


def _check(org: Organisation) -> None:
    if not normalise(org.name):
        raise InvalidOrganisation(_("Tên cơ quan, đơn vị không được để trống."))
    if org.kind not in OrganisationKind.values:
        raise InvalidOrganisation(
            _("Loại cơ quan, đơn vị không hợp lệ: %(kind)s.") % {"kind": org.kind},
            details={"kind": org.kind, "allowed": list(OrganisationKind.values)},
        )
    if org.unit_id is None:
        raise InvalidOrganisation(_("Cần chọn đơn vị hành chính mà cơ quan phục vụ."))
    if org.valid_from and org.valid_to and org.valid_to < org.valid_from:
        raise InvalidOrganisation(
            _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."), code="invalid_validity"
        )
    # Walk up the parents: an agency cannot sit (directly or not) under itself.
    seen = {org.pk} if org.pk else set()
    parent = org.parent
    while parent is not None:
        if parent.pk in seen:
            raise InvalidOrganisation(
                _("Cơ quan cấp trên không thể là chính nó hoặc cơ quan cấp dưới của nó."),
                code="organisation_cycle",
            )
        seen.add(parent.pk)
        parent = parent.parent


def _coerce_unit(unit: Any) -> AdministrativeUnit:
    if isinstance(unit, AdministrativeUnit):
        return unit
    found = AdministrativeUnit.objects.filter(pk=unit).first() if unit is not None else None
    if found is None:
        raise InvalidOrganisation(
            _("Không tìm thấy đơn vị hành chính đã chọn."), code="unit_not_found"
        )
    return found


def _coerce_parent(parent: Any) -> Organisation | None:
    if parent is None or isinstance(parent, Organisation):
        return parent
    found = Organisation.objects.filter(identifier_code=str(parent)).first()
    if found is None:
        raise OrganisationNotFound(
            _("Không tìm thấy cơ quan cấp trên có mã định danh %(code)s.") % {"code": parent}
        )
    return found


def _snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "identifier_code": org.identifier_code,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "unit": org.unit_id,
        "parent": org.parent.identifier_code if org.parent_id else None,
        "email": org.email,
        "phone": org.phone,
        "address": org.address,
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
    }


def organisation_create(
    *,
    actor,
    identifier_code: str,
    name: str,
    kind: str,
    unit: AdministrativeUnit | int,
    short_name: str = "",
    parent: Organisation | str | None = None,
    email: str = "",
    phone: str = "",
    address: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Organisation:
    """Register an agency under its identifier code."""
    require(actor, Organisation, "add")
    code = validate_identifier_code(identifier_code)
    org = Organisation(
        identifier_code=code,
        name=name,
        short_name=normalise(short_name),
        kind=kind,
        unit=_coerce_unit(unit),
        parent=_coerce_parent(parent),
        email=email,
        phone=phone,
        address=normalise(address),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _check(org)
    try:
        with transaction.atomic():
            if Organisation.objects.filter(identifier_code=code).exists():
                raise OrganisationExists(details={"identifier_code": code})
            org.save(force_insert=True)
            audit_record(actor=actor, action="organisation.create", obj=org, changes=_snapshot(org))
    except IntegrityError:
        # A concurrent create of the same code won the race.
        raise OrganisationExists(details={"identifier_code": code}) from None
    return org


def organisation_update(*, actor, organisation: Organisation | str, **fields: Any) -> Organisation:
    """Change an agency's fields (not its identifier code); audits what changed."""
    require(actor, Organisation, "change")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidOrganisation(
            _("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="invalid_field",
        )
    with transaction.atomic():
        code = (
            organisation.identifier_code if isinstance(organisation, Organisation) else organisation
        )
        org = Organisation.objects.select_for_update().filter(identifier_code=code).first()
        if org is None:
            raise OrganisationNotFound()
        before = _snapshot(org)
        for name, value in fields.items():
            if name == "unit":
                value = _coerce_unit(value)
            elif name == "parent":
                value = _coerce_parent(value)
            elif name in ("short_name", "address"):
                value = normalise(value)
            setattr(org, name, value)
        _check(org)
        org.save()
        after = _snapshot(org)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            audit_record(actor=actor, action="organisation.update", obj=org, changes=changes)
    return org
