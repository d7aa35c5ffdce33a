"""The pages in headless Chromium: language, keyboard, phone size, labels, no outside requests.

Screenshots go to var/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest

from tinhso.core.tests.browser import PHONE, BrowserSession, session_cookie_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/don-vi-hanh-chinh/?q=thanh+dong",
    "/thu-tuc-hanh-chinh/?q=khai+sinh",
    "/tra-cuu-ho-so/",
    "/khong-co-trang-nay/",
]


def _tab_to(page, predicate: str, limit: int = 30) -> bool:
    """Press Tab until ``predicate`` (JS on document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return True
    return False


def test_home_page_renders_in_vietnamese_with_diacritics(browser_session: BrowserSession):
    page = browser_session.new_page()
    page.goto("/")
    assert page.get_attribute("html", "lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Dịch vụ công của tỉnh, ở một nơi"
    assert "Tỉnh số · Thành phố Hải Phòng" in page.locator("header").inner_text()
    navigation = page.get_by_role("navigation", name="Điều hướng chính")
    for item in ("Trang chủ", "Thủ tục hành chính", "Tra cứu hồ sơ", "Đơn vị hành chính"):
        assert navigation.get_by_role("link", name=item).is_visible()
    # the stylesheet really applied (header colour), so the CSS was served
    header_colour = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert header_colour == "rgb(164, 22, 26)"
    sign_in = page.get_by_role("link", name="Đăng nhập")
    colours = sign_in.evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    assert colours[0] != colours[1], colours  # the text is not invisible on its button
    browser_session.screenshot(page, "home-desktop")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(browser_session):
    page = browser_session.new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Bỏ qua, đến nội dung chính"
    assert page.locator(".skip-link").evaluate("el => el.getBoundingClientRect().top >= 0")
    browser_session.screenshot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_language_switch_to_english_works_with_the_keyboard(browser_session):
    page = browser_session.new_page()
    page.goto("/don-vi-hanh-chinh/")
    assert _tab_to(page, "el.tagName === 'BUTTON' && el.value === 'en'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus is visible
    browser_session.screenshot(page, "language-button-focused")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "en"
    assert page.url.endswith("/don-vi-hanh-chinh/")
    assert page.get_by_role("heading", level=1).inner_text() == "Look up administrative units"
    assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
    browser_session.screenshot(page, "units-english")
    # and back, again from the keyboard
    assert _tab_to(page, "el.tagName === 'BUTTON' && el.value === 'vi'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "vi"


def test_unit_lookup_finds_thanh_dong_from_thanh_dong(browser_session):
    page = browser_session.new_page()
    page.goto("/don-vi-hanh-chinh/")
    page.get_by_label("Tên hoặc mã đơn vị").fill("thanh dong")
    page.get_by_label("Vào ngày").fill("2025-08-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Tra cứu").click()
    results = page.get_by_role("region", name="đơn vị, vào ngày 01/08/2025")
    assert results.get_by_role("rowheader", name="Phường Thành Đông").is_visible()
    row = page.get_by_role("row").filter(has_text="Phường Thành Đông")
    assert "10507" in row.inner_text()
    assert "Thành phố Hải Phòng" in row.inner_text()
    browser_session.screenshot(page, "units-thanh-dong")


def test_unit_lookup_shows_a_bad_date_next_to_the_field(browser_session):
    page = browser_session.new_page()
    page.goto("/don-vi-hanh-chinh/?q=thanh+dong&on=30%2F02%2F2025")
    field = page.get_by_label("Vào ngày")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Ngày không hợp lệ" in page.get_by_role("alert").inner_text()
    browser_session.screenshot(page, "units-bad-date")


def test_phone_size_viewport_has_no_horizontal_scroll(browser_session):
    page = browser_session.new_page(viewport=PHONE)
    for path in PUBLIC_PAGES:
        page.goto(path)
        widths = page.evaluate(
            "({page: document.documentElement.scrollWidth, view: window.innerWidth})"
        )
        assert widths["page"] <= widths["view"], (path, widths)
        name = "phone-" + (path.split("?")[0].strip("/").replace("/", "-") or "home")
        browser_session.screenshot(page, name)


def test_every_input_has_an_accessible_label(browser_session):
    page = browser_session.new_page()
    checked = 0
    for path in PUBLIC_PAGES:
        page.goto(path)
        controls = page.evaluate(
            """Array.from(document.querySelectorAll('input, select, textarea'))
                .filter(el => el.type !== 'hidden')
                .map(el => ({id: el.id, label: el.labels.length ? el.labels[0].innerText.trim() : ''}))"""
        )
        for control in controls:
            assert control["label"], f"{path}: #{control['id']} has no label"
            labelled = page.get_by_label(control["label"], exact=True)
            assert control["id"] in labelled.evaluate_all("els => els.map(el => el.id)"), control
            checked += 1
        for button in page.get_by_role("button").all():
            assert button.inner_text().strip() or button.get_attribute("aria-label")
    assert checked >= 5


def test_no_request_leaves_the_live_server(browser_session):
    page = browser_session.new_page()
    for path in PUBLIC_PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/static/core/css/tinhso.css") for url in browser_session.requests)
    assert browser_session.foreign_requests() == []


@pytest.fixture
def signed_in_officer(units_loaded):
    from tinhso.core.choices import OrganisationKind, Role
    from tinhso.core.models import AdministrativeUnit, Organisation, User

    commune = AdministrativeUnit.objects.get(version="2025-07", code="10507")
    organisation = Organisation.objects.create(
        identifier_code="H31.TEST.02",
        name="Ủy ban nhân dân phường Thành Đông",
        kind=OrganisationKind.COMMUNE_COMMITTEE,
        unit=commune,
    )
    user = User.objects.create_user(
        username="motcua",
        password="x",
        full_name="Phạm Thị Dung",
        role=Role.DESK_OFFICER,
        organisation=organisation,
    )
    user.units.add(commune)
    return user


@pytest.fixture
def officer_cookies(live_server, signed_in_officer):
    return session_cookie_for(signed_in_officer, live_server.url)


def test_backoffice_dashboard_for_an_officer_on_desktop_and_phone(officer_cookies, browser_session):
    cookies = officer_cookies
    page = browser_session.new_page(cookies=cookies)
    page.goto("/quan-tri/")
    assert page.get_by_role("heading", level=1).inner_text() == "Xin chào, Phạm Thị Dung"
    navigation = page.get_by_role("navigation", name="Điều hướng quản trị")
    for item in ("Bàn làm việc", "Hồ sơ", "Báo cáo", "Danh mục", "Nhật ký"):
        assert navigation.get_by_role("link", name=item, exact=True).is_visible()
    assert page.get_by_role("button", name="Đăng xuất").is_visible()
    browser_session.screenshot(page, "backoffice-desktop")

    phone = browser_session.new_page(viewport=PHONE, cookies=cookies)
    phone.goto("/quan-tri/")
    widths = phone.evaluate(
        "({page: document.documentElement.scrollWidth, view: window.innerWidth})"
    )
    assert widths["page"] <= widths["view"], widths
    browser_session.screenshot(phone, "backoffice-phone")
