"""The Decision 766 page on the demo data in headless Chromium, as the city's leader.

The five groups with their rates and points, a number opened to the dossiers
behind it, and the exports of the page and of the list. Screenshots:
var/screenshots/walk/766-NN-*.png (or ``TINHSO_SHOTS_DIR``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from types import SimpleNamespace

import pytest

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import BrowserSession, session_cookie_for
from tinhso.dossiers.tests.test_browser_pay_result import SHOTS, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir

GROUPS = (
    "Công khai, minh bạch",
    "Tiến độ, kết quả giải quyết",
    "Số hóa hồ sơ",
    "Cung cấp dịch vụ trực tuyến",
    "Mức độ hài lòng",
)


@pytest.fixture
def leader(units_loaded, live_server, settings, tmp_path):
    from tinhso.core.models import User
    from tinhso.ioc import indicators

    seed_demo(settings, tmp_path)
    user = User.objects.get(username="lanhdao.tp")
    report = indicators.compute(user, indicators.make_period(None, None))
    expected = {r.definition.code: r for r in report.results}
    return SimpleNamespace(
        cookies=session_cookie_for(user, live_server.url),
        on_time=expected["progress_on_time"],
        late=len(
            indicators.drill_down(
                user, indicators.make_period(None, None), "progress_on_time", "late"
            )
        ),
    )


def _shot(page, number: int, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"766-{number:02d}-{name}.png"), full_page=True)


def test_leader_reads_the_766_scores_and_the_dossiers_behind_a_number(
    leader, browser_session: BrowserSession
):
    session = browser_session
    # the demo data give numbers that are not trivial: some late, not all on time
    assert leader.on_time.denominator >= 10
    assert 0 < leader.on_time.numerator < leader.on_time.denominator
    assert leader.late >= 1
    page = session.new_page(cookies=leader.cookies)
    page.goto("/quan-tri/chi-so-766/")
    main = page.locator("main").inner_text()
    _shot(page, 1, "indicators")
    # 1. the five groups, each with its points, and rates for the measured indicators
    for name in GROUPS:
        heading = page.get_by_role("heading", level=2, name=re.compile(re.escape(name)))
        assert re.search(r"[\d.,]+ / \d+ điểm", heading.inner_text()), name
    assert re.search(r"Tổng điểm đo được: [\d.,]+ / [\d.,]+", main), main[:600]
    assert len(re.findall(r"\d+[.,]\d%", main)) >= 4
    progress = page.get_by_role("region", name=re.compile("Tiến độ, kết quả giải quyết"))
    row = progress.get_by_role("row", name=re.compile("Tỷ lệ hồ sơ giải quyết đúng hạn"))
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[0].startswith(str(leader.on_time.numerator))
    assert cells[1] == str(leader.on_time.denominator)

    # 2. a number opens the list of the dossiers behind it
    with page.expect_navigation():
        row.get_by_role("link", name=str(leader.on_time.denominator), exact=True).click()
    heading = page.get_by_role("heading", level=2).first.inner_text()
    assert heading.endswith(f": {leader.on_time.denominator}")
    table = page.get_by_role("region", name=re.compile("Hồ sơ ở mẫu số"))
    shown = table.locator("tbody tr").count()
    assert shown == min(leader.on_time.denominator, shown) and shown >= 10
    _shot(page, 2, "drill-down-handled")

    # 3. the late ones
    page.go_back()
    row = page.get_by_role("row", name=re.compile("Tỷ lệ hồ sơ giải quyết đúng hạn"))
    with page.expect_navigation():
        row.get_by_role("link", name="trễ hạn").click()
    assert page.get_by_role("heading", level=2).first.inner_text().endswith(f": {leader.late}")
    assert page.locator("tbody tr").count() == leader.late
    _shot(page, 3, "drill-down-late")

    # 4. the list's exports: CSV with one row per dossier, xlsx a workbook
    csv_link = page.get_by_role("link", name="Tải về (CSV)").get_attribute("href")
    response = page.context.request.get(page.url.split("?")[0] + csv_link)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text().lstrip("\ufeff"))))
    assert len(rows) == 1 + leader.late
    xlsx_link = page.get_by_role("link", name="Tải về (xlsx)").get_attribute("href")
    response = page.context.request.get(page.url.split("?")[0] + xlsx_link)
    assert response.status == 200
    assert "spreadsheetml" in response.headers["content-type"]
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(response.body())).namelist()

    # 5. the page's own export
    page.goto("/quan-tri/chi-so-766/")
    link = page.get_by_role("link", name="Tải về (CSV)").first.get_attribute("href")
    response = page.context.request.get("/quan-tri/chi-so-766/" + link)
    assert response.status == 200 and "Tỷ lệ hồ sơ giải quyết đúng hạn" in response.text()
    assert session.foreign_requests() == []
