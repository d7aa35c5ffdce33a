"""The Excel template and its upload: every row checked, errors by sheet/row/column, all or nothing."""

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from tinhso.core.exceptions import PermissionDenied, TinhsoError
from tinhso.core.models import AuditEvent
from tinhso.investment import excel
from tinhso.investment.models import Disbursement, PlanLine
from tinhso.investment.tests.factories import (
    BN,
    make_disbursement,
    make_line,
    make_project,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 12, 31)
PAYMENT = "Thanh toán khối lượng hoàn thành"


@pytest.fixture
def setup(world):
    mine = make_project(world, code="A-1", name="Trường tiểu học")
    second = make_project(world, code="A-2", name="Nhà văn hóa")
    theirs = make_project(world, code="B-1", owner=world.traffic_board, name="Đường tỉnh 391")
    line = make_line(world, mine, 10 * BN)
    line2 = make_line(world, second, 5 * BN)
    other_line = make_line(world, theirs, 10 * BN)
    make_disbursement(world, line, 1 * BN, dt.date(2025, 3, 1))
    return mine, second, theirs, line, line2, other_line


def workbook(rows, *, header=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = excel.SHEET
    sheet.append(header or [label for _key, label, _w in excel.COLUMNS])
    keys = [key for key, _label, _w in excel.COLUMNS]
    for row in rows:
        sheet.append([row.get(key) for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(code, line, amount, on=dt.date(2025, 6, 1), kind=PAYMENT, **extra):
    return {
        "project_code": code,
        "plan_line": line.pk if hasattr(line, "pk") else line,
        "date": on,
        "amount": amount,
        "kind": kind,
        **extra,
    }


def upload(world, data, actor=None):
    return excel.disbursement_upload(actor=actor or world.owner, data=data, today=TODAY)


def refused(world, data, actor=None) -> TinhsoError:
    before = Disbursement.objects.count()
    with pytest.raises(TinhsoError) as caught:
        upload(world, data, actor)
    assert Disbursement.objects.count() == before
    return caught.value


# --- the template ---------------------------------------------------------------------------


def test_template_lists_the_owners_lines_with_lists_and_formats(world, setup):
    _mine, _second, _theirs, line, line2, _other = setup
    book = load_workbook(io.BytesIO(excel.upload_template(world.owner, year=2025)))
    sheet = book[excel.SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Mã dự án", "Tên dự án", "Mã dòng kế hoạch"]
    rows = [[cell.value for cell in r] for r in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[2]) for r in rows] == [("A-1", line.pk), ("A-2", line2.pk)]
    assert rows[0][5] == 10 * BN and rows[0][6] == 1 * BN  # plan and disbursed so far
    assert rows[0][3] == "Ngân sách địa phương cấp tỉnh" and rows[0][9] == PAYMENT
    formulas = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert any("Danh mục" in (f or "") for f in formulas)
    assert sheet["H2"].number_format == "DD/MM/YYYY" and sheet["I2"].number_format == "#,##0"
    assert book[excel.LISTS_SHEET].sheet_state == "hidden"


def test_filled_template_uploads(world, setup):
    _mine, _second, _theirs, line, _line2, _other = setup
    book = load_workbook(io.BytesIO(excel.upload_template(world.owner, year=2025)))
    sheet = book[excel.SHEET]
    sheet["H2"], sheet["I2"], sheet["K2"] = dt.datetime(2025, 7, 1), 2 * BN, "KB-01"
    sheet["H3"], sheet["I3"] = dt.datetime(2025, 7, 2), 1 * BN
    buffer = io.BytesIO()
    book.save(buffer)
    before = Disbursement.objects.count()
    result = upload(world, buffer.getvalue())
    assert (result.rows, result.amount, result.projects) == (2, 3 * BN, 2)
    assert Disbursement.objects.count() == before + 2
    assert Disbursement.objects.get(plan_line=line, treasury_reference="KB-01").amount == 2 * BN
    assert AuditEvent.objects.filter(action="investment.disbursement_upload").count() == 1


def test_template_is_scoped_to_the_owner(world, setup):
    book = load_workbook(io.BytesIO(excel.upload_template(world.other_owner, year=2025)))
    codes = [r[0].value for r in book[excel.SHEET].iter_rows(min_row=2)]
    assert codes == ["B-1"]


# --- the rows -------------------------------------------------------------------------------


def test_good_rows_are_all_stored(world, setup):
    _mine, _second, _theirs, line, line2, _other = setup
    before = Disbursement.objects.count()
    data = workbook(
        [
            row("A-1", line, 2 * BN),
            row("A-1", line, 1 * BN, on="15/08/2025"),
            row("A-2", line2, 5 * BN),
            row("A-1", line, 500_000_000, kind="Thu hồi, giảm trừ"),
            {"project_code": "A-1", "plan_line": line.pk},  # an unfilled template row
        ]
    )
    result = upload(world, data)
    assert result.rows == 4
    assert Disbursement.objects.count() == before + 4
    assert result.amount == 2 * BN + 1 * BN + 5 * BN - 500_000_000
    assert Disbursement.objects.filter(amount=-500_000_000).count() == 1


def test_one_bad_row_stores_nothing_and_every_error_has_its_cell(world, setup):
    _mine, _second, _theirs, line, line2, _other = setup
    data = workbook(
        [
            row("A-1", line, 2 * BN),  # good
            row("ZZ-9", line, 1 * BN),  # unknown project code
            row("A-1", 999999, 1 * BN),  # unknown plan line
            row("A-1", line2, 1 * BN),  # a line of another project
            row("A-1", line, -5),  # negative amount
            row("A-1", line, 10**16),  # overflowing amount
            row("A-1", line, 1.5),  # fractional
            row("A-1", line, 1 * BN, on=dt.date(2024, 12, 31)),  # date outside the plan year
            row("A-1", line, 1 * BN, kind="Chuyển khoản"),  # wrong kind
            row("A-1", line, 1 * BN, on="31/02/2025"),  # not a date
            row("A-1", line, 1 * BN, source="Nguồn khác"),  # source not the line's
        ]
    )
    error = refused(world, data)
    assert error.code == "investment_upload_invalid"
    found = {(e["row"], e["column"]) for e in error.details["errors"]}
    assert found == {
        (3, "Mã dự án"),
        (4, "Mã dòng kế hoạch"),
        (5, "Mã dòng kế hoạch"),
        (6, "Số tiền (đồng)"),
        (7, "Số tiền (đồng)"),
        (8, "Số tiền (đồng)"),
        (9, "Ngày giải ngân"),
        (10, "Loại giải ngân"),
        (11, "Ngày giải ngân"),
        (12, "Nguồn vốn"),
    }
    assert all(e["sheet"] == excel.SHEET for e in error.details["errors"])
    messages = " ".join(e["message"] for e in error.details["errors"])
    assert "Không có dự án mã «ZZ-9»" in messages and "không thuộc dự án" in messages


def test_above_the_plan_counting_earlier_rows_of_the_file(world, setup):
    _mine, _second, _theirs, line, _line2, _other = setup
    # 1 bn already disbursed of 10: 6 + 3 fit, the third row goes above the plan.
    data = workbook(
        [row("A-1", line, 6 * BN), row("A-1", line, 3 * BN), row("A-1", line, 1 * BN + 1)]
    )
    error = refused(world, data)
    assert [(e["row"], e["column"]) for e in error.details["errors"]] == [(4, "Số tiền (đồng)")]
    assert "vượt kế hoạch" in error.details["errors"][0]["message"]
    assert "10.000.000.000" in error.details["errors"][0]["message"]


def test_date_after_the_deadline_or_in_the_future_is_refused(world, setup):
    _mine, _second, _theirs, line, _line2, _other = setup
    error = refused(world, workbook([row("A-1", line, BN, on=dt.date(2026, 2, 2))]))
    assert error.details["errors"][0]["column"] == "Ngày giải ngân"
    # TODAY is 31/12/2025: January 2026 is still in the future.
    error = refused(world, workbook([row("A-1", line, BN, on=dt.date(2026, 1, 5))]))
    assert "ngoài năm kế hoạch" in error.details["errors"][0]["message"]


def test_another_owners_project_looks_unknown(world, setup):
    _mine, _second, _theirs, _line, _line2, other_line = setup
    error = refused(world, workbook([row("B-1", other_line, BN)]))
    assert {e["column"] for e in error.details["errors"]} == {"Mã dự án", "Mã dòng kế hoạch"}
    assert Disbursement.objects.filter(plan_line=other_line).count() == 0


def test_formulas_are_refused(world, setup):
    _mine, _second, _theirs, line, _line2, _other = setup
    error = refused(world, workbook([row("A-1", line, "=1000*1000")]))
    assert error.details["errors"][0]["row"] == 2
    assert "công thức" in error.details["errors"][0]["message"]


def test_missing_columns_are_named(world, setup):
    error = refused(world, workbook([], header=["Mã dự án", "Tên dự án", "Số tiền (đồng)"]))
    assert error.code == "investment_upload_invalid"
    columns = {e["column"] for e in error.details["errors"]}
    assert columns == {"Mã dòng kế hoạch", "Ngày giải ngân", "Loại giải ngân"}


def test_a_template_with_nothing_filled_is_refused(world, setup):
    data = excel.upload_template(world.owner, year=2025)
    assert refused(world, data).code == "investment_upload_no_rows"


def test_too_many_rows(world, setup, monkeypatch):
    _mine, _second, _theirs, line, _line2, _other = setup
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    error = refused(world, workbook([row("A-1", line, 1)] * 4))
    assert error.code == "investment_upload_too_many_rows" and error.status == 413


# --- the file -------------------------------------------------------------------------------


def test_empty_file(world, setup):
    assert refused(world, b"").code == "file_empty"


def test_not_a_workbook(world, setup):
    assert refused(world, b"%PDF-1.7 not a workbook").code == "file_type_not_allowed"
    assert refused(world, "Mã dự án;Số tiền\n".encode()).code == "file_type_not_allowed"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "not excel")
    assert refused(world, buffer.getvalue()).code == "file_type_not_allowed"


def test_broken_workbook(world, setup):
    _mine, _second, _theirs, line, _line2, _other = setup
    data = workbook([row("A-1", line, BN)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                body = body[: len(body) // 2]
            target.writestr(item, body)
    assert refused(world, buffer.getvalue()).code == "investment_upload_bad_file"
    # Truncated in the middle of the zip.
    assert refused(world, data[: len(data) // 2]).code in (
        "investment_upload_bad_file",
        "file_type_not_allowed",
    )


def test_macro_workbook_is_refused(world, setup):
    _mine, _second, _theirs, line, _line2, _other = setup
    data = workbook([row("A-1", line, BN)])
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    assert refused(world, buffer.getvalue()).code == "investment_upload_bad_file"


def test_too_large_file(world, setup, monkeypatch):
    _mine, _second, _theirs, line, _line2, _other = setup
    monkeypatch.setattr(excel, "MAX_UPLOAD_BYTES", 1000)
    error = refused(world, workbook([row("A-1", line, BN)]))
    assert error.code == "file_too_large" and error.status == 413


def test_who_may_upload(world, setup):
    _mine, _second, _theirs, line, _line2, _other = setup
    data = workbook([row("A-1", line, BN)])
    with pytest.raises(PermissionDenied):
        upload(world, data, actor=world.specialist)
    assert PlanLine.objects.count() == 3
