"""Import and export: round trips in both formats, and bad files refused with nothing written."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from tinhso.core.models import AuditEvent
from tinhso.procedures.catalogue import catalogue_export, catalogue_import
from tinhso.procedures.errors import ImportBadFile, ImportInvalid
from tinhso.procedures.models import Component, Field, Procedure, ProcessStep

from .factories import catalogue_document, steps

pytestmark = pytest.mark.django_db


def _import(document, format="json"):
    return catalogue_import(actor=None, file=json.dumps(document).encode(), format=format)


def test_a_json_catalogue_imports_with_cases_fees_components_and_processes():
    report = _import(catalogue_document())
    assert (report.created, report.updated) == (1, 0)
    procedure = Procedure.objects.get(national_code="1.001193")
    late = procedure.cases.get(code="qua-han")
    assert procedure.legal_duration(late) == (5, "working_days")
    assert [fee.amount for fee in procedure.fees(late)] == [5000]
    assert [c.code for c in procedure.components_for(late)] == ["to-khai", "giay-cam-doan"]
    assert procedure.templates.count() == 2
    assert AuditEvent.objects.filter(action="procedure.import").count() == 1


def test_json_export_then_import_gives_back_the_same_catalogue():
    _import(catalogue_document())
    first = catalogue_export(format="json")
    Procedure.objects.all().delete()
    catalogue_import(actor=None, file=first, format="json")
    assert catalogue_export(format="json") == first


def test_xlsx_export_then_import_gives_back_the_same_catalogue():
    # given a catalogue exported as a spreadsheet
    _import(catalogue_document())
    before = catalogue_export(format="json")
    sheet = catalogue_export(format="xlsx")
    # when it is emptied and the spreadsheet imported again
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    report = catalogue_import(actor=None, file=sheet, format="xlsx")
    # then everything came back, branches included
    assert report.created == 1
    assert catalogue_export(format="json") == before
    step = ProcessStep.objects.get(template__case__isnull=True, code="phe-duyet")
    assert step.on_refuse.code == "tham-dinh"


def test_the_spreadsheet_has_the_national_database_columns_in_vietnamese():
    _import(catalogue_document())
    workbook = load_workbook(io.BytesIO(catalogue_export(format="xlsx")))
    header = [cell.value for cell in workbook["Thủ tục"][1]]
    assert header[:5] == ["Mã thủ tục", "Tên thủ tục", "Mã lĩnh vực", "Lĩnh vực", "Cấp thực hiện"]
    assert "Căn cứ pháp lý" in header and "Thời hạn giải quyết" in header
    assert workbook["Thủ tục"]["E2"].value == "Cấp xã"
    assert set(workbook.sheetnames) == {
        "Thủ tục",
        "Trường hợp",
        "Phí, lệ phí",
        "Thành phần hồ sơ",
        "Quy trình",
    }


def test_importing_again_updates_in_place_and_keeps_component_rows():
    _import(catalogue_document())
    component_id = Component.objects.get(code="to-khai").pk
    report = _import(catalogue_document(name="Đăng ký khai sinh (sửa)"))
    assert (report.created, report.updated) == (0, 1)
    assert Procedure.objects.get().name == "Đăng ký khai sinh (sửa)"
    assert Component.objects.get(code="to-khai").pk == component_id


def _sheet_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thủ tục"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Cơ quan có thẩm quyền",
    "Mức độ dịch vụ công",
    "Thời hạn giải quyết",
]


def test_a_national_style_sheet_with_labels_and_text_times_imports():
    data = _sheet_bytes(
        [
            ["STT", *HEADER],
            [
                1,
                "1.001193",
                "Đăng ký khai sinh",
                "Hộ tịch",
                "Cấp Xã",
                "Ủy ban nhân dân xã, phường, đặc khu",
                "Toàn trình",
                "03 ngày làm việc",
            ],
        ]
    )
    catalogue_import(actor=None, file=data, format="xlsx")
    procedure = Procedure.objects.get()
    assert (procedure.level, procedure.service_level) == ("commune", "full_online")
    assert procedure.legal_duration() == (3, "working_days")


def test_a_bad_code_is_refused_naming_the_row_and_column_and_nothing_is_written():
    data = _sheet_bytes(
        [
            HEADER,
            [
                "1.001193",
                "Đăng ký khai sinh",
                "Hộ tịch",
                "commune",
                "commune_committee",
                "full_online",
                1,
            ],
            [
                "1.00119",
                "Đăng ký kết hôn",
                "Hộ tịch",
                "commune",
                "commune_committee",
                "full_online",
                5,
            ],
        ]
    )
    with pytest.raises(ImportInvalid) as caught:
        catalogue_import(actor=None, file=data, format="xlsx")
    error = caught.value.details["errors"][0]
    assert (error["row"], error["column"]) == (3, "Mã thủ tục")
    assert "dòng 3" in caught.value.message and "Mã thủ tục" in caught.value.message
    assert not Procedure.objects.exists() and not Field.objects.exists()


def test_wrong_columns_are_refused_naming_the_missing_column():
    data = _sheet_bytes([["Họ và tên", "Ngày sinh"], ["Nguyễn Văn A", "2000-01-01"]])
    with pytest.raises(ImportInvalid) as caught:
        catalogue_import(actor=None, file=data, format="xlsx")
    columns = {error["column"] for error in caught.value.details["errors"]}
    assert {"Mã thủ tục", "Tên thủ tục", "Thời hạn giải quyết"} <= columns
    assert not Procedure.objects.exists()


@pytest.mark.parametrize("data", [b"%PDF-1.4 not a spreadsheet", b"PK\x03\x04broken", b""])
def test_bytes_that_are_not_xlsx_are_refused(data):
    with pytest.raises(ImportBadFile) as caught:
        catalogue_import(actor=None, file=data, format="xlsx")
    assert caught.value.code == "import_bad_file"


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b"{}"])
def test_json_that_is_not_a_catalogue_is_refused(data):
    with pytest.raises(ImportBadFile):
        catalogue_import(actor=None, file=data, format="json")


def test_a_process_longer_than_the_legal_time_fails_the_whole_import():
    document = catalogue_document()
    document["procedures"][0]["templates"][0]["steps"] = steps("8", "16", "4", "2")
    good = catalogue_document(national_code="1.000656", name="Đăng ký khai tử")["procedures"][0]
    document["procedures"].append(good)
    with pytest.raises(ImportInvalid) as caught:
        _import(document)
    assert "process_too_long" in caught.value.details["errors"][0]["message"]
    assert not Procedure.objects.exists()


def test_a_component_for_an_unknown_case_is_refused_with_its_json_path():
    document = catalogue_document()
    document["procedures"][0]["components"][1]["case"] = "khong-co"
    with pytest.raises(ImportInvalid) as caught:
        _import(document)
    assert caught.value.details["errors"][0]["column"] == "procedures[0].components[1].case"


def test_the_import_and_export_commands_round_trip_and_fail_in_one_line(tmp_path):
    _import(catalogue_document())
    path = tmp_path / "catalogue.xlsx"
    call_command("procedures_export", str(path), stdout=io.StringIO())
    Procedure.objects.all().delete()
    out = io.StringIO()
    call_command("procedures_import", str(path), stdout=out)
    assert "1 mới" in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError) as caught:
        call_command("procedures_import", str(bad))
    assert "import_bad_file" in str(caught.value)
