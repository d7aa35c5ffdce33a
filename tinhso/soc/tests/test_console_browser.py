"""The analyst console in headless Chromium: list → incident → acknowledge → close with a
reason, on a desktop and a phone-sized screen, by mouse and by keyboard.

Screenshots: /tmp/shots/socconsole/ (or ``TINHSO_SHOTS_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import run_in_thread, session_cookie_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir

SHOTS = Path(os.environ.get("TINHSO_SHOTS_DIR", "/tmp/shots/socconsole"))  # noqa: S108
PHONE = {"width": 360, "height": 780}


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def console(units_loaded, live_server):
    """The demo's incidents and an IT administrator signed in (before the browser starts)."""
    from tinhso.core.choices import Role
    from tinhso.core.models import User
    from tinhso.soc.demo import soc_demo_seed
    from tinhso.soc.models import Incident

    admin = User.objects.create_user(
        username="quantri.browser",
        password="x-Unused-Pass-123",
        role=Role.IT_ADMIN,
        full_name="Đỗ Quang Huy",
    )
    soc_demo_seed()
    injector = Incident.objects.get(key="203.0.113.66")
    return {
        "cookies": session_cookie_for(admin, live_server.url),
        "injector": injector.pk,
    }


def test_list_detail_acknowledge_close(console, browser_session):
    page = browser_session.new_page(cookies=console["cookies"])
    page.goto(browser_session.url("/quan-tri/an-ninh/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sự cố an ninh"
    assert page.get_by_role("link", name="An ninh").first.get_attribute("aria-current") == "page"
    rows = page.locator("table tbody tr")
    assert rows.count() == 3  # the closed false positive is not "in progress"
    assert page.get_by_role("link", name="Đã đóng (1)").is_visible()
    _shot(page, "01-list-desktop")

    page.get_by_role("link", name=f"#{console['injector']} ", exact=False).click()
    page.wait_for_url(f"**/su-co/{console['injector']}/")
    assert "203.0.113.66" in page.get_by_role("heading", level=1).inner_text()
    evidence = page.get_by_role("region", name="Bằng chứng", exact=False).first
    assert "pg_sleep" in evidence.inner_text() or "union" in evidence.inner_text()
    assert page.locator("table.evidence code", has_text="1001").count() >= 1
    _shot(page, "02-detail-desktop")

    page.get_by_role("button", name="Tiếp nhận sự cố").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã tiếp nhận sự cố").first.is_visible()
    assert page.locator(".st--acknowledged").first.is_visible()

    # Closing without a reason: the form says what is missing, nothing changes.
    page.get_by_role("button", name="Đóng sự cố").click()
    page.wait_for_load_state()
    assert page.get_by_text("Hãy chọn lý do đóng sự cố.").is_visible()
    reason = page.get_by_label("Lý do đóng")
    assert reason.get_attribute("aria-invalid") == "true"
    _shot(page, "03-close-errors")

    # By keyboard: choose the reason, type the note, submit with Enter on the button.
    reason.focus()
    reason.select_option("resolved")
    page.get_by_label("Ghi chú", exact=False).fill(
        "Đã chặn địa chỉ; kiểm tra nhật ký CSDL không thấy truy vấn lạ."
    )
    page.get_by_role("button", name="Đóng sự cố").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Đã đóng sự cố").first.is_visible()
    assert page.locator(".st--closed").first.inner_text() == "Đã đóng"
    assert page.get_by_text("Đã xử lý xong").is_visible()
    _shot(page, "04-closed")

    from tinhso.soc.models import Incident

    incident = run_in_thread(lambda: Incident.objects.get(pk=console["injector"]))
    assert incident.status == "closed" and incident.close_reason == "resolved"
    assert browser_session.foreign_requests() == []


def test_console_on_a_phone(console, browser_session):
    page = browser_session.new_page(viewport=PHONE, cookies=console["cookies"])
    page.goto(browser_session.url("/quan-tri/an-ninh/"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1  # the table scrolls in its frame, not the page
    _shot(page, "05-list-phone")
    page.goto(browser_session.url(f"/quan-tri/an-ninh/su-co/{console['injector']}/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    _shot(page, "06-detail-phone")
    page.goto(browser_session.url("/quan-tri/an-ninh/quyet-dinh/"))
    assert page.get_by_role("button", name="Gỡ quyết định", exact=False).count() >= 2
    _shot(page, "07-decisions-phone")
    # The first link reached by the keyboard is the skip link, and focus is visible.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused


def test_console_in_english(console, browser_session):
    page = browser_session.new_page(cookies=console["cookies"])
    page.goto(browser_session.url(f"/quan-tri/an-ninh/su-co/{console['injector']}/"))
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Incident #")
    assert page.get_by_role("button", name="Close the incident").is_visible()
    assert page.get_by_role("columnheader", name="Inspection rules matched (score)").count() >= 1
    _shot(page, "08-detail-english")
