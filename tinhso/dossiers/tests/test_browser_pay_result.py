"""The demo's pay-and-get-a-signed-result walk in headless Chromium, with screenshots.

On the data ``tinhso demo`` makes: the demo citizen signs in, opens their
dossier waiting for payment, pays in the local gateway simulator, comes back to
the platform and gets the e-receipt; an officer of another agency cannot open
the dossier; the commune's specialist, head and desk take it to the result;
the citizen downloads the signed result, its QR code (decoded from the PDF's
page) opens the public verification page, which accepts the genuine file and
refuses a copy with one byte changed and a copy signed by a self-made
certificate. Screenshots: var/screenshots/walk/pay-NN-*.png (or ``TINHSO_SHOTS_DIR``).

Live-server tests flush the database and Playwright forbids ORM calls while it
runs, so the demo data, the forged file and the sessions are prepared first.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import BrowserSession, session_cookie_for
from tinhso.dossiers.tests import pdfcheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir

SHOTS = Path(os.environ.get("TINHSO_SHOTS_DIR") or _browser.SCREENSHOTS / "walk")


def seed_demo(settings, tmp_path) -> None:
    """The data ``tinhso demo`` makes (fewer citizens), with its own demo PKI."""
    from django.core.cache import cache

    from tinhso.core.demo.seeder import demo_seed
    from tinhso.dossiers.demo import dossiers_demo_seed
    from tinhso.procedures.demo import load_demo_catalogue

    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    cache.clear()
    demo_seed(actor=None, citizens=60)
    load_demo_catalogue(actor=None)
    dossiers_demo_seed(actor=None)


@pytest.fixture
def demo(units_loaded, live_server, settings, tmp_path):
    from tinhso.core.models import User
    from tinhso.dossiers.models import Dossier, DossierResult

    seed_demo(settings, tmp_path)
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["congdan", "chuyenvien.xa", "lanhdao.xa", "motcua.xa", "lanhdao.so"]
        )
    }
    citizen = users["congdan"].citizen
    waiting = Dossier.objects.select_related("competent_organisation").get(
        applicant=citizen, status="financial_obligation"
    )
    returned = Dossier.objects.select_related(
        "procedure", "competent_organisation__parent", "applicant"
    ).get(applicant=citizen, status="returned")
    token = DossierResult.objects.get(dossier=returned).token
    forged = pdfcheck.forged_result(
        returned,
        token=token,
        folder=tmp_path / "forger",
        decision="Chấp thuận cấp thêm quyền cho người nộp hồ sơ (bản giả mạo).",
    )
    from tinhso.core.demo.seeder import DEMO_PASSWORD

    return SimpleNamespace(
        code=waiting.code,
        agency=waiting.competent_organisation.name,
        password=DEMO_PASSWORD,
        forged=forged,
        cookies={
            name: session_cookie_for(users[name], live_server.url)
            for name in ("chuyenvien.xa", "lanhdao.xa", "motcua.xa", "lanhdao.so")
        },
    )


def _shot(page, number: int, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"pay-{number:02d}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _act(page, form_name: str) -> None:
    form = page.get_by_role("form", name=form_name)
    with page.expect_navigation():
        form.get_by_role("button", name=form_name).click()


def _get_pdf(page, href: str) -> bytes:
    """Fetch a link with the page's own session (what "download" does)."""
    response = page.context.request.get(href)
    assert response.status == 200, (href, response.status)
    assert response.headers["content-type"].startswith("application/pdf")
    body = response.body()
    assert body.startswith(b"%PDF-")
    return body


def _verify_upload(page, name: str, data: bytes) -> str:
    page.get_by_label("Tệp kết quả cần kiểm tra (PDF)").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": data}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    return page.locator("#verdict").inner_text()


