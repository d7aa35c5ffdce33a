"""Headless Chromium for browser tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download is never used (it needs the internet); tests
are skipped cleanly when /usr/bin/chromium is absent. Every request the page
makes is recorded, so a test can assert that nothing left the live server.

Playwright's sync API runs an asyncio loop in the test's thread while it is
started, and Django refuses ORM calls from a thread with a running loop. So
``browser_page`` starts Playwright last, after the data fixtures it depends on,
and stops it when the test ends; prepare data before asking for the page.
"""

from __future__ import annotations

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


@pytest.fixture
def browser_session(live_server, units_loaded):
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    session = BrowserSession(base_url=live_server.url, browser=browser)
    try:
        yield session
    finally:
        for context in session.contexts:
            context.close()
        browser.close()
        playwright.stop()
