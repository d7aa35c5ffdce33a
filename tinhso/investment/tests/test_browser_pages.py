"""The investment pages in headless Chromium: a leader reads the province picture and
drills down to a project; an owner records today's update from a phone-sized screen.

Screenshots: /tmp/shots/invpages/ (or ``TINHSO_SHOTS_DIR``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone

from tinhso.core.tests import browser as _browser
from tinhso.core.tests.browser import BrowserSession, run_in_thread, session_cookie_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser_session = _browser.browser_session
units_loaded = _browser.units_loaded
units_subset_dir = _browser.units_subset_dir

SHOTS = Path(os.environ.get("TINHSO_SHOTS_DIR", "/tmp/shots/invpages"))  # noqa: S108
PHONE = {"width": 360, "height": 780}


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def province(units_loaded, live_server):
    """Projects of two owners in the province and a commune, with this year's plan and
    disbursements month by month up to last month (some projects well behind)."""
    from tinhso.investment.choices import AlertKind, AlertSeverity, AssignedBy, FundingSource
    from tinhso.investment.models import Alert
    from tinhso.investment.tests.factories import (
        BN,
        make_disbursement,
        make_line,
        make_project,
        make_world,
    )

    world = make_world()
    today = timezone.localdate()
    year = today.year
    names = [
        "Đường trục Bắc – Nam",
        "Trường THCS Thành Đông",
        "Cầu Lai Vu",
        "Bệnh viện đa khoa tỉnh (giai đoạn 2)",
        "Kè sông Thái Bình",
        "Nhà văn hóa phường",
    ]
    projects = []
    for index, name in enumerate(names):
        owner = world.board if index % 2 == 0 else world.traffic_board
        unit = world.province if index < 4 else world.commune
        project = make_project(
            world,
            code=f"HP-{index + 1:03d}",
            name=name,
            owner=owner,
            unit=unit,
            tier="province" if index < 4 else "commune",
        )
        line = make_line(world, project, (20 + 10 * index) * BN, year=year)
        make_line(
            world,
            project,
            5 * BN,
            year=year,
            source=FundingSource.CENTRAL_BUDGET,
            assigned_by=AssignedBy.PROVINCE,
        )
        share = [0.95, 0.3, 0.7, 0.1, 0.85, 0.5][index]
        months = max(today.month - 1, 1)
        per_month = int(line.amount * share / months)
        actor = world.owner if owner == world.board else world.other_owner
        for month in range(1, months + 1):
            make_disbursement(
                world, line, per_month, dt.date(year, month, 10), actor=actor, today=today
            )
        projects.append(project)
    Alert.objects.create(
        project=projects[3],
        kind=AlertKind.BELOW_MONTH_TARGET,
        period=f"{year}-{today.month - 1:02d}",
        severity=AlertSeverity.CRITICAL,
        message="Giải ngân thấp hơn mục tiêu tháng hơn 20 điểm.",
    )
    cookies = {
        "leader": session_cookie_for(world.leader, live_server.url),
        "owner": session_cookie_for(world.owner, live_server.url),
    }
    return world, projects, cookies


def test_leader_sees_the_province_and_drills_down_to_a_project(
    province, browser_session: BrowserSession
):
    world, projects, cookies = province
    session = browser_session
    page = session.new_page(cookies=cookies["leader"])
    page.set_default_timeout(30_000)
    page.goto("/quan-tri/")
    assert page.get_by_role("link", name="Đầu tư công").first.is_visible()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Điều hướng quản trị").get_by_role(
            "link", name="Đầu tư công"
        ).click()
    assert page.url.endswith("/quan-tri/dau-tu/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Giải ngân vốn đầu tư công năm")
    # the headline rates, the chart with its accessible name, rankings and projects
    main = page.locator("main").inner_text()
    assert "Tỷ lệ giải ngân so với kế hoạch Thủ tướng giao" in main
    assert re.search(r"Mục tiêu tháng này: \d", main)
    chart = page.get_by_role("img", name=re.compile("Đường cong giải ngân năm"))
    assert chart.count() == 1
    assert page.locator("svg polyline.line-actual").count() == 1
    owners = page.get_by_role("region", name="Xếp hạng chủ đầu tư")
    assert owners.locator("tbody tr").count() == 2
    table = page.get_by_role("region", name=re.compile("Dự án có kế hoạch vốn"))
    assert table.locator("tbody tr").count() == len(projects)
    _shot(page, "01-overview-leader")

    # sort the owners by disbursed amount, descending, then filter by one owner
    with page.expect_navigation():
        owners.get_by_role("link", name="Đã giải ngân (tỷ đồng)").click()
    with page.expect_navigation():
        page.get_by_role("region", name="Xếp hạng chủ đầu tư").get_by_role(
            "link", name="Đã giải ngân (tỷ đồng)"
        ).click()
    sorted_header = page.get_by_role("region", name="Xếp hạng chủ đầu tư").locator(
        "th[aria-sort='descending']"
    )
    assert sorted_header.count() == 1
    page.get_by_label("Chủ đầu tư", exact=True).select_option(label=world.traffic_board.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Xem").click()
    table = page.get_by_role("region", name=re.compile("Dự án có kế hoạch vốn"))
    assert table.locator("tbody tr").count() == 3
    _shot(page, "02-overview-filtered")

    # the slowest project first; open it
    slowest = table.locator("tbody tr").first.get_by_role("link").first
    code = slowest.inner_text()
    assert code == "HP-004"
    with page.expect_navigation():
        slowest.click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Bệnh viện đa khoa tỉnh (giai đoạn 2)"
    )
    main = page.locator("main").inner_text()
    for heading in ("Kế hoạch vốn", "Tiến độ thực hiện", "Gói thầu và hợp đồng", "Cảnh báo"):
        assert page.get_by_role("heading", name=heading, exact=True).count() == 1, heading
    assert "Giải ngân thấp hơn mục tiêu tháng" in main
    _shot(page, "03-project-leader")

    page.goto("/quan-tri/dau-tu/canh-bao/")
    assert "1 cảnh báo." in page.locator("main").inner_text()
    _shot(page, "04-alerts-leader")
    assert session.foreign_requests() == []


def test_owner_updates_a_project_from_a_phone_in_under_a_minute(
    province, browser_session: BrowserSession, tmp_path
):
    from tinhso.investment.models import Disbursement, ProgressSnapshot
    from tinhso.investment.tests.test_views import _png

    _world, projects, cookies = province
    photo = tmp_path / "hien-truong.png"
    photo.write_bytes(_png())
    session = browser_session
    page = session.new_page(viewport=PHONE, cookies=cookies["owner"])
    page.set_default_timeout(30_000)
    started = time.monotonic()
    page.goto("/quan-tri/dau-tu/cap-nhat/")
    # only the owner's own projects are offered
    options = page.get_by_label("Dự án").locator("option").all_inner_texts()
    assert any(o.startswith("HP-001") for o in options)
    assert not any(o.startswith("HP-002") for o in options)
    _shot(page, "10-phone-choose")
    page.get_by_label("Dự án").select_option(value="HP-003")
    with page.expect_navigation():
        page.get_by_role("button", name="Chọn").click()
    # a mistake first: more than the plan line has left
    lines = page.get_by_label("Nguồn vốn (dòng kế hoạch)")
    assert "Ngân sách địa phương cấp tỉnh" in lines.inner_text()
    lines.select_option(index=1)
    page.get_by_label("Số tiền (đồng)").fill("999.000.000.000")
    page.get_by_label("Khối lượng thực hiện (%)").fill("55")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi cập nhật").click()
    alert = page.get_by_role("alert")
    assert "Lũy kế giải ngân vượt kế hoạch vốn" in alert.inner_text()
    assert page.get_by_label("Số tiền (đồng)").get_attribute("aria-invalid") == "true"
    _shot(page, "11-phone-error")
    # corrected: the rest of the form is kept
    assert page.get_by_label("Khối lượng thực hiện (%)").input_value() == "55"
    page.get_by_label("Số tiền (đồng)").fill("1.250.000.000")
    page.get_by_label("Số chứng từ kho bạc").fill("KB-0931")
    page.get_by_label("Ảnh hiện trường (JPG, PNG; không bắt buộc)").set_input_files(str(photo))
    _shot(page, "12-phone-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi cập nhật").click()
    elapsed = time.monotonic() - started
    status = page.get_by_role("status").inner_text()
    assert "Đã ghi cho dự án HP-003" in status and "1.250.000.000" in status
    assert "55%" in status
    _shot(page, "13-phone-done")
    assert elapsed < 60, elapsed
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = run_in_thread(
        lambda: Disbursement.objects.filter(project=projects[2]).order_by("-id").first()
    )
    assert row.amount == 1_250_000_000 and row.treasury_reference == "KB-0931"
    assert (
        run_in_thread(lambda: ProgressSnapshot.objects.get(project=projects[2]).photos.count()) == 1
    )

    # the project page on the phone shows the photo and fits the screen
    page.goto("/quan-tri/dau-tu/du-an/HP-003/")
    assert page.get_by_role("img", name=re.compile("Ảnh hiện trường ngày")).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "14-phone-project")
    page.goto("/quan-tri/dau-tu/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "15-phone-overview")
    assert session.foreign_requests() == []
