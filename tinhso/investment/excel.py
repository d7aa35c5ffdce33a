"""Owners' daily updates by Excel: the template, the upload (all or nothing), the provincial report.

- ``upload_template(user, year=)``: an .xlsx pre-filled with one row per annual
  plan line of the year in the user's scope (project code and name, the line's
  number, source, plan and what is disbursed so far), with lists for the kind
  and the source, date and number formats and Vietnamese headers.
- ``disbursement_upload(actor=, data=, name=)``: the filled template back.
  The file is checked by its content (an .xlsx by its zip members, not by its
  name), its size, its uncompressed size and its number of rows; every row is
  checked (project code, plan line, date, amount, kind, formulas) and then
  recorded by ``bulk.disbursements_record_bulk``: the quick form's rules
  (``checks``: above the plan, outside the plan year ...) row by row against
  running totals, a few queries for the whole file, one transaction. One bad
  row and nothing is stored; every error names the sheet, the row and the
  column, in Vietnamese.
- ``report_workbook(user, year=, as_of=)``: the "Biểu tình hình giải ngân vốn
  đầu tư công" of the province's or city's committee (``report_authority``:
  the configured province), per owner, source and project with subtotals, in millions of
  đồng, written by openpyxl's write-only mode to a temporary file that the
  caller streams.

docs/investment.md ("Excel") describes the columns and the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import PayloadTooLarge, TinhsoError, ValidationError
from tinhso.core.files import FileEmpty, FileTooLarge, FileTypeNotAllowed, sniff
from tinhso.core.permissions import require, role_may
from tinhso.core.text import fold
from tinhso.investment import bulk, services
from tinhso.investment import errors as inv_errors
from tinhso.investment.choices import (
    DisbursementKind,
    DisbursementStatus,
    FundingSource,
    PlanKind,
)
from tinhso.investment.models import Disbursement, PlanLine, Project
from tinhso.investment.rules import MAX_AMOUNT, default_deadline

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Uncompressed members of the workbook together: a zip bomb stops here.
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 200

SHEET = "Giải ngân"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"

# (key, Vietnamese header, column width). Keys in INPUT are read back.
COLUMNS: list[tuple[str, str, int]] = [
    ("project_code", "Mã dự án", 14),
    ("project_name", "Tên dự án", 48),
    ("plan_line", "Mã dòng kế hoạch", 12),
    ("source", "Nguồn vốn", 30),
    ("year", "Năm kế hoạch", 10),
    ("plan", "Kế hoạch vốn (đồng)", 18),
    ("disbursed", "Đã giải ngân (đồng)", 18),
    ("date", "Ngày giải ngân", 14),
    ("amount", "Số tiền (đồng)", 18),
    ("kind", "Loại giải ngân", 30),
    ("treasury_reference", "Số chứng từ Kho bạc", 18),
    ("note", "Ghi chú", 30),
]
HEADERS = {key: label for key, label, _width in COLUMNS}
REQUIRED = ("project_code", "plan_line", "date", "amount", "kind")
FILLED = ("date", "amount", "treasury_reference", "note")


class UploadBadFile(ValidationError):
    code = "investment_upload_bad_file"
    default_message = _(
        "Tệp không đọc được: cần tệp Excel (.xlsx) theo mẫu cập nhật giải ngân, không có macro."
    )


class UploadTooManyRows(PayloadTooLarge):
    code = "investment_upload_too_many_rows"
    default_message = _("Tệp có quá nhiều dòng: mỗi lần tải lên tối đa 5.000 dòng giải ngân.")


class UploadNoRows(ValidationError):
    code = "investment_upload_no_rows"
    default_message = _("Tệp không có dòng giải ngân nào (cần điền ngày và số tiền).")


class UploadInvalid(ValidationError):
    """Bad rows; ``details["errors"]`` lists sheet, row, column and message; nothing was stored."""

    code = "investment_upload_invalid"
    default_message = _("Tệp có dòng không hợp lệ, không có khoản giải ngân nào được ghi.")


@dataclass
class UploadResult:
    rows: int
    amount: int
    projects: int


# --- the template -----------------------------------------------------------------------


def _kind_labels() -> dict[str, str]:
    """Vietnamese label → value: the template is Vietnamese whatever the page's language."""
    with translation.override("vi"):
        return {str(label): value for value, label in DisbursementKind.choices}


