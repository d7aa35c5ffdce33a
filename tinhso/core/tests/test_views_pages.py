"""The base pages: who may see them, what they show, and bad input on the look-up form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tinhso.core.choices import OrganisationKind, Role
from tinhso.core.models import AdministrativeUnit, Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    province = AdministrativeUnit.objects.get(version="2025-07", code="31")
    commune = AdministrativeUnit.objects.get(version="2025-07", code="10507")
    organisation = Organisation.objects.create(
        identifier_code="H31.TEST.01",
        name="Ủy ban nhân dân phường Thành Đông",
        kind=OrganisationKind.COMMUNE_COMMITTEE,
        unit=province,
    )
    user = User.objects.create_user(
        username="canbo",
        password="x",
        full_name="Nguyễn Văn An",
        role=Role.DESK_OFFICER,
        organisation=organisation,
    )
    user.units.add(commune)
    return user


@pytest.fixture
def citizen_user():
    return User.objects.create_user(
        username="congdan", password="x", full_name="Trần Thị Bình", role=Role.CITIZEN
    )


def test_home_page_is_public_and_in_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Bỏ qua, đến nội dung chính" in html
    assert "Tỉnh số · Thành phố Hải Phòng" in html
    for item in ("Trang chủ", "Thủ tục hành chính", "Tra cứu hồ sơ", "Đơn vị hành chính"):
        assert item in html
    assert 'name="viewport"' in html


def test_home_page_links_the_stylesheet_the_app_serves(client):
    html = client.get("/").content.decode()
    assert 'href="/static/core/css/tinhso.css"' in html
    assert "http://" not in html and "https://" not in html.replace("https://www.w3.org", "")


def test_anonymous_header_offers_sign_in_and_signed_in_header_offers_sign_out(client, citizen_user):
    html = client.get("/").content.decode()
    assert reverse("core:login") in html
    client.force_login(citizen_user)
    html = client.get("/").content.decode()
    assert "Trần Thị Bình" in html
    assert f'action="{reverse("core:logout")}" method="post"' in html


def test_language_switcher_posts_to_set_language_with_both_languages(client):
    html = client.get("/").content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert 'value="en" lang="en"' in html and ">English</button>" in html
    assert ">Tiếng Việt</button>" in html
    assert 'aria-pressed="true">Tiếng Việt<' in html


def test_unit_lookup_finds_a_ward_from_a_name_typed_without_diacritics(client):
    response = client.get("/don-vi-hanh-chinh/", {"q": "thanh dong", "on": "2025-08-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường Thành Đông" in html
    assert "10507" in html


def test_unit_lookup_by_code_depends_on_the_date(client):
    before = client.get("/don-vi-hanh-chinh/", {"q": "30307", "on": "2025-06-30"})
    after = client.get("/don-vi-hanh-chinh/", {"q": "30307", "on": "01/07/2025"})
    assert "Phường Mỹ Hòa" in before.content.decode()
    assert "Phường Long Xuyên" in after.content.decode()


def test_unit_lookup_of_an_old_province_after_the_reform_finds_only_the_new_ward(client):
    before = client.get("/don-vi-hanh-chinh/", {"q": "hai duong", "on": "2025-06-01"})
    after = client.get("/don-vi-hanh-chinh/", {"q": "hai duong", "on": "2025-08-01"})
    assert "Tỉnh Hải Dương" in before.content.decode()
    assert "Tỉnh Hải Dương" not in after.content.decode()
    assert "Phường Hải Dương" in after.content.decode()
    provinces_after = client.get(
        "/don-vi-hanh-chinh/", {"q": "hai duong", "on": "2025-08-01", "level": "province"}
    )
    assert "0 đơn vị" in provinces_after.content.decode()


def test_unit_lookup_of_an_unknown_code_says_not_found(client):
    response = client.get("/don-vi-hanh-chinh/", {"q": "99999", "on": "2025-08-01"})
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị hành chính có mã 99999" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "thanh dong", "on": "2025-02-30"}, "on", "Ngày không hợp lệ"),
        ({"q": "thanh dong", "on": "hôm qua"}, "on", "Ngày không hợp lệ"),
        ({"q": "thanh dong", "level": "huyen"}, "level", "Cấp đơn vị không hợp lệ"),
        ({"q": "x" * 101}, "q", "Từ khoá dài quá 100 ký tự"),
    ],
)
def test_unit_lookup_bad_input_is_a_400_with_the_reason_by_the_field(
    client, params, field, message
):
    response = client.get("/don-vi-hanh-chinh/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="units-{field}-error"' in html
    assert 'aria-invalid="true"' in html


def test_backoffice_sends_anonymous_users_to_sign_in(client):
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    assert "next=/quan-tri/" in response["Location"]


def test_backoffice_refuses_citizens_with_the_403_page(client, citizen_user):
    client.force_login(citizen_user)
    response = client.get("/quan-tri/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Trang này chỉ dành cho cán bộ, công chức." in html
    assert "officials_only" in html


def test_backoffice_dashboard_shows_the_officers_role_organisation_and_units(client, officer):
    client.force_login(officer)
    response = client.get("/quan-tri/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xin chào, Nguyễn Văn An" in html
    assert "Cán bộ một cửa" in html
    assert "Ủy ban nhân dân phường Thành Đông" in html
    assert "Phường Thành Đông" in html
    for item in ("Bàn làm việc", "Hồ sơ", "Báo cáo", "Danh mục", "Nhật ký"):
        assert item in html
    assert f'action="{reverse("core:logout")}"' in html


def test_backoffice_sections_are_placeholders_for_officers_and_404_when_unknown(client, officer):
    client.force_login(officer)
    assert client.get("/quan-tri/ho-so/").status_code == 200
    assert client.get("/quan-tri/khong-co/").status_code == 404


def test_backoffice_section_refuses_citizens(client, citizen_user):
    client.force_login(citizen_user)
    assert client.get("/quan-tri/nhat-ky/").status_code == 403
