"""The Excel pages and API endpoints: template, upload (all or nothing), report, OC4IDS."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tinhso.core.auth import api_token_issue
from tinhso.investment import excel
from tinhso.investment.models import Disbursement
from tinhso.investment.tests.factories import BN, make_line, make_project
from tinhso.investment.tests.test_excel_upload import row, workbook

pytestmark = pytest.mark.django_db

BASE = "/api/v1/investment"


@pytest.fixture
def setup(world):
    mine = make_project(world, code="A-1", name="Trường tiểu học")
    theirs = make_project(world, code="B-1", owner=world.traffic_board, name="Đường tỉnh 391")
    line = make_line(world, mine, 10 * BN)
    make_line(world, theirs, 10 * BN)
    return mine, theirs, line


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user) -> Client:
    _token, key = api_token_issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def xlsx(data: bytes, name="giai-ngan.xlsx"):
    return SimpleUploadedFile(name, data, content_type=excel.XLSX_TYPE)


def test_upload_page_shows_the_form_with_labels(world, setup):
    response = signed_in(world.owner).get(reverse("investment_excel:upload"))
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("template-year", "upload-file", "report-year", "report-date"):
        assert f'for="{field}"' in html and f'id="{field}"' in html


def test_page_upload_stores_and_reports(world, setup):
    _mine, _theirs, line = setup
    today = dt.date.today()
    on = min(dt.date(2025, 6, 1), today)
    client = signed_in(world.owner)
    response = client.post(
        reverse("investment_excel:upload"), {"tep": xlsx(workbook([row("A-1", line, BN, on=on)]))}
    )
    assert response.status_code == 200
    assert "Đã ghi 1 khoản giải ngân của 1 dự án" in response.content.decode()
    assert Disbursement.objects.count() == 1


def test_page_upload_errors_are_listed_and_nothing_stored(world, setup):
    _mine, _theirs, line = setup
    data = workbook([row("A-1", line, BN), row("ZZZ", line, BN)])
    response = signed_in(world.owner).post(reverse("investment_excel:upload"), {"tep": xlsx(data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không có dự án mã «ZZZ»" in html and "<td>3</td>" in html
    assert Disbursement.objects.count() == 0


def test_page_upload_refuses_a_file_that_is_not_xlsx(world, setup):
    response = signed_in(world.owner).post(
        reverse("investment_excel:upload"),
        {"tep": SimpleUploadedFile("giai-ngan.xlsx", b"<html>not excel</html>")},
    )
    assert response.status_code == 400
    assert Disbursement.objects.count() == 0


def test_template_download(world, setup):
    response = signed_in(world.owner).get(reverse("investment_excel:template"), {"nam": 2025})
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content))[excel.SHEET]
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == ["A-1"]
    assert (
        signed_in(world.owner).get(reverse("investment_excel:template"), {"nam": "x"}).status_code
        == 400
    )


def test_anonymous_goes_to_sign_in(client, setup):
    response = client.get(reverse("investment_excel:report"))
    assert response.status_code == 302


def test_report_and_oc4ids_pages(world, setup):
    client = signed_in(world.leader)
    response = client.get(
        reverse("investment_excel:report"), {"nam": 2025, "den-ngay": "2025-12-31"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.active["A4"].value == "BIỂU TÌNH HÌNH GIẢI NGÂN VỐN ĐẦU TƯ CÔNG NĂM 2025"
    response = client.get(reverse("investment_excel:oc4ids"))
    package = json.loads(b"".join(response.streaming_content))
    assert len(package["projects"]) == 2
    # the package's own address is on the platform's public address
    assert package["uri"] == "http://127.0.0.1:8000" + reverse("investment_excel:oc4ids")


# --- API ------------------------------------------------------------------------------------


def test_api_upload_all_or_nothing(world, setup):
    _mine, _theirs, line = setup
    api = bearer(world.owner)
    bad = workbook([row("A-1", line, BN), row("A-1", line, -1)])
    response = api.post(f"{BASE}/excel/upload", {"file": xlsx(bad)})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "investment_upload_invalid"
    assert body["details"]["errors"][0]["row"] == 3
    assert Disbursement.objects.count() == 0
    good = workbook([row("A-1", line, BN), row("A-1", line, 2 * BN)])
    response = api.post(f"{BASE}/excel/upload", {"file": xlsx(good)})
    assert response.status_code == 200, response.content
    assert response.json() == {"rows": 2, "amount": 3 * BN, "projects": 1}
    assert Disbursement.objects.count() == 2


def test_api_upload_too_large_and_not_xlsx(world, setup, monkeypatch):
    api = bearer(world.owner)
    response = api.post(f"{BASE}/excel/upload", {"file": xlsx(b"PK\x03\x04broken")})
    assert response.status_code == 400
    monkeypatch.setattr(excel, "MAX_UPLOAD_BYTES", 10)
    response = api.post(f"{BASE}/excel/upload", {"file": xlsx(b"x" * 100)})
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"


def test_api_template_report_and_oc4ids_are_scoped(world, setup):
    api = bearer(world.other_owner)
    response = api.get(f"{BASE}/excel/template", {"year": 2025})
    sheet = load_workbook(io.BytesIO(response.content))[excel.SHEET]
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == ["B-1"]
    response = api.get(f"{BASE}/excel/report", {"year": 2025, "as_of": "2025-12-31"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    codes = [r[2].value for r in book.active.iter_rows(min_row=9) if r[2].value]
    assert codes == ["B-1"]
    response = api.get(f"{BASE}/oc4ids")
    package = json.loads(b"".join(response.streaming_content))
    assert [p["identifiers"][0]["id"] for p in package["projects"]] == ["B-1"]
    assert Client().get(f"{BASE}/oc4ids").status_code == 401
