"""The public organisations API: list, filters, search without diacritics, detail, errors."""

import pytest

from tinhso.core.choices import OrganisationKind
from tinhso.core.models import AdministrativeUnit, Organisation

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations"


@pytest.fixture
def agencies():
    province = AdministrativeUnit.objects.get(version="2025-07", code="31")
    commune = AdministrativeUnit.objects.get(version="2025-07", code="10507")
    city = Organisation.objects.create(
        identifier_code="000.00.00.H24",
        name="Ủy ban nhân dân thành phố Hải Phòng",
        kind=OrganisationKind.PROVINCIAL_COMMITTEE,
        unit=province,
    )
    justice = Organisation.objects.create(
        identifier_code="000.00.03.H24",
        name="Sở Tư pháp",
        short_name="STP",
        kind=OrganisationKind.DEPARTMENT,
        unit=province,
        parent=city,
    )
    ward = Organisation.objects.create(
        identifier_code="000.01.90.H24",
        name="Ủy ban nhân dân phường Thành Đông",
        kind=OrganisationKind.COMMUNE_COMMITTEE,
        unit=commune,
        parent=city,
    )
    return {"city": city, "justice": justice, "ward": ward}


def codes(response):
    return {item["identifier_code"] for item in response.json()["items"]}


def test_list_is_public_and_returns_every_agency(client, agencies):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert codes(response) == {"000.00.00.H24", "000.00.03.H24", "000.01.90.H24"}


def test_filter_by_kind_keeps_only_that_kind(client, agencies):
    response = client.get(URL, {"kind": "commune_committee"})
    assert codes(response) == {"000.01.90.H24"}


def test_filter_by_unit_code_keeps_the_agencies_serving_it(client, agencies):
    response = client.get(URL, {"unit": "10507"})
    assert codes(response) == {"000.01.90.H24"}
    assert response.json()["items"][0]["unit"]["full_name"] == "Phường Thành Đông"


def test_search_ignores_diacritics_and_case(client, agencies):
    assert codes(client.get(URL, {"q": "so tu phap"})) == {"000.00.03.H24"}
    assert codes(client.get(URL, {"q": "THÀNH ĐÔNG"})) == {"000.01.90.H24"}
    assert codes(client.get(URL, {"q": "thanh dong"})) == {"000.01.90.H24"}


def test_search_matches_the_short_name_and_the_code_prefix(client, agencies):
    assert codes(client.get(URL, {"q": "stp"})) == {"000.00.03.H24"}
    assert codes(client.get(URL, {"q": "000.01"})) == {"000.01.90.H24"}


def test_search_with_no_match_is_an_empty_list(client, agencies):
    response = client.get(URL, {"q": "khong co co quan nay"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


def test_detail_gives_the_agency_with_its_parent_and_unit(client, agencies):
    response = client.get(f"{URL}/000.00.03.H24")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Sở Tư pháp"
    assert body["kind"] == "department"
    assert body["parent"] == "000.00.00.H24"
    assert body["unit"] == {"code": "31", "version": "2025-07", "full_name": "Thành phố Hải Phòng"}


def test_unknown_identifier_is_a_404_with_a_vietnamese_message(client, agencies):
    response = client.get(f"{URL}/000.00.99.H24")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "organisation_not_found"
    assert "Không tìm thấy cơ quan" in error["message"]


def test_unknown_kind_is_a_400_not_a_500(client, agencies):
    response = client.get(URL, {"kind": "ministry"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 10_000}, {"offset": -1}])
def test_out_of_range_pagination_is_a_400(client, agencies, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_pagination"


def test_limit_and_offset_page_through_the_list(client, agencies):
    first = client.get(URL, {"limit": 2}).json()
    rest = client.get(URL, {"limit": 2, "offset": 2}).json()
    assert first["count"] == rest["count"] == 3
    assert len(first["items"]) == 2 and len(rest["items"]) == 1
    seen = codes_of(first) | codes_of(rest)
    assert len(seen) == 3


def codes_of(body):
    return {item["identifier_code"] for item in body["items"]}
