"""/quan-tri/chi-so-766/: the page, its drill-down, exports and refusals."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tinhso.dossiers.tests.factories import at
from tinhso.ioc.tests.test_indicators_766 import dossier

PAGE = "/quan-tri/chi-so-766/"
JANUARY = {"tu": "2026-01-01", "den": "2026-01-31"}


@pytest.fixture
def january(world):
    world.timely = dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), channel="online")
    world.late = dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), supplements=2)
    return world


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_leader_sees_the_five_groups_with_links_to_the_dossiers(client, january):
    response = signed_in(client, january.leader).get(PAGE, JANUARY)
    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "Công khai, minh bạch",
        "Tiến độ, kết quả giải quyết",
        "Cung cấp dịch vụ trực tuyến",
    ):
        assert name in html
    assert "/quan-tri/chi-so-766/progress_on_time/numerator/?tu=2026-01-01" in html
    assert "12,50" in html  # 50% on time: 0.5 × 20 ÷ 0.8 (Vietnamese decimal comma)


def test_the_drill_down_lists_the_late_dossier_only(client, january):
    response = signed_in(client, january.leader).get(f"{PAGE}progress_on_time/late/", JANUARY)
    assert response.status_code == 200
    html = response.content.decode()
    assert january.late.code in html
    assert january.timely.code not in html


def test_the_drill_down_exports_csv_and_xlsx(client, january):
    client = signed_in(client, january.leader)
    url = f"{PAGE}progress_on_time/denominator/"
    response = client.get(url, {**JANUARY, "dinh-dang": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã hồ sơ"
    assert sorted(r[0] for r in rows[1:]) == sorted([january.timely.code, january.late.code])
    response = client.get(url, {**JANUARY, "dinh-dang": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3


def test_the_indicators_export_has_one_row_per_indicator(client, january):
    response = signed_in(client, january.leader).get(PAGE, {**JANUARY, "dinh-dang": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    from tinhso.ioc.indicators import DEFINITIONS

    assert sheet.max_row == len(DEFINITIONS) + 1


def test_a_specialist_gets_the_refusal_page(client, january):
    response = signed_in(client, january.specialist).get(PAGE)
    assert response.status_code == 403


def test_a_bad_date_is_a_400_page_not_a_crash(client, january):
    response = signed_in(client, january.leader).get(PAGE, {"tu": "31/01/2026"})
    assert response.status_code == 400


def test_the_dashboard_card_points_leaders_to_the_indicators(client, january):
    html = signed_in(client, january.leader).get("/quan-tri/").content.decode()
    assert PAGE in html
