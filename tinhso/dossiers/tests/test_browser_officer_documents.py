"""The officers' document forms in headless Chromium, with screenshots.

The head of the competent agency opens a decided dossier, tries a picture
renamed to .pdf (refused next to the field, nothing kept), uploads the result
signed with the agency's certificate and sees it with its download and
verification links; on a late dossier the head issues an apology letter with
two more working days; the citizen sees the letter on their dossier page. The
forms are reached with the keyboard, and the page is checked at phone size.
Screenshots: var/screenshots/officer/officer-NN-*.png, or under ``TINHSO_SHOTS_DIR``.

Live-server tests flush the database and Playwright forbids ORM calls while it
runs, so the data, the files and the sessions are prepared first.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import PHONE, BrowserSession, session_cookie_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir

SHOTS = Path(os.environ.get("TINHSO_SHOTS_DIR") or _browser.SCREENSHOTS / "officer")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def prepared(live_server, units_loaded, settings, tmp_path):
    from django.core.cache import cache

    from tinhso.dossiers.tests.factories import make_world, png_bytes
    from tinhso.dossiers.tests.test_views_documents import make_dossier, signed_pdf

    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    world = make_world()
    decided = make_dossier(world, status="processed")
    late = make_dossier(world, status="processing")  # due in January: late by now
    signed = tmp_path / "ket-qua-da-ky.pdf"
    signed.write_bytes(signed_pdf(world.justice))
    picture = tmp_path / "anh-chup.pdf"
    picture.write_bytes(png_bytes())
    return SimpleNamespace(
        decided=decided.code,
        late=late.code,
        signed=signed,
        picture=picture,
        head=session_cookie_for(world.head, live_server.url),
        citizen=session_cookie_for(world.citizen_user, live_server.url),
    )


def test_the_head_uploads_the_result_and_issues_an_apology(
    prepared, browser_session: BrowserSession
):
    head = browser_session.new_page(cookies=prepared.head)

    # the decided dossier offers the upload form; the keyboard reaches its file input
    head.goto(browser_session.url(f"/quan-tri/ho-so/{prepared.decided}/"))
    form = head.locator("form[action$='/ket-qua/']")
    assert form.locator("h3").inner_text() == "Tải lên kết quả đã ký số"
    assert form.locator("label[for='id_result-file']").count() == 1
    assert head.locator("#id_result-file").get_attribute("accept") == ".pdf,application/pdf"
    head.locator("#id_result-file").focus()
    head.keyboard.press("Tab")
    assert head.evaluate("document.activeElement.textContent.trim()") == "Tải lên kết quả"
    form.scroll_into_view_if_needed()
    shot(head, "officer-01-upload-form")

    # a picture renamed to .pdf is refused next to the field
    head.set_input_files("#id_result-file", str(prepared.picture))
    head.click("text=Tải lên kết quả >> nth=-1")
    head.wait_for_selector("#result-form-error")
    error = head.locator("#result-form-error").inner_text()
    assert "không đúng định dạng" in error or "không khớp với nội dung" in error
    assert head.locator("#id_result-file").get_attribute("aria-invalid") == "true"
    head.locator("#result-form-error").scroll_into_view_if_needed()
    shot(head, "officer-02-upload-refused")

    # the signed file is kept; the page shows it with its download and verification
    head.set_input_files("#id_result-file", str(prepared.signed))
    head.click("text=Tải lên kết quả >> nth=-1")
    head.wait_for_selector("text=Đã lưu kết quả đã ký số")
    assert head.locator("form[action$='/ket-qua/']").count() == 0
    assert head.locator(f"a[href='/quan-tri/ho-so/{prepared.decided}/ket-qua.pdf']").count() == 1
    assert head.locator("a[href^='/xac-thuc-ket-qua/']").count() == 1
    head.locator("#result-heading").scroll_into_view_if_needed()
    shot(head, "officer-03-result-kept")

    # the late dossier: an apology letter with two more working days
    head.goto(browser_session.url(f"/quan-tri/ho-so/{prepared.late}/"))
    apology = head.locator("form[action$='/xin-loi/']")
    assert "Phát hành phiếu xin lỗi" in apology.locator("h3").inner_text()
    for field in ("reason", "extra_days", "new_due_at"):
        assert apology.locator(f"label[for='id_apology-{field}']").count() == 1
    head.fill("#id_apology-reason", "Cần lấy ý kiến của Ủy ban nhân dân xã nơi cư trú.")
    head.fill("#id_apology-extra_days", "2")
    apology.scroll_into_view_if_needed()
    shot(head, "officer-04-apology-form")
    head.click("button:has-text('Phát hành phiếu xin lỗi')")
    head.wait_for_selector("text=Đã phát hành phiếu xin lỗi")
    letters = head.locator("section[aria-labelledby='apology-heading'] tbody tr")
    assert letters.count() == 1
    assert "Cần lấy ý kiến" in letters.first.inner_text()
    assert letters.first.locator("a[href$='.pdf']").count() == 1
    head.locator("#apology-heading").scroll_into_view_if_needed()
    shot(head, "officer-05-apology-issued")

    # at phone size the forms and the table stay inside the screen
    phone = browser_session.new_page(viewport=PHONE, cookies=prepared.head)
    phone.goto(browser_session.url(f"/quan-tri/ho-so/{prepared.late}/"))
    shot(phone, "officer-06-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width

    # the citizen sees the letter on their dossier page and can download it
    citizen = browser_session.new_page(cookies=prepared.citizen)
    citizen.goto(browser_session.url(f"/ca-nhan/ho-so/{prepared.late}/"))
    row = citizen.locator("section[aria-labelledby='apology-heading'] tbody tr")
    assert row.count() == 1
    link = row.first.locator("a[href$='.pdf']")
    response = citizen.request.get(browser_session.url(link.get_attribute("href")))
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    citizen.locator("#apology-heading").scroll_into_view_if_needed()
    shot(citizen, "officer-07-citizen-letter")

    assert browser_session.foreign_requests() == []


@pytest.fixture
def with_paper(live_server, units_loaded, settings, tmp_path):
    from django.core.cache import cache

    from tinhso.dossiers.results import result_issue
    from tinhso.dossiers.tests.factories import make_world
    from tinhso.dossiers.tests.test_views_documents import make_dossier

    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    world = make_world()
    result = result_issue(actor=world.head, dossier=make_dossier(world, status="processed"))
    world.procedure.components.filter(code="to-khai").update(reusable=True)
    return SimpleNamespace(
        procedure=world.procedure.national_code,
        result=result.pk,
        label=result.dossier.code,
        citizen=session_cookie_for(world.citizen_user, live_server.url),
    )


def test_the_citizen_submits_with_a_paper_from_their_store(
    with_paper, browser_session: BrowserSession
):
    page = browser_session.new_page(cookies=with_paper.citizen)
    page.goto(browser_session.url(f"/nop-ho-so/{with_paper.procedure}/"))
    picker = page.locator("#file-to-khai-paper")
    assert page.locator("label[for='file-to-khai-paper']").inner_text() == (
        "Hoặc dùng giấy tờ trong Kho giấy tờ"
    )
    assert page.locator("#file-anh-paper").count() == 0  # the photo is not reusable
    picker.select_option(str(with_paper.result))
    assert with_paper.label in picker.locator("option:checked").inner_text()
    picker.scroll_into_view_if_needed()
    shot(page, "officer-08-submit-paper-picker")
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_url("**/da-nop/")
    shot(page, "officer-09-submitted-with-paper")
    assert browser_session.foreign_requests() == []
