"""Headless Chromium for browser tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download is never used (it needs the internet); tests
are skipped cleanly when /usr/bin/chromium is absent. Every request the page
makes is recorded, so a test can assert that nothing left the live server.

One Chromium serves every browser test of a run (``shared_browser``): starting
Playwright's driver and Chromium costs seconds, where a new browser context per
test (cookies, storage and cache of its own, closed when the test ends) costs a
fraction of one. The browser tests run last and together (the root conftest
orders them so), and the browser is stopped when they are done.

Playwright's sync API marks its asyncio loop as running in the test's thread
for as long as it is started, and then Django refuses ORM calls from that thread
and pyHanko's ``asyncio.run`` refuses to sign. Each test prepares its data before
it asks for ``browser_session``; between two tests the shared browser is parked:
the thread's running loop is unset when a test's ``browser_session`` ends and set
again when the next one begins (what Playwright itself does around its loop), so
the next test's data fixtures, and the flush after each test, run as in any other
test.
"""

from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 812}


@dataclass
class BrowserSession:
    """One browser context on the live server, with what it requested."""

    base_url: str
    browser: object
    requests: list[str] = field(default_factory=list)
    contexts: list = field(default_factory=list)

    def new_page(self, *, viewport: dict | None = None, cookies: list[dict] | None = None):
        context = self.browser.new_context(
            viewport=viewport or DESKTOP, locale="vi-VN", base_url=self.base_url
        )
        if cookies:
            context.add_cookies(cookies)
        context.on("request", lambda request: self.requests.append(request.url))
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def url(self, path: str) -> str:
        return self.base_url + path

    def foreign_requests(self) -> list[str]:
        """Requests whose host and port are not the live server's."""
        own = urlsplit(self.base_url).netloc
        return [url for url in self.requests if urlsplit(url).netloc != own]

    @staticmethod
    def screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def run_in_thread(function):
    """Run ``function`` (ORM work) in another thread: Playwright's loop runs in the test's."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def session_cookie_for(user, base_url: str) -> list[dict]:
    """A signed-in session for ``user`` as a browser cookie (the sign-in form is tested elsewhere)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]


# Provinces whose units the browser tests load: Hải Dương (30) merged into Hải Phòng (31).
BROWSER_PROVINCES = {"30", "31"}


@pytest.fixture(scope="session")
def units_subset_dir(tmp_path_factory) -> Path:
    """The shipped unit files cut down to Hải Dương and Hải Phòng, for the real loader.

    Live-server tests flush the database after each test, so the units are loaded
    again for every test; the two provinces load in a fraction of a second where
    the whole country takes seconds.
    """
    from tinhso.core.services.units import DATA_DIR, MAPPING_FILE, VERSION_FILES

    directory = tmp_path_factory.mktemp("admin_units")
    kept: set[str] = set()
    for name in VERSION_FILES.values():
        with open(DATA_DIR / name, newline="", encoding="utf-8") as source:
            rows = list(csv.DictReader(source))
        codes = set(BROWSER_PROVINCES)
        for _level in range(3):  # province → district → commune
            codes |= {row["code"] for row in rows if row["parent_code"] in codes}
        kept |= codes
        _write_csv(directory / name, rows, lambda row, codes=codes: row["code"] in codes)
    with open(DATA_DIR / MAPPING_FILE, newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    _write_csv(
        directory / MAPPING_FILE,
        rows,
        lambda row: (
            row["new_province_code"] in BROWSER_PROVINCES
            and (row["old_code"] in kept or not row["old_code"])
            and row["old_province_code"] in BROWSER_PROVINCES
        ),
    )
    return directory


def _write_csv(path: Path, rows: list[dict], keep) -> None:
    with open(path, "w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for row in rows if keep(row))


@pytest.fixture
def units_loaded(transactional_db, units_subset_dir):
    """Hải Dương and Hải Phòng's units, before and after the reform (reloaded after flushes)."""
    from django.core.management import call_command

    from tinhso.core.context_processors import forget_province_name
    from tinhso.core.models import AdministrativeUnit

    if not AdministrativeUnit.objects.exists():
        call_command("load_units", data_dir=str(units_subset_dir), verbosity=0)
    forget_province_name()


class SharedBrowser:
    """Playwright and one headless Chromium, started on first use and kept until ``stop()``.

    ``get()`` hands the browser to a test (the loop marked as running in this
    thread, as Playwright has it); ``park()`` unsets that mark when the test is done
    with it, so code that refuses to run beside a running loop works until the next
    ``get()``.
    """

    def __init__(self):
        self.playwright = None
        self.browser = None

    def get(self):
        if self.browser is not None and self.browser.is_connected():
            asyncio._set_running_loop(self.playwright._loop)
            return self.browser
        self.stop()  # a browser that died is replaced, not reused
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        try:
            self.browser = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except BaseException:
            self.stop()
            raise
        return self.browser

    def park(self) -> None:
        if self.playwright is not None:
            asyncio._set_running_loop(None)

    def stop(self) -> None:
        browser, playwright = self.browser, self.playwright
        self.browser = self.playwright = None
        if playwright is None:
            return
        asyncio._set_running_loop(playwright._loop)
        try:
            if browser is not None and browser.is_connected():
                browser.close()
        finally:
            playwright.stop()


shared_browser = SharedBrowser()


@pytest.fixture
def browser_session(live_server, units_loaded):
    """A fresh set of browser contexts on the live server, in the run's one Chromium."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    session = BrowserSession(base_url=live_server.url, browser=shared_browser.get())
    try:
        yield session
    finally:
        try:
            for context in session.contexts:
                context.close()
        finally:
            shared_browser.park()
