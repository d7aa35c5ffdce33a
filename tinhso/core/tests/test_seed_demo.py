"""The demo data set: Hải Phòng's agencies, an account per role, valid citizens; idempotent."""

import pytest

from tinhso.core.choices import OrganisationKind, Role
from tinhso.core.demo import agencies
from tinhso.core.demo.seeder import DEMO_PASSWORD, demo_is_seeded, demo_seed
from tinhso.core.models import AdministrativeUnit, AuditEvent, Citizen, Organisation, User
from tinhso.core.validators import parse_cccd

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return demo_seed(actor=None)


def hai_phong_communes():
    return AdministrativeUnit.objects.filter(version="2025-07", parent__code="31")


def test_every_commune_of_hai_phong_gets_its_people_committee(seeded):
    communes = hai_phong_communes()
    assert communes.count() == 114
    committees = Organisation.objects.filter(kind=OrganisationKind.COMMUNE_COMMITTEE)
    assert committees.count() == 114
    assert set(committees.values_list("unit_id", flat=True)) == set(
        communes.values_list("id", flat=True)
    )
    ward = committees.get(unit__code="10507")
    assert ward.name == "Ủy ban nhân dân phường Thành Đông"
    assert ward.parent.identifier_code == "000.00.00.H24"


def test_the_city_its_departments_and_the_public_service_centre_exist(seeded):
    city = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_COMMITTEE)
    assert city.identifier_code == "000.00.00.H24"
    assert city.unit.code == "31" and city.unit.version == "2025-07"
    centre = Organisation.objects.get(kind=OrganisationKind.PUBLIC_SERVICE_CENTRE)
    assert centre.identifier_code == agencies.CENTRE_CODE
    names = set(
        Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).values_list("name", flat=True)
    )
    assert {"Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính", "Sở Nông nghiệp và Môi trường"} <= names
    assert Organisation.objects.filter(kind=OrganisationKind.PROJECT_BOARD).exists()


def test_identifier_codes_are_unique_and_url_safe(seeded):
    codes = list(Organisation.objects.values_list("identifier_code", flat=True))
    assert len(codes) == len(set(codes)) == 136
    for code in codes:
        assert code.endswith(".H24")
        assert set(code) <= set("0123456789.H"), code


def test_there_is_a_demo_account_for_every_role_with_the_demo_password(seeded):
    users = User.objects.filter(role__in=Role.values)
    assert set(users.values_list("role", flat=True)) == set(Role.values)
    for user in users:
        assert user.check_password(DEMO_PASSWORD), user.username
    assert {row["username"] for row in seeded.accounts} == set(
        users.values_list("username", flat=True)
    )


def test_accounts_are_attached_where_their_role_works(seeded):
    citizen = User.objects.get(role=Role.CITIZEN)
    assert citizen.citizen is not None and citizen.organisation is None
    desk = User.objects.get(username="motcua")
    assert desk.organisation.kind == OrganisationKind.PUBLIC_SERVICE_CENTRE
    commune_desk = User.objects.get(username="motcua.xa")
    assert commune_desk.organisation.kind == OrganisationKind.COMMUNE_COMMITTEE
    assert [u.code for u in commune_desk.units.all()] == ["10507"]
    for username in ("chuyenvien", "lanhdao.so"):
        assert User.objects.get(username=username).organisation.name == "Sở Tư pháp"
    leader = User.objects.get(role=Role.LEADER)
    assert [(u.version, u.code) for u in leader.units.all()] == [("2025-07", "31")]


def test_a_few_hundred_citizens_all_with_valid_consistent_cccds(seeded):
    people = list(Citizen.objects.all())
    assert 200 <= len(people) <= 1000
    for person in people:
        info = parse_cccd(person.id_number, date_of_birth=person.date_of_birth, sex=person.sex)
        assert info.year_of_birth == person.date_of_birth.year
        assert len(person.full_name.split()) >= 3
    born_in_hai_duong = sum(p.id_number.startswith("030") for p in people)
    assert born_in_hai_duong > len(people) * 0.4
    assert any(p.id_number.startswith("031") for p in people)
    assert any(not p.id_number.startswith(("030", "031")) for p in people)


def test_names_carry_vietnamese_diacritics(seeded):
    names = " ".join(Citizen.objects.values_list("full_name", flat=True))
    assert "Nguyễn" in names
    assert "Thị" in names


def test_running_it_twice_creates_nothing_new(seeded):
    counts = (Organisation.objects.count(), Citizen.objects.count(), User.objects.count())
    audit = AuditEvent.objects.count()
    again = demo_seed(actor=None)
    assert (again.organisations_created, again.citizens_created, again.users_created) == (0, 0, 0)
    assert (Organisation.objects.count(), Citizen.objects.count(), User.objects.count()) == counts
    assert AuditEvent.objects.count() == audit
    assert demo_is_seeded()


def test_the_run_is_audited_once_as_demo_data(seeded):
    event = AuditEvent.objects.get(action="demo.seed")
    assert event.changes["demo"] is True
    assert event.changes["organisations_created"] == 136


def test_not_seeded_before_the_first_run():
    assert not demo_is_seeded()


def test_the_seeder_refuses_the_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(Exception) as caught:
        demo_seed(actor=None)
    assert caught.value.code == "demo_in_production"
    assert not User.objects.exists()


def test_the_same_citizens_come_out_on_every_run(seeded):
    from tinhso.core.demo.people import PeopleGenerator

    first = PeopleGenerator(seed=2025).rows(300)
    second = PeopleGenerator(seed=2025).rows(300)
    assert first == second
    assert set(Citizen.objects.values_list("id_number", "full_name")) == {r[:2] for r in first}
