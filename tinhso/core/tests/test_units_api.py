"""The public units API: look-ups, search, succession, tree, and every bad input as a 4xx."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

BASE = "/api/v1/units"


def _error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == code
    return body["message"]


def test_look_up_by_code_and_date_returns_the_unit_of_that_version(client):
    before = client.get(f"{BASE}/30307", {"on": "2025-06-30"})
    after = client.get(f"{BASE}/30307", {"on": "2025-07-01"})
    assert before.status_code == after.status_code == 200
    assert before.json()["full_name"] == "Phường Mỹ Hòa"
    assert before.json()["parent"] == {
        "code": "883",
        "full_name": "Thành phố Long Xuyên",
        "level": "district",
    }
    assert before.json()["valid_to"] == "2025-06-30"
    assert after.json() == {
        "code": "30307",
        "version": "2025-07",
        "name": "Long Xuyên",
        "full_name": "Phường Long Xuyên",
        "level": "commune",
        "type": "phường",
        "parent": {"code": "91", "full_name": "Tỉnh An Giang", "level": "province"},
        "valid_from": "2025-07-01",
        "valid_to": None,
    }


def test_look_up_is_public_and_costs_one_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/10507", {"on": "2025-08-01"})
    assert response.status_code == 200
    assert response.json()["full_name"] == "Phường Thành Đông"
    assert len(queries) == 1


def test_unknown_code_is_404_unit_not_found_in_vietnamese(client):
    message = _error(client.get(f"{BASE}/99999", {"on": "2025-08-01"}), 404, "unit_not_found")
    assert message == "Không tìm thấy đơn vị hành chính có mã 99999 vào ngày 01/08/2025."


def test_code_in_force_only_before_the_reform_is_404_after_it(client):
    _error(client.get(f"{BASE}/30", {"on": "2025-07-01"}), 404, "unit_not_found")


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01", "31-12-2025", "x", "2025-07-01T00"])
def test_malformed_or_impossible_date_is_400_invalid_date(client, value):
    message = _error(client.get(f"{BASE}/10507", {"on": value}), 400, "invalid_date")
    assert message.startswith("Ngày không hợp lệ")


@pytest.mark.parametrize("suffix", ["", "/successors", "/sources", "/ancestors", "/descendants"])
def test_every_code_endpoint_rejects_bad_dates_and_unknown_codes(client, suffix):
    _error(client.get(f"{BASE}/10507{suffix}", {"on": "2025-02-30"}), 400, "invalid_date")
    _error(client.get(f"{BASE}/00000{suffix}", {"on": "2025-08-01"}), 404, "unit_not_found")


def test_search_by_name_without_diacritics(client):
    response = client.get(BASE, {"q": "thanh dong", "on": "2025-08-01", "limit": 5})
    assert response.status_code == 200
    results = response.json()
    assert results[0]["code"] == "10507"
    assert results[0]["full_name"] == "Phường Thành Đông"
    assert len(results) <= 5


def test_search_hai_duong_finds_the_province_only_before_the_reform(client):
    before = client.get(BASE, {"q": "hai duong", "on": "2025-06-30", "level": "province"})
    after = client.get(BASE, {"q": "hai duong", "on": "2025-07-01", "level": "province"})
    assert [u["code"] for u in before.json()] == ["30"]
    assert after.json() == []


def test_search_filters_by_province(client):
    response = client.get(BASE, {"q": "an", "on": "2025-08-01", "province": "31", "limit": 100})
    assert response.status_code == 200
    # Hải Phòng itself matches too ("thanh pho" contains "an")
    assert {(u["parent"] or u)["code"] for u in response.json()} == {"31"}


@pytest.mark.parametrize("limit", ["0", "101", "-5"])
def test_search_limit_out_of_range_is_400(client, limit):
    _error(client.get(BASE, {"q": "an", "limit": limit}), 400, "invalid_limit")


def test_search_limit_that_is_not_a_number_is_400(client):
    _error(client.get(BASE, {"q": "an", "limit": "many"}), 400, "invalid_input")


def test_search_unknown_level_is_400(client):
    _error(client.get(BASE, {"q": "an", "level": "village"}), 400, "invalid_level")


def test_search_bad_date_is_400(client):
    _error(client.get(BASE, {"q": "an", "on": "2025-02-30"}), 400, "invalid_date")


def test_successors_default_to_the_last_day_before_the_reform(client):
    # 30307 today is Phường Long Xuyên; as an old code it was Phường Mỹ Hòa.
    response = client.get(f"{BASE}/30307/successors")
    assert response.status_code == 200
    assert [(s["unit"]["code"], s["unit"]["full_name"], s["merge"]) for s in response.json()] == [
        ("30307", "Phường Long Xuyên", "full")
    ]


def test_successors_of_a_split_commune(client):
    response = client.get(f"{BASE}/18796/successors")
    assert [(s["unit"]["code"], s["merge"]) for s in response.json()] == [
        ("18754", "partial"),
        ("18823", "full"),
        ("18832", "partial"),
    ]


def test_sources_of_a_new_commune_include_a_row_without_an_old_code(client):
    response = client.get(f"{BASE}/11948/sources")
    assert response.status_code == 200
    assert response.json() == [
        {
            "unit": None,
            "merge": "full",
            "label": "Huyện Bạch Long Vĩ",
            "old_parent": {"code": "318", "full_name": "Huyện Bạch Long Vĩ", "level": "district"},
            "via": [],
        }
    ]


def test_sources_of_a_new_province(client):
    response = client.get(f"{BASE}/31/sources")
    assert [(s["unit"]["code"], s["merge"]) for s in response.json()] == [
        ("30", "full"),
        ("31", "full"),
    ]


def test_ancestors_and_descendants(client):
    ancestors = client.get(f"{BASE}/10738/ancestors", {"on": "2025-06-30"}).json()
    assert [u["code"] for u in ancestors] == ["30", "292"]
    communes = client.get(f"{BASE}/31/descendants", {"level": "commune"}).json()
    assert len(communes) == 114
    assert {u["version"] for u in communes} == {"2025-07"}
    _error(client.get(f"{BASE}/31/descendants", {"level": "x"}), 400, "invalid_level")


def test_openapi_documents_the_units_endpoints_with_schemas(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in [
        BASE,
        f"{BASE}/{{code}}",
        f"{BASE}/{{code}}/successors",
        f"{BASE}/{{code}}/sources",
        f"{BASE}/{{code}}/ancestors",
        f"{BASE}/{{code}}/descendants",
    ]:
        assert path in paths
    look_up = paths[f"{BASE}/{{code}}"]["get"]
    assert {"200", "400", "404"} <= set(look_up["responses"])
    assert "UnitOut" in schema["components"]["schemas"]
