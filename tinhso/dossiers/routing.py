"""Where a dossier goes: the competent agency, the receiving desk and each step's agency.

Rules (docs/workflow.md, "Routing"):

- **Commune procedure** (``level = commune``): the people's committee of the
  commune the dossier concerns (``unit`` must be a commune or ward).
- **Province procedure**: an agency of the procedure's ``agency_kind`` serving
  the province of ``unit``; among several (every department is a
  ``department``), the one whose name or short name appears in the procedure's
  ``implementing_agency`` ("Sở Tư pháp"), else the one the procedure's field
  points to (``FIELD_DEPARTMENTS``: "Hộ tịch" → justice, "Đường bộ" →
  construction ...; a DEMO table after the 2025 merger of departments, check it
  against the province's decision on its departments' functions), else the
  first by identifier code.
- **Receiving organisation** ("phi địa giới", Decree 118/2025/NĐ-CP): any
  public-service centre or commune committee of the same province. Online, when
  the applicant does not choose, the commune committee for a commune procedure
  and the province's public-service centre for a province one.
- **Step agency**: receive and return steps belong to the receiving
  organisation (the desk that received the dossier returns the result); a step
  with a blank ``agency_kind`` or the competent agency's kind belongs to the
  competent agency; another kind names that kind's agency in the province (e.g.
  the provincial people's committee signing a decision).
"""

from __future__ import annotations

from tinhso.core.choices import OrganisationKind, UnitLevel
from tinhso.core.models import AdministrativeUnit, Organisation
from tinhso.core.text import fold
from tinhso.dossiers.errors import InvalidReceivingOrganisation, InvalidUnit, NoCompetentAgency

RECEIVING_KINDS = frozenset(
    {OrganisationKind.PUBLIC_SERVICE_CENTRE, OrganisationKind.COMMUNE_COMMITTEE}
)


# Folded words of a field's name → folded words of the department's name.
FIELD_DEPARTMENTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("tu phap", "ho tich", "cong chung", "chung thuc", "quoc tich", "luat su"), "tu phap"),
    (("xay dung", "nha o", "duong bo", "giao thong", "quy hoach", "duong thuy"), "xay dung"),
    (("dat dai", "moi truong", "nong nghiep", "thuy san", "lam nghiep", "thuy loi"), "nong nghiep"),
    (("lao dong", "viec lam", "noi vu", "thi dua", "nguoi co cong", "bao tro"), "noi vu"),
    (("du lich", "van hoa", "the thao", "quang cao", "di san"), "van hoa"),
    (("y te", "duoc", "kham benh", "an toan thuc pham"), "y te"),
    (("giao duc", "dao tao"), "giao duc"),
    (("tieu chuan", "do luong", "khoa hoc", "cong nghe", "vien thong", "buu chinh"), "khoa hoc"),
    (("cong thuong", "thuong mai", "dien luc", "hoa chat"), "cong thuong"),
    (("tai chinh", "dau tu", "doanh nghiep", "kinh te tap the"), "tai chinh"),
)


def _by_field(procedure, candidates: list[Organisation]) -> Organisation | None:
    field = getattr(procedure, "field", None)
    name = fold(getattr(field, "name", "") or "")
    if not name:
        return None
    for words, department in FIELD_DEPARTMENTS:
        if any(word in name for word in words):
            for organisation in candidates:
                if department in fold(organisation.name):
                    return organisation
    return None


def province_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    current = unit
    for _depth in range(4):
        if current.level == UnitLevel.PROVINCE or current.parent_id is None:
            return current
        current = current.parent
    return current


def _province_id_of_organisation(organisation: Organisation) -> int:
    return province_of(organisation.unit).pk


def competent_organisation(procedure, unit: AdministrativeUnit) -> Organisation:
    from tinhso.procedures.choices import ProcedureLevel

    if procedure.level == ProcedureLevel.COMMUNE:
        if unit.level != UnitLevel.COMMUNE:
            raise InvalidUnit(
                details={"unit": unit.code, "reason": "commune_required"},
            )
        organisation = (
            Organisation.objects.filter(kind=OrganisationKind.COMMUNE_COMMITTEE, unit=unit)
            .order_by("identifier_code")
            .first()
        )
        if organisation is None:
            raise NoCompetentAgency(details={"unit": unit.code})
        return organisation
    province = province_of(unit)
    candidates = list(
        Organisation.objects.filter(kind=procedure.agency_kind, unit=province).order_by(
            "identifier_code"
        )
    )
    if not candidates:
        raise NoCompetentAgency(details={"agency_kind": procedure.agency_kind})
    wanted = fold(getattr(procedure, "implementing_agency", "") or "")
    if len(candidates) > 1 and wanted:
        for organisation in candidates:
            if fold(organisation.name) in wanted:
                return organisation
        for organisation in candidates:
            short = fold(organisation.short_name)
            if short and short in wanted.split():
                return organisation
    if len(candidates) > 1:
        return _by_field(procedure, candidates) or candidates[0]
    return candidates[0]


def default_receiving_organisation(procedure, unit, competent: Organisation) -> Organisation:
    from tinhso.procedures.choices import ProcedureLevel

    if procedure.level == ProcedureLevel.COMMUNE:
        return competent
    centre = (
        Organisation.objects.filter(
            kind=OrganisationKind.PUBLIC_SERVICE_CENTRE, unit=province_of(unit)
        )
        .order_by("identifier_code")
        .first()
    )
    return centre or competent


def check_receiving_organisation(organisation: Organisation, unit: AdministrativeUnit) -> None:
    if organisation.kind not in RECEIVING_KINDS:
        raise InvalidReceivingOrganisation()
    if _province_id_of_organisation(organisation) != province_of(unit).pk:
        raise InvalidReceivingOrganisation()


def step_organisation(step, dossier) -> Organisation:
    from tinhso.procedures.choices import StepKind

    if step.kind in (StepKind.RECEIVE, StepKind.RETURN):
        return dossier.receiving_organisation
    competent = dossier.competent_organisation
    if not step.agency_kind or step.agency_kind == competent.kind:
        return competent
    other = (
        Organisation.objects.filter(kind=step.agency_kind, unit=province_of(competent.unit))
        .order_by("identifier_code")
        .first()
    )
    return other or competent
