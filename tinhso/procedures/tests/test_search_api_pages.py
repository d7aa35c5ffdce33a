"""Search, the public API and the citizen pages."""

import pytest

from tinhso.core.tests.shared_data import outer_transaction
from tinhso.procedures.selectors import field_list, procedure_search

from .factories import make_field, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    civil = make_field()
    land = make_field("dat-dai", "Đất đai")
    make_procedure("1.001193", name="Đăng ký khai sinh", field=civil)
    make_procedure("1.000894", name="Đăng ký kết hôn", field=civil, service_level="partial_online")
    make_procedure(
        "1.012784",
        name="Tách thửa hoặc hợp thửa đất",
        field=land,
        level="province",
        service_level="information_only",
        is_demo=True,
    )
    make_procedure("1.000656", name="Đăng ký khai tử", field=civil, is_active=False)


def test_search_without_diacritics_finds_the_procedure(catalogue):
    items, total = procedure_search("dang ky khai sinh")
    assert [p.national_code for p in items] == ["1.001193"] and total == 1


def test_search_with_other_case_and_word_order_and_by_code(catalogue):
    assert [p.national_code for p in procedure_search("KHAI SINH đăng")[0]] == ["1.001193"]
    assert [p.national_code for p in procedure_search("1.012784")[0]] == ["1.012784"]


def test_search_filters_and_leaves_out_inactive_procedures(catalogue):
    assert procedure_search("dang ky")[1] == 2  # khai tử is inactive
    assert [p.national_code for p in procedure_search("", field="dat-dai")[0]] == ["1.012784"]
    assert [p.national_code for p in procedure_search("", service_level="partial_online")[0]] == [
        "1.000894"
    ]
    assert [p.national_code for p in procedure_search("", level="province")[0]] == ["1.012784"]


def test_field_list_counts_active_procedures(catalogue):
    counts = {f.code: f.procedure_count for f in field_list(with_counts=True)}
    assert counts == {"ho-tich": 2, "dat-dai": 1}


def test_api_lists_and_pages_procedures(client, catalogue):
    response = client.get("/api/v1/procedures", {"q": "dang ky", "limit": 1})
    body = response.json()
    assert response.status_code == 200 and body["count"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["field"]["code"] == "ho-tich"


def test_api_refuses_bad_filters_with_a_vietnamese_error(client, catalogue):
    response = client.get("/api/v1/procedures", {"limit": 1000})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_pagination"
    response = client.get("/api/v1/procedures", {"level": "district"})
    assert response.status_code == 400


def test_api_missing_and_inactive_procedures_are_the_same_404(client, catalogue):
    for code in ("9.999999", "1.000656", "x' or 1=1"):
        response = client.get(f"/api/v1/procedures/{code}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "procedure_not_found"


def test_api_fields_and_schema(client, catalogue):
    assert {f["code"] for f in client.get("/api/v1/procedures/fields").json()} == {
        "ho-tich",
        "dat-dai",
    }
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/procedures",
        "/api/v1/procedures/fields",
        "/api/v1/procedures/{national_code}",
    } <= set(paths)


def test_search_page_shows_results_filters_and_demo_notice(client, catalogue):
    response = client.get("/thu-tuc-hanh-chinh/", {"q": "tach thua"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tách thửa hoặc hợp thửa đất" in html and "Đăng ký khai sinh" not in html
    assert 'for="procedures-field"' in html and "dữ liệu minh hoạ" in html


def test_search_page_ignores_forged_filters_and_pages(client, catalogue):
    response = client.get(
        "/thu-tuc-hanh-chinh/", {"level": "<script>", "field": "x" * 500, "page": "-3"}
    )
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_search_page_pages_through_many_results(client):
    field = make_field()
    for number in range(25):
        make_procedure(f"1.{number:06d}", name=f"Thủ tục số {number}", field=field)
    first = client.get("/thu-tuc-hanh-chinh/").content.decode()
    second = client.get("/thu-tuc-hanh-chinh/", {"page": 2}).content.decode()
    assert "Trang 1 / 2" in first and "Trang 2 / 2" in second
    assert first.count("<tr>") == 21 and second.count("<tr>") == 6


def test_detail_page_offers_online_submission_only_for_online_procedures(client, catalogue):
    online = client.get("/thu-tuc-hanh-chinh/1.001193/").content.decode()
    offline = client.get("/thu-tuc-hanh-chinh/1.012784/").content.decode()
    assert 'href="/nop-ho-so/1.001193/"' in online and "Nộp hồ sơ trực tuyến" in online
    assert "/nop-ho-so/" not in offline


def test_detail_page_of_a_missing_procedure_is_a_404_page(client, catalogue):
    response = client.get("/thu-tuc-hanh-chinh/9.999999/")
    assert response.status_code == 404
    assert "Không tìm thấy thủ tục hành chính" in response.content.decode()


@pytest.fixture(scope="class")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue, loaded once for the class (its tests only read it)."""
    from tinhso.procedures.demo import load_demo_catalogue

    with outer_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            load_demo_catalogue()
        yield


class TestOnTheDemoCatalogue:
    """The API and the pages on the 61 demo procedures."""

    def test_api_detail_has_components_cases_fees_and_steps(self, client, demo_catalogue):
        body = client.get("/api/v1/procedures/1.013225").json()
        assert {case["code"] for case in body["cases"]} == {"nha-o-rieng-le", "cong-trinh-khac"}
        assert {fee["amount"] for fee in body["fees"]} == {50000, 100000}
        assert body["components"][0]["accepted_types"] == ["pdf", "jpg", "jpeg", "png"]
        assert [s["kind"] for s in body["templates"][0]["steps"]] == [
            "receive",
            "process",
            "approve",
            "return",
        ]

    def test_list_pages_use_a_bounded_number_of_queries(
        self, client, demo_catalogue, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(8):
            client.get("/thu-tuc-hanh-chinh/", {"q": "dang ky"})
        with django_assert_max_num_queries(12):
            client.get("/thu-tuc-hanh-chinh/1.013225/")
