"""Organisation services (create/update with audit) and selectors."""

import datetime as dt

import pytest

from tinhso.core.choices import OrganisationKind, Role
from tinhso.core.exceptions import NotFound, PermissionDenied, TinhsoError
from tinhso.core.models import AdministrativeUnit, AuditEvent, Organisation, User
from tinhso.core.selectors.organisations import get_organisation, organisation_list
from tinhso.core.services.organisations import organisation_create, organisation_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    return AdministrativeUnit.objects.get(version="2025-07", code="31")


@pytest.fixture
def city(province):
    return Organisation.objects.create(
        identifier_code="000.00.00.H24",
        name="Ủy ban nhân dân thành phố Hải Phòng",
        kind=OrganisationKind.PROVINCIAL_COMMITTEE,
        unit=province,
    )


@pytest.fixture
def admin(city):
    return User.objects.create(username="admin", role=Role.IT_ADMIN, organisation=city)


@pytest.fixture
def specialist(city):
    return User.objects.create(username="cv", role=Role.SPECIALIST, organisation=city)


def create(actor, province, **overrides):
    fields = {
        "identifier_code": "000.00.03.H24",
        "name": "  Sở   Tư pháp ",
        "kind": OrganisationKind.DEPARTMENT,
        "unit": province,
        "short_name": "STP",
    }
    fields.update(overrides)
    return organisation_create(actor=actor, **fields)


def test_create_stores_a_normalised_agency_and_audits_it(admin, province, city):
    org = create(admin, province, parent="000.00.00.H24")
    assert org.name == "Sở Tư pháp"
    assert org.search_key.startswith("so tu phap")
    assert org.parent == city
    event = AuditEvent.objects.get(action="organisation.create")
    assert event.object_id == str(org.pk)
    assert event.actor_id == admin.pk
    assert event.changes["identifier_code"] == "000.00.03.H24"
    assert event.changes["parent"] == "000.00.00.H24"


def test_create_twice_with_the_same_code_is_a_conflict(admin, province):
    create(admin, province)
    with pytest.raises(TinhsoError) as caught:
        create(admin, province, name="Sở khác")
    assert caught.value.code == "organisation_exists"
    assert caught.value.status == 409
    assert Organisation.objects.filter(identifier_code="000.00.03.H24").count() == 1


@pytest.mark.parametrize(
    "code", ["", "H24", "000.00.03", "000-00-03-H24", "000.00.03.H24/x", "000.00.3.H24", "abc"]
)
def test_malformed_identifier_codes_are_refused(admin, province, code):
    with pytest.raises(TinhsoError) as caught:
        create(admin, province, identifier_code=code)
    assert caught.value.code == "invalid_identifier_code"
    assert caught.value.status == 400
    assert not Organisation.objects.filter(name="Sở Tư pháp").exists()


def test_lower_case_identifier_is_stored_upper_case(admin, province):
    assert create(admin, province, identifier_code="000.00.03.h24").identifier_code == (
        "000.00.03.H24"
    )


def test_only_it_administrators_may_create(specialist, province):
    with pytest.raises(PermissionDenied):
        create(specialist, province)
    with pytest.raises(PermissionDenied):
        create(None, province)


def test_unknown_kind_and_reversed_validity_are_refused(admin, province):
    with pytest.raises(TinhsoError) as caught:
        create(admin, province, kind="ministry")
    assert caught.value.code == "invalid_organisation"
    with pytest.raises(TinhsoError) as caught:
        create(admin, province, valid_from=dt.date(2025, 7, 1), valid_to=dt.date(2025, 1, 1))
    assert caught.value.code == "invalid_validity"


def test_unknown_parent_is_not_found(admin, province):
    with pytest.raises(NotFound) as caught:
        create(admin, province, parent="000.00.98.H24")
    assert caught.value.code == "organisation_not_found"


def test_update_changes_fields_and_audits_only_the_difference(admin, province):
    org = create(admin, province)
    organisation_update(
        actor=admin, organisation="000.00.03.H24", phone="0225 3 123 456", name="Sở Tư pháp"
    )
    org.refresh_from_db()
    assert org.phone == "0225 3 123 456"
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.changes == {"phone": ["", "0225 3 123 456"]}


def test_update_that_changes_nothing_writes_no_audit_event(admin, province):
    create(admin, province)
    organisation_update(actor=admin, organisation="000.00.03.H24", name="Sở Tư pháp")
    assert not AuditEvent.objects.filter(action="organisation.update").exists()


def test_an_agency_cannot_become_its_own_ancestor(admin, province, city):
    child = create(admin, province, parent=city)
    with pytest.raises(TinhsoError) as caught:
        organisation_update(actor=admin, organisation=city, parent=child)
    assert caught.value.code == "organisation_cycle"
    city.refresh_from_db()
    assert city.parent is None


def test_update_refuses_the_identifier_code_and_unknown_fields(admin, province):
    create(admin, province)
    with pytest.raises(TinhsoError) as caught:
        organisation_update(actor=admin, organisation="000.00.03.H24", identifier_code="x")
    assert caught.value.code == "invalid_field"


def test_update_of_a_missing_agency_is_not_found(admin):
    with pytest.raises(NotFound):
        organisation_update(actor=admin, organisation="000.00.77.H24", phone="1")


def test_selectors_filter_and_find_by_code(admin, province, city):
    create(admin, province)
    assert list(organisation_list(q="tu phap")) == [
        Organisation.objects.get(identifier_code="000.00.03.H24")
    ]
    assert organisation_list(kind=OrganisationKind.DEPARTMENT).count() == 1
    assert organisation_list(unit="31").count() == 2
    assert organisation_list(unit=province).count() == 2
    assert get_organisation("000.00.00.h24") == city
    with pytest.raises(NotFound):
        get_organisation("000.00.55.H24")
    with pytest.raises(TinhsoError) as caught:
        organisation_list(kind="ministry")
    assert caught.value.code == "invalid_kind"
