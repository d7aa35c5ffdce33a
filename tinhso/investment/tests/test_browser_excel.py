"""The Excel update page in headless Chromium: an owner uploads a file with a bad row (every
error listed by row and column, nothing stored), then a good one; keyboard reachable, phone-sized.

Screenshots: /tmp/shots/invexcel/ (or ``TINHSO_SHOTS_DIR``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import BrowserSession, run_in_thread, session_cookie_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir

SHOTS = Path(os.environ.get("TINHSO_SHOTS_DIR", "/tmp/shots/invexcel"))  # noqa: S108
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def owner_files(units_loaded, live_server, tmp_path):
    from tinhso.investment.tests.factories import BN, make_line, make_project, make_world
    from tinhso.investment.tests.test_excel_upload import row, workbook

    world = make_world()
    today = timezone.localdate()
    on = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=2))
    project = make_project(world, code="DA-EXCEL-1", name="Trường tiểu học Thanh Bình")
    line = make_line(world, project, 10 * BN, year=today.year)
    bad = tmp_path / "giai-ngan-loi.xlsx"
    bad.write_bytes(
        workbook(
            [
                row("DA-EXCEL-1", line, 2 * BN, on=on),
                row("DA-KHONG-CO", line, BN, on=on),
                row("DA-EXCEL-1", line, -5, on=on),
                row("DA-EXCEL-1", line, BN, on=on, kind="Chuyển khoản"),
            ]
        )
    )
    good = tmp_path / "giai-ngan.xlsx"
    good.write_bytes(
        workbook([row("DA-EXCEL-1", line, 2 * BN, on=on), row("DA-EXCEL-1", line, BN, on=on)])
    )
    cookies = session_cookie_for(world.owner, live_server.url)
    return cookies, bad, good


def test_owner_uploads_a_bad_then_a_good_file(owner_files, browser_session: BrowserSession):
    from tinhso.investment.models import Disbursement

    cookies, bad, good = owner_files
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_session.new_page(cookies=cookies)
    page.goto(browser_session.url("/quan-tri/dau-tu/cap-nhat-excel/"))
    assert page.get_by_label("Tệp Excel giải ngân").is_visible()
    page.screenshot(path=str(SHOTS / "excel-01-page.png"), full_page=True)

    # Keyboard: the file field and the upload button are reachable with Tab.
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement && document.activeElement.id"))
        if "upload-file" in reached:
            break
    assert "upload-file" in reached

    page.set_input_files("#upload-file", str(bad))
    page.get_by_role("button", name="Tải lên và ghi").click()
    page.wait_for_selector("#upload-error")
    text = page.inner_text("main")
    assert "Không có dự án mã «DA-KHONG-CO»" in text
    assert "3 lỗi cần sửa" in text
    page.screenshot(path=str(SHOTS / "excel-02-errors.png"), full_page=True)
    assert run_in_thread(Disbursement.objects.count) == 0

    phone = browser_session.new_page(viewport=PHONE, cookies=cookies)
    phone.goto(browser_session.url("/quan-tri/dau-tu/cap-nhat-excel/"))
    phone.set_input_files("#upload-file", str(good))
    phone.get_by_role("button", name="Tải lên và ghi").click()
    phone.wait_for_selector(".notice--ok")
    assert "Đã ghi 2 khoản giải ngân của 1 dự án" in phone.inner_text("main")
    phone.screenshot(path=str(SHOTS / "excel-03-phone-done.png"), full_page=True)
    assert run_in_thread(Disbursement.objects.count) == 2
    assert browser_session.foreign_requests() == []