def test_citizen_pays_gets_the_signed_result_and_a_forgery_fails(
    demo, browser_session: BrowserSession, tmp_path
):
    session = browser_session
    code = demo.code
    # 1. the demo citizen signs in with the demo account
    citizen = session.new_page()
    citizen.goto("/dang-nhap/")
    citizen.get_by_label("Tên đăng nhập").fill("congdan")
    citizen.get_by_label("Mật khẩu").fill(demo.password)
    _shot(citizen, 1, "sign-in")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Đăng nhập").click()
    citizen.goto("/ca-nhan/ho-so/")
    _shot(citizen, 2, "my-dossiers")

    # 2. opens the dossier waiting for payment: the request and the pay button are there
    with citizen.expect_navigation():
        citizen.get_by_role("link", name=code).click()
    due = citizen.get_by_role("region", name="Cơ quan yêu cầu thực hiện nghĩa vụ tài chính")
    assert "Tổng số tiền" in due.inner_text()
    _shot(citizen, 3, "payment-due")

    # 3. pays in the local gateway simulator
    with citizen.expect_navigation():
        due.get_by_role("button", name="Thanh toán trực tuyến").click()
    assert "/gia-lap-cong-thanh-toan/" in citizen.url
    assert code in citizen.locator("main").inner_text()
    _shot(citizen, 4, "gateway-simulator")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Thanh toán", exact=True).click()

    # 4. back on the platform: paid, the dossier back at work, the e-receipt downloadable
    assert "/ca-nhan/thanh-toan/ket-qua/" in citizen.url
    assert "Thanh toán thành công" in citizen.get_by_role("status").inner_text()
    _shot(citizen, 5, "payment-result")
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Xem hồ sơ").click()
    assert "Đang xử lý" in citizen.locator(".badge--status").inner_text()
    assert (
        citizen.get_by_role("region", name="Cơ quan yêu cầu thực hiện nghĩa vụ tài chính").count()
        == 0
    )
    receipt_link = citizen.get_by_role("link", name=re.compile("Biên lai thu phí, lệ phí điện tử"))
    receipt = _get_pdf(citizen, receipt_link.get_attribute("href"))
    _shot(citizen, 6, "paid-dossier")
    pdfcheck.page_png(receipt, SHOTS, "pay-07-receipt-pdf")

    # 5. an officer of another agency cannot open it
    other = session.new_page(cookies=demo.cookies["lanhdao.so"])
    response = other.goto(f"/quan-tri/ho-so/{code}/")
    assert response.status == 404
    _shot(other, 8, "other-agency-not-found")

    # 6. the commune's specialist forwards, the head approves, the desk returns the result
    specialist = session.new_page(cookies=demo.cookies["chuyenvien.xa"])
    specialist.goto(f"/quan-tri/ho-so/{code}/")
    _act(specialist, "Chuyển bước tiếp theo")
    _shot(specialist, 9, "specialist-forwarded")
    head = session.new_page(cookies=demo.cookies["lanhdao.xa"])
    head.goto(f"/quan-tri/ho-so/{code}/")
    _act(head, "Phê duyệt")
    assert "Đã có kết quả, chờ trả" in head.locator(".badge--status").inner_text()
    head.reload()
    assert "Kết quả điện tử" in head.get_by_role("region", name="Kết quả điện tử").inner_text()
    _shot(head, 10, "head-approved-result-signed")
    desk = session.new_page(cookies=demo.cookies["motcua.xa"])
    desk.goto(f"/quan-tri/ho-so/{code}/")
    _act(desk, "Trả kết quả")
    assert "Đã trả kết quả" in desk.locator(".badge--status").inner_text()
    _shot(desk, 11, "desk-returned")

    # 7. the citizen downloads the signed result
    citizen.reload()
    assert "Đã trả kết quả" in citizen.locator(".badge--status").inner_text()
    link = citizen.get_by_role("link", name="Kết quả điện tử có chữ ký số (PDF)")
    genuine = _get_pdf(citizen, link.get_attribute("href"))
    _shot(citizen, 12, "result-ready")
    pdfcheck.page_png(genuine, SHOTS, "pay-13-result-pdf")

    # 8. its QR code leads to the public verification page
    codes = pdfcheck.qr_codes(genuine, tmp_path)
    assert len(codes) == 1
    assert re.fullmatch(r"(https?://[^/]+)?/xac-thuc-ket-qua/[A-Za-z0-9_-]{20,64}/", codes[0])
    path = re.sub(r"^https?://[^/]+", "", codes[0])
    public = session.new_page()
    public.goto(path)
    assert public.get_by_role("heading", level=1).inner_text().startswith("Xác thực kết quả")
    assert demo.agency in public.locator("main").inner_text()
    _shot(public, 14, "verify-page")

    # 9. the genuine file is valid; a byte changed or a self-made signature is not
    verdict = _verify_upload(public, "ket-qua.pdf", genuine)
    assert verdict.startswith("Hợp lệ"), verdict
    _shot(public, 15, "verify-genuine-valid")
    verdict = _verify_upload(public, "ket-qua-sua.pdf", pdfcheck.one_byte_changed(genuine))
    assert verdict.startswith("Không hợp lệ"), verdict
    assert "bị thay đổi" in verdict
    _shot(public, 16, "verify-altered-invalid")
    verdict = _verify_upload(public, "ket-qua-gia.pdf", demo.forged)
    assert verdict.startswith("Không hợp lệ"), verdict
    assert "không thuộc cơ quan có thẩm quyền" in verdict
    _shot(public, 17, "verify-forged-invalid")
    assert session.foreign_requests() == []
