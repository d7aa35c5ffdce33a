"""Reads of organisations (agencies). The list is public reference data."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.core.choices import OrganisationKind
from tinhso.core.exceptions import ValidationError
from tinhso.core.models import AdministrativeUnit, Organisation
from tinhso.core.text import fold


def organisation_list(
    *,
    user=None,
    kind: str | None = None,
    unit: AdministrativeUnit | int | str | None = None,
    q: str | None = None,
) -> QuerySet[Organisation]:
    """Agencies, filtered by kind, by the unit they serve and by name or code.

    ``unit`` is a unit instance, its primary key, or a unit code (then every
    version carrying that code matches). ``q`` is diacritic- and case-insensitive
    on the name ("so tu phap" finds "Sở Tư pháp") and also matches the start of
    the identifier code.
    """
    qs = Organisation.objects.restrict(user, "view").select_related("unit", "parent")
    if kind:
        if kind not in OrganisationKind.values:
            raise ValidationError(
                _("Loại cơ quan không hợp lệ: %(kind)s.") % {"kind": kind},
                code="invalid_kind",
                details={"allowed": list(OrganisationKind.values)},
            )
        qs = qs.filter(kind=kind)
    if unit not in (None, ""):
        if isinstance(unit, AdministrativeUnit):
            qs = qs.filter(unit=unit)
        elif isinstance(unit, int):
            qs = qs.filter(unit_id=unit)
        else:
            qs = qs.filter(unit__code=str(unit).strip())
    key = fold(q)
    if key:
        condition = Q()
        for word in key.split():
            condition &= Q(search_key__contains=word)
        qs = qs.filter(condition | Q(identifier_code__istartswith=q.strip()))
    return qs


def get_organisation(identifier_code: str, *, user=None) -> Organisation:
    """The agency with that identifier code, or ``organisation_not_found``."""
    from tinhso.core.services.organisations import OrganisationNotFound

    org = (
        Organisation.objects.restrict(user, "view")
        .select_related("unit", "parent")
        .filter(identifier_code=(identifier_code or "").strip().upper())
        .first()
    )
    if org is None:
        raise OrganisationNotFound(
            _("Không tìm thấy cơ quan, đơn vị có mã định danh %(code)s.")
            % {"code": identifier_code},
        )
    return org
