"""The one-stop walk-through in headless Chromium, one screenshot per step.

A citizen finds a procedure typing without diacritics, submits with a PDF and
sees the code; the desk receives it; the head assigns it; the specialist asks
for a supplement; the citizen uploads it; the specialist forwards; the head
approves; the desk returns the result; tracking shows "Đã trả kết quả" with
the history. Screenshots: var/screenshots/walkthrough-NN-*.png.

Live-server tests flush the database and Playwright forbids ORM calls while it
runs, so the units, the catalogue, the agencies, the accounts and their
sessions are all prepared in fixtures before ``browser_session`` starts.
"""

from __future__ import annotations

import pytest

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import PHONE, BrowserSession, session_cookie_for
from tinhso.dossiers.tests.factories import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The core's browser fixtures, made available to this module.
browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir


@pytest.fixture
def walk_world(units_loaded):
    from django.core.cache import cache

    from tinhso.dossiers.tests.factories import make_world

    cache.clear()
    return make_world()


@pytest.fixture
def cookies(live_server, walk_world):
    w = walk_world
    users = {
        "citizen": w.citizen_user,
        "desk": w.desk,
        "head": w.head,
        "specialist": w.specialist,
    }
    return {name: session_cookie_for(user, live_server.url) for name, user in users.items()}


@pytest.fixture
def pdf_file(tmp_path):
    path = tmp_path / "to-khai-ly-lich.pdf"
    path.write_bytes(pdf_bytes("to khai"))
    return path


def _open(session: BrowserSession, cookies, who: str, path: str, **kwargs):
    page = session.new_page(cookies=cookies[who], **kwargs)
    page.goto(path)
    return page


def _shot(session, page, number: int, name: str) -> None:
    session.screenshot(page, f"walkthrough-{number:02d}-{name}")


def _act(page, form_name: str, button: str | None = None):
    form = page.get_by_role("form", name=form_name)
    with page.expect_navigation():
        form.get_by_role("button", name=button or form_name).click()
    return form


def _success(page) -> str:
    return page.locator(".messages").inner_text()


