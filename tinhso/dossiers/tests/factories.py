"""Test data for dossiers: a small province (agencies, officials, citizens) and one procedure."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.core.choices import OrganisationKind, Role, UnitVersion
from tinhso.core.models import AdministrativeUnit, Citizen, Organisation, User

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "Mat-khau-thu-2025"


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def pdf_bytes(text: str = "ho so") -> bytes:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return body + f"% {text}\n".encode()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name: str = "to-khai.pdf", text: str = "ho so") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


@dataclass
class World:
    province: AdministrativeUnit
    commune: AdministrativeUnit
    other_commune: AdministrativeUnit
    centre: Organisation
    justice: Organisation
    construction: Organisation
    commune_committee: Organisation
    other_committee: Organisation
    desk: User
    commune_desk: User
    specialist: User
    specialist2: User
    head: User
    other_specialist: User
    leader: User
    it_admin: User
    citizen_user: User
    citizen: Citizen
    other_citizen_user: User
    other_citizen: Citizen
    procedure: object
    commune_procedure: object
    info_procedure: object


def _org(code, name, kind, unit, short="") -> Organisation:
    org = Organisation(identifier_code=code, name=name, short_name=short, kind=kind, unit=unit)
    org.save()
    return org


def _user(username, role, organisation=None, citizen=None) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        organisation=organisation,
        citizen=citizen,
        full_name=username.replace(".", " ").title(),
    )
    return user


def make_procedure(
    code="1.001193",
    name="Cấp Phiếu lý lịch tư pháp",
    *,
    level="province",
    agency_kind=OrganisationKind.DEPARTMENT,
    implementing_agency="Sở Tư pháp",
    service_level="full_online",
    days=Decimal("5"),
    online_days=None,
    steps=True,
):
    from tinhso.procedures.models import Component, Field, Procedure, ProcessStep, ProcessTemplate

    field, _ = Field.objects.get_or_create(code="lltp", defaults={"name": "Lý lịch tư pháp"})
    procedure = Procedure.objects.create(
        national_code=code,
        name=name,
        field=field,
        level=level,
        agency_kind=agency_kind,
        implementing_agency=implementing_agency,
        service_level=service_level,
        processing_time=days,
        time_unit="working_days",
        online_processing_time=online_days,
    )
    Component.objects.create(
        procedure=procedure,
        code="to-khai",
        name="Tờ khai",
        required=True,
        order=1,
        accepted_types="pdf",
        max_size_mb=1,
    )
    Component.objects.create(
        procedure=procedure,
        code="anh",
        name="Ảnh chân dung",
        required=False,
        order=2,
        accepted_types="jpg,jpeg,png",
        max_size_mb=1,
    )
    if steps:
        template = ProcessTemplate.objects.create(procedure=procedure, name="Quy trình")
        hours = float(days) * 8
        for order, (step_code, step_name, role, kind, share) in enumerate(
            [
                ("tiep-nhan", "Tiếp nhận", Role.DESK_OFFICER, "receive", 0.0),
                ("tham-dinh", "Thẩm định", Role.SPECIALIST, "process", 0.5),
                ("phe-duyet", "Phê duyệt", Role.HEAD, "approve", 0.25),
                ("tra-ket-qua", "Trả kết quả", Role.DESK_OFFICER, "return", 0.0),
            ],
            start=1,
        ):
            ProcessStep.objects.create(
                template=template,
                order=order,
                code=step_code,
                name=step_name,
                role=role,
                duration_hours=Decimal(str(hours * share)),
                kind=kind,
            )
    return procedure


def make_world() -> World:
    province = AdministrativeUnit.objects.get(version=UnitVersion.POST_2025, code="31")
    communes = list(
        AdministrativeUnit.objects.filter(version=UnitVersion.POST_2025, parent=province).order_by(
            "code"
        )[:2]
    )
    commune, other_commune = communes
    committee = _org(
        "000.00.00.H24",
        "Ủy ban nhân dân thành phố Hải Phòng",
        OrganisationKind.PROVINCIAL_COMMITTEE,
        province,
        "UBND TP",
    )
    centre = _org(
        "000.00.50.H24",
        "Trung tâm Phục vụ hành chính công thành phố Hải Phòng",
        OrganisationKind.PUBLIC_SERVICE_CENTRE,
        province,
        "TTPVHCC",
    )
    construction = _org(
        "000.00.05.H24", "Sở Xây dựng", OrganisationKind.DEPARTMENT, province, "SXD"
    )
    justice = _org("000.00.03.H24", "Sở Tư pháp", OrganisationKind.DEPARTMENT, province, "STP")
    commune_committee = _org(
        "000.01.90.H24",
        f"Ủy ban nhân dân {commune.name}",
        OrganisationKind.COMMUNE_COMMITTEE,
        commune,
    )
    other_committee = _org(
        "000.02.90.H24",
        f"Ủy ban nhân dân {other_commune.name}",
        OrganisationKind.COMMUNE_COMMITTEE,
        other_commune,
    )
    for org in (centre, construction, justice, commune_committee, other_committee):
        org.parent = committee
        org.save()
    citizen = Citizen.objects.create(
        id_number="031190001234",
        full_name="Nguyễn Thị Hương",
        phone="0912345678",
        email="huong@example.vn",
    )
    other_citizen = Citizen.objects.create(
        id_number="031085005678",
        full_name="Trần Văn Nam",
        phone="0987654321",
        email="nam@example.vn",
    )
    from tinhso.dossiers.process import legal_hours  # noqa: F401  (import check)

    return World(
        province=province,
        commune=commune,
        other_commune=other_commune,
        centre=centre,
        justice=justice,
        construction=construction,
        commune_committee=commune_committee,
        other_committee=other_committee,
        desk=_user("motcua", Role.DESK_OFFICER, centre),
        commune_desk=_user("motcua.xa", Role.DESK_OFFICER, commune_committee),
        specialist=_user("chuyenvien", Role.SPECIALIST, justice),
        specialist2=_user("chuyenvien2", Role.SPECIALIST, justice),
        head=_user("lanhdao.so", Role.HEAD, justice),
        other_specialist=_user("chuyenvien.xd", Role.SPECIALIST, construction),
        leader=_user("lanhdao.tp", Role.LEADER, committee),
        it_admin=_user("quantri", Role.IT_ADMIN, committee),
        citizen_user=_user("congdan", Role.CITIZEN, citizen=citizen),
        citizen=citizen,
        other_citizen_user=_user("congdan2", Role.CITIZEN, citizen=other_citizen),
        other_citizen=other_citizen,
        procedure=make_procedure(),
        commune_procedure=make_procedure(
            "1.000894",
            "Đăng ký kết hôn",
            level="commune",
            agency_kind=OrganisationKind.COMMUNE_COMMITTEE,
            implementing_agency="",
            days=Decimal("3"),
        ),
        info_procedure=make_procedure(
            "2.000488",
            "Thủ tục chỉ thông tin",
            service_level="information_only",
        ),
    )
