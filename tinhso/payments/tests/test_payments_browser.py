"""The citizen pays a lapsed request in headless Chromium, by keyboard; and reads the receipt.

Screenshots: var/screenshots/payments-NN-*.png.
Data is prepared in fixtures before ``browser_session`` starts (Playwright forbids ORM
calls while it runs).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import PHONE, BrowserSession, session_cookie_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir


class _RealTime:
    def set(self, moment):
        return moment


@pytest.fixture
def lapsed(units_loaded, live_server, settings, tmp_path):
    """A dossier awaiting payment whose request lapsed; the citizen's session cookie."""
    from django.core.cache import cache

    from tinhso.core import calendar
    from tinhso.dossiers.actions import dossier_act
    from tinhso.dossiers.tests.factories import make_world
    from tinhso.dossiers.tests.test_payment_actions import fees, processing_dossier
    from tinhso.payments.models import PaymentRequest
    from tinhso.payments.services import payment_requests_expire

    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    cache.clear()
    world = make_world()
    fees(world.procedure, 200_000, 50_000)
    dossier = processing_dossier(world, _RealTime())
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    PaymentRequest.objects.filter(dossier=dossier).update(
        expires_at=calendar.now() - dt.timedelta(minutes=5)
    )
    assert payment_requests_expire(now=calendar.now()) == 1
    return {
        "code": dossier.code,
        "cookies": session_cookie_for(world.citizen_user, live_server.url),
    }


def _shot(page, name: str) -> None:
    BrowserSession.screenshot(page, f"payments-{name}")


def test_the_citizen_renews_and_pays_a_lapsed_request_with_the_keyboard(
    lapsed, browser_session: BrowserSession
):
    page = browser_session.new_page(cookies=lapsed["cookies"])
    page.goto(f"/ca-nhan/ho-so/{lapsed['code']}/")
    notice = page.get_by_role("region", name="Yêu cầu thanh toán đã hết hạn")
    assert any(f"{amount} đồng" in notice.inner_text() for amount in ("250000", "250.000"))
    _shot(page, "01-expired-request")
    # the pay button is reached with Tab and pressed with Enter
    button = notice.get_by_role("button", name="Thanh toán trực tuyến")
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("the pay button is not reachable with the keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # the simulated bank page shows a new order
    assert "/gia-lap-cong-thanh-toan/" in page.url
    _shot(page, "02-gateway-new-order")
    with page.expect_navigation():
        page.get_by_role("button", name="Thanh toán").first.click()
    assert "Thanh toán thành công" in page.content()
    _shot(page, "03-paid")
    # the dossier page now links the receipt
    page.goto(f"/ca-nhan/ho-so/{lapsed['code']}/")
    link = page.get_by_role("link", name="Biên lai thu phí, lệ phí điện tử")
    assert link.count() == 1
    _shot(page, "04-receipt-link")
    phone = browser_session.new_page(cookies=lapsed["cookies"], viewport=PHONE)
    phone.goto(f"/ca-nhan/ho-so/{lapsed['code']}/")
    _shot(phone, "05-receipt-link-phone")
    assert browser_session.foreign_requests() == []