def test_a_dossier_from_search_to_returned_result(
    walk_world, cookies, pdf_file, browser_session: BrowserSession
):
    session = browser_session
    citizen = _open(session, cookies, "citizen", "/thu-tuc-hanh-chinh/")
    # 1. find the procedure by typing without diacritics
    citizen.get_by_label("Tên hoặc mã thủ tục").fill("ly lich tu phap")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Tìm kiếm").click()
    _shot(session, citizen, 1, "search")
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Cấp Phiếu lý lịch tư pháp").click()
    assert citizen.get_by_role("heading", level=1).inner_text() == "Cấp Phiếu lý lịch tư pháp"
    _shot(session, citizen, 2, "procedure")
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    # 2. the form: one file input per component, then submit with a PDF
    assert citizen.get_by_label("Tờ khai").get_attribute("aria-required") == "true"
    citizen.get_by_label("Địa chỉ liên hệ").fill("Số 1 Lạch Tray, Hải Phòng")
    citizen.get_by_label("Tờ khai").set_input_files(str(pdf_file))
    _shot(session, citizen, 3, "submit-form")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Nộp hồ sơ").click()
    assert citizen.get_by_role("heading", level=1).inner_text() == "Đã nộp hồ sơ", citizen.locator(
        "main"
    ).inner_text()[:1500]
    code = citizen.locator(".dossier-code").inner_text().strip()
    assert code.startswith("000.00.50.H24-")
    _shot(session, citizen, 4, "submitted")

    # 3. the desk receives it from its inbox
    desk = _open(session, cookies, "desk", "/quan-tri/ho-so/")
    _shot(session, desk, 5, "desk-inbox")
    with desk.expect_navigation():
        desk.get_by_role("link", name=code).click()
    _act(desk, "Tiếp nhận hồ sơ")
    assert "Đã thực hiện “Tiếp nhận hồ sơ”" in _success(desk)
    assert "Đã tiếp nhận" in desk.locator(".badge--status").inner_text()
    _shot(session, desk, 6, "desk-received")

    # 4. the head assigns it to the specialist
    head = _open(session, cookies, "head", "/quan-tri/ho-so/")
    with head.expect_navigation():
        head.get_by_role("link", name=code).click()
    head.get_by_role("form", name="Phân công xử lý").get_by_label("Giao cho").select_option(
        label="Chuyenvien"
    )
    _shot(session, head, 7, "head-assign")
    _act(head, "Phân công xử lý")
    assert "Đang xử lý" in head.locator(".badge--status").inner_text()

    # 5. the specialist asks for a supplement, with items
    specialist = _open(session, cookies, "specialist", "/quan-tri/ho-so/")
    with specialist.expect_navigation():
        specialist.get_by_role("link", name=code).click()
    form = specialist.get_by_role("form", name="Yêu cầu bổ sung hồ sơ")
    form.get_by_label("Lý do").fill("Tờ khai chưa có chữ ký của người yêu cầu")
    form.get_by_label("Nội dung cần bổ sung").fill("Tờ khai có chữ ký\nBản sao CCCD")
    _shot(session, specialist, 8, "specialist-supplement-request")
    _act(specialist, "Yêu cầu bổ sung hồ sơ")
    assert "Yêu cầu bổ sung" in specialist.locator(".badge--status").inner_text()

    # 6. the citizen sees the request and uploads the supplement
    citizen.goto("/ca-nhan/ho-so/")
    _shot(session, citizen, 9, "my-dossiers")
    with citizen.expect_navigation():
        citizen.get_by_role("link", name=code).click()
    assert (
        "Tờ khai có chữ ký"
        in citizen.get_by_role("region", name="Cơ quan yêu cầu bổ sung hồ sơ").inner_text()
    )
    form = citizen.get_by_role("form", name="Nộp bổ sung hồ sơ")
    form.get_by_label("Tờ khai").set_input_files(str(pdf_file))
    form.get_by_label("Ghi chú").fill("Đã ký tờ khai")
    _shot(session, citizen, 10, "citizen-supplement")
    _act(citizen, "Nộp bổ sung hồ sơ")
    assert "Đã thực hiện “Nộp bổ sung hồ sơ”" in _success(citizen)

    # 7. the specialist forwards to the head
    specialist.reload()
    _act(specialist, "Chuyển bước tiếp theo")
    _shot(session, specialist, 11, "specialist-forwarded")

    # 8. the head approves
    head.reload()
    _act(head, "Phê duyệt")
    assert "Đã có kết quả, chờ trả" in head.locator(".badge--status").inner_text()
    _shot(session, head, 12, "head-approved")

    # 9. the desk returns the result
    desk.reload()
    _act(desk, "Trả kết quả")
    assert "Đã trả kết quả" in desk.locator(".badge--status").inner_text()
    _shot(session, desk, 13, "desk-returned")

    # 10. tracking without signing in shows the result and the history
    public = session.new_page()
    public.goto(f"/tra-cuu-ho-so/?code={code}")
    public.get_by_label("Số CCCD của người nộp").fill(walk_world.citizen.id_number)
    with public.expect_navigation():
        public.get_by_role("button", name="Tra cứu").click()
    result = public.get_by_role("region", name=f"Hồ sơ {code}")
    text = result.inner_text()
    assert "Đã trả kết quả" in text
    history = result.get_by_role("list", name="Lịch sử xử lý").inner_text()
    for status in ("Mới nộp, chờ tiếp nhận", "Đã tiếp nhận", "Yêu cầu bổ sung", "Đã trả kết quả"):
        assert status in history
    _shot(session, public, 14, "tracking-returned")
    assert session.foreign_requests() == []


def test_dossier_pages_fit_a_phone(walk_world, cookies, browser_session: BrowserSession):
    session = browser_session
    pages = [
        ("citizen", f"/nop-ho-so/{walk_world.procedure.national_code}/"),
        ("citizen", "/ca-nhan/ho-so/"),
        ("desk", "/quan-tri/ho-so/"),
        ("desk", "/quan-tri/ho-so/tiep-nhan/?ma=" + walk_world.procedure.national_code),
    ]
    for who, path in pages:
        page = _open(session, cookies, who, path, viewport=PHONE)
        widths = page.evaluate(
            "({page: document.documentElement.scrollWidth, view: window.innerWidth})"
        )
        wide = page.evaluate(
            """[...document.querySelectorAll('main *')]
                 .filter(el => el.getBoundingClientRect().right > window.innerWidth)
                 .map(el => el.tagName + '.' + el.className + '#' + el.id).slice(0, 8)"""
        )
        assert widths["page"] <= widths["view"], (path, widths, wide)
        # every input of the page has a label
        unlabelled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(el => !el.labels || el.labels.length === 0).map(el => el.name)"""
        )
        assert unlabelled == [], (path, unlabelled)
        name = path.strip("/").split("?")[0].replace("/", "-")
        session.screenshot(page, f"walkthrough-phone-{name}")