def _source_labels() -> dict[str, str]:
    with translation.override("vi"):
        return {str(label): value for value, label in FundingSource.choices}


def template_lines(user, *, year: int):
    """The annual lines of ``year`` in the user's scope with their project, and disbursed per line."""
    lines = list(
        PlanLine.objects.restrict(user, "view")
        .filter(year=year, plan__kind=PlanKind.ANNUAL)
        .select_related("project")
        .order_by("project__code", "id")
    )
    disbursed = dict(
        Disbursement.objects.restrict(user, "view")
        .filter(plan_line__year=year, plan_line__plan__kind=PlanKind.ANNUAL)
        .exclude(status=DisbursementStatus.REJECTED)
        .values("plan_line_id")
        .annotate(total=Sum("amount"))
        .values_list("plan_line_id", "total")
    )
    return lines, disbursed


def upload_template(user, *, year: int) -> bytes:
    """The .xlsx an owner fills: one row per annual plan line of ``year`` they may report on."""
    with translation.override("vi"):
        return _upload_template(user, year=year)


def _upload_template(user, *, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lines, disbursed = template_lines(user, year=year)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    given = PatternFill("solid", fgColor="F2F2F2")
    sheet.append([label for _key, label, _width in COLUMNS])
    for index, (_key, _label, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    payment = str(DisbursementKind.PAYMENT.label)
    sources_label = {value: label for label, value in _source_labels().items()}
    for line in lines:
        sheet.append(
            [
                line.project.code,
                line.project.name,
                line.pk,
                sources_label[line.source],
                line.year,
                line.amount,
                int(disbursed.get(line.pk) or 0),
                None,
                None,
                payment,
                None,
                None,
            ]
        )
    last = max(sheet.max_row, 2)
    position = {key: index for index, (key, _l, _w) in enumerate(COLUMNS, start=1)}
    for row in sheet.iter_rows(min_row=2, max_row=last):
        for key in ("project_name", "year", "plan", "disbursed"):
            row[position[key] - 1].fill = given
        row[position["plan"] - 1].number_format = "#,##0"
        row[position["disbursed"] - 1].number_format = "#,##0"
        row[position["amount"] - 1].number_format = "#,##0"
        row[position["date"] - 1].number_format = "DD/MM/YYYY"
        row[position["treasury_reference"] - 1].number_format = "@"

    lists = book.create_sheet(LISTS_SHEET)
    kinds = list(_kind_labels())
    sources = list(_source_labels())
    for index, label in enumerate(kinds, start=1):
        lists.cell(row=index, column=1, value=label)
    for index, label in enumerate(sources, start=1):
        lists.cell(row=index, column=2, value=label)
    lists.sheet_state = "hidden"
    # Rows added by copying a line below the pre-filled ones keep the lists too.
    end = last + 500
    letter = {key: get_column_letter(index) for key, index in position.items()}
    rules = [
        (
            f"'{LISTS_SHEET}'!$A$1:$A${len(kinds)}",
            "kind",
            _g("Chọn loại giải ngân trong danh sách."),
        ),
        (
            f"'{LISTS_SHEET}'!$B$1:$B${len(sources)}",
            "source",
            _g("Chọn nguồn vốn trong danh sách."),
        ),
    ]
    for formula, key, message in rules:
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = message
        validation.errorTitle = _g("Giá trị không hợp lệ")
        validation.add(f"{letter[key]}2:{letter[key]}{end}")
        sheet.add_data_validation(validation)
    amount_rule = DataValidation(
        type="whole",
        operator="between",
        formula1=str(-MAX_AMOUNT),
        formula2=str(MAX_AMOUNT),
        allow_blank=True,
    )
    amount_rule.error = _g("Số tiền là số nguyên (đồng).")
    amount_rule.add(f"{letter['amount']}2:{letter['amount']}{end}")
    sheet.add_data_validation(amount_rule)
    date_rule = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({year},1,1)",
        formula2=f"DATE({year + 1},12,31)",
        allow_blank=True,
    )
    date_rule.error = _g("Ngày giải ngân phải trong năm kế hoạch (dạng ngày/tháng/năm).")
    date_rule.add(f"{letter['date']}2:{letter['date']}{end}")
    sheet.add_data_validation(date_rule)

    guide = book.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 110
    for text in _guide_lines(year):
        guide.append([text])
    guide["A1"].font = bold
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _guide_lines(year: int) -> list[str]:
    return [
        _g("Mẫu cập nhật giải ngân vốn đầu tư công năm %(year)s") % {"year": year},
        "",
        _g(
            "Mỗi dòng của trang «Giải ngân» là một khoản giải ngân theo một dòng kế hoạch vốn. "
            "Điền Ngày giải ngân, Số tiền (đồng), Loại giải ngân, Số chứng từ Kho bạc."
        ),
        _g(
            "Dòng không điền ngày và số tiền được bỏ qua. Nhiều khoản của cùng một dòng kế "
            "hoạch: sao chép dòng đó xuống dưới."
        ),
        _g(
            "Các cột Tên dự án, Năm kế hoạch, Kế hoạch vốn, Đã giải ngân chỉ để tham khảo; "
            "không sửa Mã dự án và Mã dòng kế hoạch."
        ),
        _g(
            "Số tiền là số nguyên dương (đồng); khoản thu hồi, giảm trừ ghi loại «Thu hồi, "
            "giảm trừ» với số tiền dương."
        ),
        _g(
            "Ngày giải ngân từ 01/01 của năm kế hoạch đến hạn giải ngân (31/01 năm sau hoặc "
            "thời hạn được kéo dài), không sau ngày hôm nay."
        ),
        _g(
            "Lũy kế giải ngân không vượt kế hoạch vốn của dòng và của dự án theo nguồn vốn. "
            "Không dùng công thức; tối đa 5.000 dòng mỗi lần tải lên."
        ),
        _g("Một dòng sai thì cả tệp không được ghi: sửa các dòng được báo lỗi rồi tải lên lại."),
    ]


# --- the upload ---------------------------------------------------------------------------


def check_xlsx(data: bytes) -> None:
    """Refuse what is not a plain .xlsx by its content: empty, too large, not a workbook, macros."""
    if not data:
        raise FileEmpty()
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLarge(details={"max_bytes": MAX_UPLOAD_BYTES})
    buffer = io.BytesIO(data)
    if sniff(data[:8], buffer) != "xlsx":
        raise FileTypeNotAllowed(
            _("Tệp không phải là bảng tính Excel (.xlsx)."), details={"accepted": ["xlsx"]}
        )
    try:
        with zipfile.ZipFile(buffer) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadBadFile() from None
    if any(member.filename.lower().endswith("vbaproject.bin") for member in members):
        raise UploadBadFile()
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise UploadBadFile()


def _date_value(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            return None
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    return None


def _amount_value(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            return None
        value = int(value)
    try:
        return services.check_amount(value, allow_negative=True)
    except TinhsoError:
        return None


def _int_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return " ".join(str(value).split())


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


class _Errors:
    def __init__(self, sheet: str):
        self.sheet = sheet
        self.items: list[dict[str, Any]] = []
        self.truncated = False

    def add(self, row: int, column: str, message: str) -> None:
        if len(self.items) >= MAX_ERRORS:
            self.truncated = True
            return
        self.items.append(
            {
                "sheet": self.sheet,
                "row": row,
                "column": HEADERS.get(column, column),
                "message": str(message),
            }
        )

    def __bool__(self) -> bool:
        return bool(self.items)


def _read_rows(data: bytes) -> tuple[str, list[_Row], _Errors]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise UploadBadFile() from None
    except SyntaxError:  # broken XML inside the zip (lxml's and the standard parser's errors)
        raise UploadBadFile() from None
    try:
        titles = {fold(title): title for title in book.sheetnames}
        title = titles.get(fold(SHEET)) or book.sheetnames[0]
        sheet = book[title]
        errors = _Errors(title)
        header_keys = {fold(label): key for key, label, _w in COLUMNS}
        header_keys.update({key: key for key, _label, _w in COLUMNS})
        iterator = sheet.iter_rows()
        try:
            header = next(iterator, None) or ()
            positions: dict[int, str] = {}
            for index, cell in enumerate(header):
                key = header_keys.get(fold(_text(getattr(cell, "value", None))))
                if key and key not in positions.values():
                    positions[index] = key
            missing = [key for key in REQUIRED if key not in positions.values()]
            for key in missing:
                errors.add(
                    1, key, _g("Thiếu cột «%(column)s» ở dòng tiêu đề.") % {"column": HEADERS[key]}
                )
            if missing:
                raise UploadInvalid(details={"errors": errors.items, "rows": 0})
            rows: list[_Row] = []
            for number, cells in enumerate(iterator, start=2):
                values: dict[str, Any] = {}
                formula = ""
                for index, cell in enumerate(cells):
                    key = positions.get(index)
                    if key is None:
                        continue
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f" or (
                        isinstance(value, str) and value.startswith("=")
                    ):
                        formula = formula or key
                    values[key] = value
                if not any(values.get(key) not in (None, "") for key in FILLED):
                    continue
                if len(rows) >= MAX_ROWS:
                    raise UploadTooManyRows(details={"max_rows": MAX_ROWS})
                if formula:
                    errors.add(
                        number,
                        formula,
                        _g("Ô chứa công thức; chỉ nhập giá trị, không dùng công thức."),
                    )
                    continue
                rows.append(_Row(number, values))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError):
            raise UploadBadFile() from None
    finally:
        book.close()
    return title, rows, errors


def _check_rows(actor, rows: list[_Row], errors: _Errors) -> list[tuple[_Row, dict]]:
    """Rows whose cells are well formed and point to a line of the project named; errors noted."""
    codes = {_text(row.values.get("project_code")) for row in rows} - {""}
    projects: dict[str, int] = {}
    code_list = sorted(codes)
    for start in range(0, len(code_list), 500):
        projects.update(
            Project.objects.restrict(actor, "view")
            .filter(code__in=code_list[start : start + 500])
            .values_list("code", "id")
        )
    line_ids = sorted(
        {
            number
            for number in (_int_value(row.values.get("plan_line")) for row in rows)
            if number is not None
        }
    )
    # By primary key, then kept when their project is in scope (bulk.lines_by_id).
    found = bulk.lines_by_id(line_ids, ("id", "project_id", "source", "year", "plan__kind"))
    visible: set[int] = set()
    for chunk in bulk.chunks(line["project_id"] for line in found.values()):
        visible.update(
            Project.objects.restrict(actor, "view")
            .filter(pk__in=chunk)
            .values_list("id", flat=True)
        )
    lines = (
        {pk: line for pk, line in found.items() if line["project_id"] in visible}
        if role_may(actor, PlanLine, "view")
        else {}
    )
    kinds = _kind_labels()
    kinds_folded = {fold(label): value for label, value in kinds.items()}
    kinds_folded.update({value: value for value in DisbursementKind.values})
    sources_folded = {fold(label): value for label, value in _source_labels().items()}
    sources_folded.update({value: value for value in FundingSource.values})

    good: list[tuple[_Row, dict]] = []
    for row in rows:
        values = row.values
        before = len(errors.items)
        code = _text(values.get("project_code"))
        project_id = projects.get(code)
        if not code:
            errors.add(row.number, "project_code", _g("Thiếu mã dự án."))
        elif project_id is None:
            errors.add(
                row.number,
                "project_code",
                _g("Không có dự án mã «%(code)s» trong các dự án của đơn vị bạn.")
                % {"code": code[:40]},
            )
        line_number = _int_value(values.get("plan_line"))
        line = lines.get(line_number) if line_number is not None else None
        if values.get("plan_line") in (None, ""):
            errors.add(row.number, "plan_line", _g("Thiếu mã dòng kế hoạch."))
        elif line is None:
            errors.add(
                row.number,
                "plan_line",
                _g("Không có dòng kế hoạch vốn số «%(line)s» trong các dự án của đơn vị bạn.")
                % {"line": _text(values.get("plan_line"))[:20]},
            )
        elif project_id is not None and line["project_id"] != project_id:
            errors.add(
                row.number,
                "plan_line",
                _g("Dòng kế hoạch vốn số %(line)s không thuộc dự án «%(code)s».")
                % {"line": line_number, "code": code[:40]},
            )
        elif line["plan__kind"] != PlanKind.ANNUAL or line["year"] is None:
            errors.add(row.number, "plan_line", str(inv_errors.PlanLineNotAnnual.default_message))
        source_text = _text(values.get("source"))
        if source_text and line is not None:
            source = sources_folded.get(fold(source_text))
            if source is None:
                errors.add(
                    row.number,
                    "source",
                    _g("Nguồn vốn «%(value)s» không có trong danh mục.")
                    % {"value": source_text[:60]},
                )
            elif source != line["source"]:
                errors.add(
                    row.number,
                    "source",
                    _g("Nguồn vốn không khớp với dòng kế hoạch vốn (%(source)s).")
                    % {"source": FundingSource(line["source"]).label},
                )
        date = _date_value(values.get("date"))
        if values.get("date") in (None, ""):
            errors.add(row.number, "date", _g("Thiếu ngày giải ngân."))
        elif date is None:
            errors.add(row.number, "date", _g("Ngày giải ngân không hợp lệ (dạng ngày/tháng/năm)."))
        elif line is not None and line["year"] is not None:
            year = line["year"]
            if date < dt.date(year, 1, 1) or date > dt.date(year + 1, 12, 31):
                errors.add(
                    row.number,
                    "date",
                    _g("Ngày giải ngân %(date)s nằm ngoài năm kế hoạch %(year)s.")
                    % {"date": date.strftime("%d/%m/%Y"), "year": year},
                )
        kind_text = _text(values.get("kind"))
        kind = kinds_folded.get(fold(kind_text)) if kind_text else None
        if not kind_text:
            errors.add(row.number, "kind", _g("Thiếu loại giải ngân."))
        elif kind is None:
            errors.add(
                row.number,
                "kind",
                _g("Loại giải ngân «%(value)s» không có trong danh mục (%(choices)s).")
                % {"value": kind_text[:60], "choices": "; ".join(kinds)},
            )
        amount = _amount_value(values.get("amount"))
        if values.get("amount") in (None, ""):
            errors.add(row.number, "amount", _g("Thiếu số tiền."))
        elif amount is None or amount == 0:
            errors.add(
                row.number,
                "amount",
                _g("Số tiền phải là số nguyên dương (đồng), không quá 1 triệu tỷ đồng."),
            )
        elif amount < 0 and kind != DisbursementKind.RECOVERY:
            errors.add(
                row.number,
                "amount",
                _g("Số tiền âm không được chấp nhận; khoản thu hồi, giảm trừ ghi loại «%(kind)s».")
                % {"kind": DisbursementKind.RECOVERY.label},
            )
        reference = _text(values.get("treasury_reference"))
        if len(reference) > 64:
            errors.add(
                row.number, "treasury_reference", _g("Số chứng từ Kho bạc dài quá 64 ký tự.")
            )
        note = _text(values.get("note"))
        if len(note) > 500:
            errors.add(row.number, "note", _g("Ghi chú dài quá 500 ký tự."))
        if len(errors.items) == before and not errors.truncated:
            good.append(
                (
                    row,
                    {
                        "plan_line_id": line_number,
                        "date": date,
                        "amount": amount,
                        "kind": kind,
                        "treasury_reference": reference,
                        "note": note,
                    },
                )
            )
    return good


# Which column a refusal of ``disbursement_record`` belongs to.
_ERROR_COLUMN = {
    "disbursement_above_plan": "amount",
    "invalid_amount": "amount",
    "date_outside_plan": "date",
    "plan_line_not_found": "plan_line",
    "plan_line_not_annual": "plan_line",
}


def _refusal_message(error: TinhsoError) -> str:
    message = str(error.message)
    details = error.details if isinstance(error.details, dict) else {}
    if error.code == "disbursement_above_plan" and "plan" in details:
        message += " " + _g(
            "(kế hoạch %(plan)s đồng, đã giải ngân %(disbursed)s đồng, dòng này %(amount)s đồng)"
        ) % {
            "plan": f"{details['plan']:,}".replace(",", "."),
            "disbursed": f"{details['disbursed']:,}".replace(",", "."),
            "amount": f"{details['amount']:,}".replace(",", "."),
        }
    elif error.code == "date_outside_plan" and "from" in details:
        message += " " + _g("(từ %(start)s đến %(end)s)") % {
            "start": dt.date.fromisoformat(details["from"]).strftime("%d/%m/%Y"),
            "end": dt.date.fromisoformat(details["to"]).strftime("%d/%m/%Y"),
        }
    return message


def disbursement_upload(
    *, actor, data: bytes, name: str = "", today: dt.date | None = None
) -> UploadResult:
    """Record every disbursement of a filled template, or none of them.

    Raises ``file_empty``, ``file_too_large``, ``file_type_not_allowed``,
    ``investment_upload_bad_file``, ``investment_upload_too_many_rows``,
    ``investment_upload_no_rows`` or ``investment_upload_invalid`` (with
    ``details["errors"]``: sheet, row, column, message for each bad cell).
    """
    require(actor, Disbursement, "add")
    check_xlsx(data)
    _sheet, rows, errors = _read_rows(data)
    if not rows and not errors:
        raise UploadNoRows()
    good = _check_rows(actor, rows, errors)
    values = [row_values for _row, row_values in good]
    digest = hashlib.sha256(data).hexdigest()
    result = None
    try:
        if errors:
            # Bad cells already: check the other rows too (every problem in one
            # report), write nothing.
            bulk.disbursements_check(actor=actor, rows=values, today=today)
        else:
            result = bulk.disbursements_record_bulk(
                actor=actor,
                rows=values,
                today=today,
                audit_action="investment.disbursement_upload",
                audit_repr=(name or "")[:200],
                audit_changes={"file": (name or "")[:200], "sha256": digest},
            )
    except bulk.DisbursementsRefused as refused:
        for index, error in refused.refusals:
            row = good[index][0]
            errors.add(row.number, _ERROR_COLUMN.get(error.code, ""), _refusal_message(error))
    if errors or result is None:
        raise UploadInvalid(
            details={
                "errors": sorted(errors.items, key=lambda e: e["row"]),
                "rows": len(rows),
                "truncated": errors.truncated,
            }
        )
    return UploadResult(
        rows=len(result.disbursements), amount=result.amount, projects=result.projects
    )


# --- the provincial report --------------------------------------------------------------------

MILLION = Decimal(1_000_000)


def millions(value: int) -> float:
    """Đồng to millions of đồng, three decimals (the report's unit)."""
    return float((Decimal(value) / MILLION).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def _roman(number: int) -> str:
    numerals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    text = ""
    for value, letters in numerals:
        while number >= value:
            text += letters
            number -= value
    return text


@dataclass
class ReportNode:
    """One row of the report: a group (total, owner, source) or a project under a source."""

    level: int  # 0 total, 1 owner, 2 source, 3 project
    number: str
    label: str
    code: str = ""
    plan_pm: int = 0
    plan: int = 0
    disbursed: int = 0

    def add(self, plan_pm: int, plan: int, disbursed: int) -> None:
        self.plan_pm += plan_pm
        self.plan += plan
        self.disbursed += disbursed


def report_rows(user, *, year: int, as_of: dt.date) -> list[ReportNode]:
    """The report's rows in order: total, then per owner, per source, per project.

    Figures come from the measures' grouped queries (``project_figures``), one
    pair per funding source, so the count of queries does not grow with the
    number of projects.
    """
    from tinhso.investment.selectors import measures as m

    as_of = min(as_of, default_deadline(year))
    per_source: dict[str, dict[int, m.Figures]] = {}
    for source in FundingSource.values:
        figures = m.project_figures(user, year=year, as_of=as_of, narrow=m.Narrow(source=source))
        if figures:
            per_source[source] = figures
    ids = {project_id for figures in per_source.values() for project_id in figures}
    attrs: dict[int, dict] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 900):
        for row in (
            Project.objects.filter(pk__in=id_list[start : start + 900])
            .values("id", "code", "name", "owner_id", "owner__name")
            .order_by()
        ):
            attrs[row["id"]] = row
    tree: dict[int, dict[str, list[tuple[dict, m.Figures]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    owner_names: dict[int, str] = {}
    for source, figures in per_source.items():
        for project_id, fig in figures.items():
            info = attrs.get(project_id)
            if info is None:
                continue
            owner_names[info["owner_id"]] = info["owner__name"]
            tree[info["owner_id"]][source].append((info, fig))
    total = ReportNode(0, "", _g("TỔNG SỐ"))
    rows: list[ReportNode] = [total]
    source_order = list(FundingSource.values)
    for owner_index, owner_id in enumerate(
        sorted(tree, key=lambda pk: fold(owner_names[pk])), start=1
    ):
        owner = ReportNode(1, _roman(owner_index), owner_names[owner_id])
        rows.append(owner)
        for source_index, source in enumerate(
            sorted(tree[owner_id], key=source_order.index), start=1
        ):
            group = ReportNode(2, str(source_index), str(FundingSource(source).label))
            rows.append(group)
            for project_index, (info, fig) in enumerate(
                sorted(tree[owner_id][source], key=lambda item: item[0]["code"]), start=1
            ):
                rows.append(
                    ReportNode(
                        3,
                        f"{source_index}.{project_index}",
                        info["name"],
                        code=info["code"],
                        plan_pm=fig.plan_pm,
                        plan=fig.plan,
                        disbursed=fig.disbursed,
                    )
                )
                for node in (group, owner, total):
                    node.add(fig.plan_pm, fig.plan, fig.disbursed)
    return rows


REPORT_HEADERS = [
    "STT",
    "Chủ đầu tư / Nguồn vốn / Dự án",
    "Mã dự án",
    "Kế hoạch vốn Thủ tướng Chính phủ giao",
    "Kế hoạch vốn tỉnh giao (tổng số)",
    "Giải ngân đến ngày báo cáo",
    "Tỷ lệ so với kế hoạch Thủ tướng giao (%)",
    "Tỷ lệ so với kế hoạch tỉnh giao (%)",
    "Ghi chú",
]


def _percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float(
        (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )


def report_authority() -> str:
    """The issuing authority of the report: the committee of the province or city served.

    The name comes from the platform's configuration (``TINHSO_PROVINCE_CODE``
    looked up in the unit list, else ``TINHSO_PROVINCE_NAME``), as in the page
    headers: «ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG», «ỦY BAN NHÂN DÂN TỈNH NINH BÌNH».
    """
    from tinhso.core.context_processors import province_name

    return _g("Ủy ban nhân dân %(province)s") % {"province": province_name()}


def report_workbook(
    user, *, year: int, as_of: dt.date, unit_name: str = ""
) -> tempfile.SpooledTemporaryFile:
    """The report as .xlsx in a temporary file (rewound), ready to be streamed (in Vietnamese)."""
    with translation.override("vi"):
        return _report_workbook(user, year=year, as_of=as_of, unit_name=unit_name)


def _report_workbook(user, *, year: int, as_of: dt.date, unit_name: str = ""):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    as_of = min(as_of, default_deadline(year))
    rows = report_rows(user, year=year, as_of=as_of)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_g("Giải ngân %(year)s") % {"year": year})
    widths = [8, 60, 14, 18, 18, 18, 14, 14, 16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A9"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True, name="Times New Roman", size=12)
    plain = Font(name="Times New Roman", size=12)
    italic = Font(italic=True, name="Times New Roman", size=12)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    width = len(REPORT_HEADERS)
    last_letter = get_column_letter(width)

    def cell(value, font=plain, alignment=None, number_format=None, framed=False):
        item = WriteOnlyCell(sheet, value=value)
        item.font = font
        if alignment is not None:
            item.alignment = alignment
        if number_format:
            item.number_format = number_format
        if framed:
            item.border = border
        return item

    authority = unit_name or report_authority()
    sheet.append(
        [
            cell(authority.upper(), bold, center),
            None,
            None,
            None,
            cell(_g("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), bold, center),
        ]
    )
    sheet.append([None, None, None, None, cell(_g("Độc lập - Tự do - Hạnh phúc"), bold, center)])
    sheet.append([])
    sheet.append(
        [
            cell(
                _g("BIỂU TÌNH HÌNH GIẢI NGÂN VỐN ĐẦU TƯ CÔNG NĂM %(year)s") % {"year": year},
                bold,
                center,
            )
        ]
    )
    sheet.append(
        [
            cell(
                _g("(Số liệu đến ngày %(date)s)") % {"date": as_of.strftime("%d/%m/%Y")},
                italic,
                center,
            )
        ]
    )
    sheet.append(
        [None] * (width - 2)
        + [cell(_g("Đơn vị: triệu đồng"), italic, Alignment(horizontal="right"))]
    )
    sheet.append([cell(_g(text), bold, center, framed=True) for text in REPORT_HEADERS])
    sheet.append([cell(str(index), italic, center, framed=True) for index in range(1, width + 1)])
    for merged in (
        "A1:C1",
        "E1:I1",
        "E2:I2",
        f"A4:{last_letter}4",
        f"A5:{last_letter}5",
        "H6:I6",
    ):
        sheet.merged_cells.add(merged)
    money = "#,##0"
    percent = "0.00"
    for node in rows:
        font = bold if node.level < 3 else plain
        if node.level == 2:
            font = Font(bold=True, italic=True, name="Times New Roman", size=12)
        sheet.append(
            [
                cell(node.number, font, Alignment(horizontal="center"), framed=True),
                cell(
                    node.label,
                    font,
                    Alignment(wrap_text=True, indent=max(node.level - 1, 0)),
                    framed=True,
                ),
                cell(node.code or None, font, framed=True),
                cell(millions(node.plan_pm), font, number_format=money, framed=True),
                cell(millions(node.plan), font, number_format=money, framed=True),
                cell(millions(node.disbursed), font, number_format=money, framed=True),
                cell(
                    _percent(node.disbursed, node.plan_pm), font, number_format=percent, framed=True
                ),
                cell(_percent(node.disbursed, node.plan), font, number_format=percent, framed=True),
                cell(None, font, framed=True),
            ]
        )
    sheet.append([])
    today = timezone.localdate()
    place = [None] * 5 + [
        cell(
            _g("…, ngày %(day)s tháng %(month)s năm %(year)s")
            % {"day": f"{today.day:02d}", "month": f"{today.month:02d}", "year": today.year},
            italic,
            center,
        )
    ]
    sheet.append(place)
    sheet.append(
        [
            None,
            cell(_g("NGƯỜI LẬP BIỂU"), bold, center),
            None,
            None,
            None,
            cell(_g("THỦ TRƯỞNG ĐƠN VỊ"), bold, center),
        ]
    )
    sheet.append(
        [
            None,
            cell(_g("(Ký, ghi rõ họ tên)"), italic, center),
            None,
            None,
            None,
            cell(_g("(Ký, ghi rõ họ tên, đóng dấu)"), italic, center),
        ]
    )
    base = 8 + len(rows) + 2
    for merged in (f"F{base}:I{base}", f"F{base + 1}:I{base + 1}", f"F{base + 2}:I{base + 2}"):
        sheet.merged_cells.add(merged)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    book.save(output)
    output.seek(0)
    return output
