"""Import and export of the catalogue: .xlsx laid out like the national database, and JSON.

Both formats are read into the same plain structure (one dict per procedure,
with its cases, fees, components and process templates), every row is checked,
and only a file without a single error is written, in one transaction. An error
names the sheet, the row and the column (for JSON: the procedure's position and
the key). docs/procedures.md describes the layout.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.choices import OrganisationKind, Role
from tinhso.core.exceptions import Conflict
from tinhso.core.text import fold, normalise
from tinhso.procedures.choices import FeeKind, ProcedureLevel, ServiceLevel, StepKind, TimeUnit
from tinhso.procedures.errors import ImportBadFile, ImportInvalid, InvalidProcess
from tinhso.procedures.models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureCase,
    ProcessTemplate,
)
from tinhso.procedures.services import (
    NATIONAL_CODE_PATTERN,
    _check_actor,
    _decimal,
    _fmt,
    _write_steps,
    legal_hours,
    validate_steps,
)

JSON_FORMAT = "tinhso.procedures/1"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 200
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

# Sheets and columns of the spreadsheet: (key, Vietnamese header). The first
# sheet follows the fields of the national database's procedure record;
# the others hold the parts it lists inside one cell, one row each, keyed by
# the procedure's code (and the case's code where they belong to a case).
SHEETS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "procedures": (
        "Thủ tục",
        [
            ("national_code", "Mã thủ tục"),
            ("name", "Tên thủ tục"),
            ("field_code", "Mã lĩnh vực"),
            ("field_name", "Lĩnh vực"),
            ("level", "Cấp thực hiện"),
            ("agency_kind", "Cơ quan có thẩm quyền"),
            ("implementing_agency", "Cơ quan thực hiện"),
            ("service_level", "Mức độ dịch vụ công"),
            ("processing_time", "Thời hạn giải quyết"),
            ("time_unit", "Đơn vị thời hạn"),
            ("online_processing_time", "Thời hạn giải quyết trực tuyến"),
            ("applicants", "Đối tượng thực hiện"),
            ("steps_note", "Trình tự thực hiện"),
            ("receiving_note", "Cách thức thực hiện"),
            ("conditions", "Yêu cầu, điều kiện"),
            ("fee_note", "Phí, lệ phí"),
            ("result_type", "Kết quả thực hiện"),
            ("legal_basis", "Căn cứ pháp lý"),
            ("is_active", "Đang áp dụng"),
            ("is_demo", "Dữ liệu minh hoạ"),
        ],
    ),
    "cases": (
        "Trường hợp",
        [
            ("national_code", "Mã thủ tục"),
            ("code", "Mã trường hợp"),
            ("name", "Tên trường hợp"),
            ("processing_time", "Thời hạn giải quyết"),
            ("time_unit", "Đơn vị thời hạn"),
        ],
    ),
    "fees": (
        "Phí, lệ phí",
        [
            ("national_code", "Mã thủ tục"),
            ("case", "Mã trường hợp"),
            ("name", "Tên khoản thu"),
            ("kind", "Loại"),
            ("amount", "Số tiền (đồng)"),
            ("note", "Ghi chú"),
        ],
    ),
    "components": (
        "Thành phần hồ sơ",
        [
            ("national_code", "Mã thủ tục"),
            ("case", "Mã trường hợp"),
            ("code", "Mã thành phần"),
            ("name", "Tên giấy tờ"),
            ("originals", "Bản chính"),
            ("copies", "Bản sao"),
            ("required", "Bắt buộc"),
            ("template_name", "Mẫu đơn, tờ khai"),
            ("reusable", "Dùng lại từ kho giấy tờ"),
            ("accepted_types", "Định dạng chấp nhận"),
            ("max_size_mb", "Dung lượng tối đa (MB)"),
        ],
    ),
    "steps": (
        "Quy trình",
        [
            ("national_code", "Mã thủ tục"),
            ("case", "Mã trường hợp"),
            ("template_name", "Tên quy trình"),
            ("order", "Thứ tự"),
            ("code", "Mã bước"),
            ("name", "Tên bước"),
            ("role", "Vai trò"),
            ("agency_kind", "Loại cơ quan xử lý"),
            ("duration_hours", "Thời gian (giờ làm việc)"),
            ("kind", "Loại bước"),
            ("on_approve", "Khi đồng ý chuyển tới"),
            ("on_refuse", "Khi từ chối chuyển tới"),
        ],
    ),
}
REQUIRED_COLUMNS = {
    "procedures": {
        "national_code",
        "name",
        "field_name",
        "level",
        "agency_kind",
        "service_level",
        "processing_time",
    },
    "cases": {"national_code", "code", "name"},
    "fees": {"national_code", "name", "amount"},
    "components": {"national_code", "name"},
    "steps": {"national_code", "order", "code", "role", "duration_hours", "kind"},
}
PROCEDURE_TEXT_FIELDS = (
    "implementing_agency",
    "applicants",
    "steps_note",
    "receiving_note",
    "conditions",
    "fee_note",
    "result_type",
    "legal_basis",
)

# Words the national database and provinces write for the choice columns.
_SYNONYMS = {
    "level": {"tinh": "province", "cap tinh": "province", "xa": "commune", "cap xa": "commune"},
    "service_level": {
        "toan trinh": "full_online",
        "mot phan": "partial_online",
        "thong tin": "information_only",
        "dich vu cong truc tuyen toan trinh": "full_online",
        "dich vu cong truc tuyen mot phan": "partial_online",
        "cung cap thong tin": "information_only",
    },
    "time_unit": {
        "ngay lam viec": "working_days",
        "gio lam viec": "working_hours",
        "gio": "working_hours",
        "ngay": "calendar_days",
    },
}
_TIME_TEXT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(.*)$")


def _choice_map(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Folded value or Vietnamese label → stored value."""
    mapping: dict[str, str] = {}
    with translation.override("vi"):
        for value, label in choices.choices:
            mapping[fold(value)] = value
            mapping[fold(str(label))] = value
    mapping.update(extra or {})
    return mapping


def _label(choices, value: str) -> str:
    with translation.override("vi"):
        return str(dict(choices.choices).get(value, value))


# --- reading ---------------------------------------------------------------------------


@dataclass
class Located:
    """A row read from a file, with where it came from (for error messages)."""

    sheet: str
    row: int
    values: dict[str, Any]
    columns: dict[str, str] = field(default_factory=dict)  # key → header as written

    def where(self, key: str) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.columns.get(key, key)}


def _read_json(data: bytes) -> dict[str, list[Located]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ImportBadFile() from None
    if not isinstance(document, dict) or not isinstance(document.get("procedures"), list):
        raise ImportBadFile(
            _("Tệp JSON phải là một đối tượng có danh sách «procedures»."), code="import_bad_file"
        )
    rows: dict[str, list[Located]] = {key: [] for key in SHEETS}
    for index, item in enumerate(document["procedures"], start=1):
        if not isinstance(item, dict):
            raise ImportInvalid(
                details={
                    "errors": [
                        {
                            "sheet": "procedures",
                            "row": index,
                            "column": "",
                            "message": _g("Phải là đối tượng JSON."),
                        }
                    ]
                }
            )
        base = f"procedures[{index - 1}]"
        code = item.get("national_code")
        values = {key: item.get(key) for key, _label in SHEETS["procedures"][1]}
        values_field = item.get("field") or {}
        if isinstance(values_field, dict):
            values["field_code"] = values_field.get("code")
            values["field_name"] = values_field.get("name")
        else:
            values["field_name"] = values_field
        rows["procedures"].append(
            Located("procedures", index, values, {key: f"{base}.{key}" for key in values})
        )
        for key in ("cases", "fees", "components"):
            for position, part in enumerate(item.get(key) or []):
                part = dict(part) if isinstance(part, dict) else {"name": None}
                part["national_code"] = code
                prefix = f"{base}.{key}[{position}]"
                rows[key].append(Located(key, index, part, {k: f"{prefix}.{k}" for k in part}))
        for position, template in enumerate(item.get("templates") or []):
            template = template if isinstance(template, dict) else {}
            for step_position, step in enumerate(template.get("steps") or []):
                step = dict(step) if isinstance(step, dict) else {}
                step.update(
                    national_code=code,
                    case=template.get("case"),
                    template_name=template.get("name"),
                )
                prefix = f"{base}.templates[{position}].steps[{step_position}]"
                rows["steps"].append(
                    Located("steps", index, step, {k: f"{prefix}.{k}" for k in step})
                )
    return rows


def _read_xlsx(data: bytes) -> dict[str, list[Located]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportBadFile() from None
    titles = {fold(title): title for title in workbook.sheetnames}
    rows: dict[str, list[Located]] = {key: [] for key in SHEETS}
    errors: list[dict[str, Any]] = []
    for key, (title, columns) in SHEETS.items():
        sheet_title = titles.get(fold(title))
        if sheet_title is None:
            if key == "procedures":
                errors.append(
                    {
                        "sheet": title,
                        "row": 1,
                        "column": "",
                        "message": _g("Thiếu trang tính «%(sheet)s».") % {"sheet": title},
                    }
                )
            continue
        sheet = workbook[sheet_title]
        header_to_key = {fold(label): name for name, label in columns}
        header_to_key.update({name: name for name, _label in columns})
        iterator = sheet.iter_rows(values_only=True)
        header = next(iterator, None) or ()
        positions: dict[int, str] = {}
        written: dict[str, str] = {}
        for position, cell in enumerate(header):
            name = header_to_key.get(fold(str(cell or "")))
            if name and name not in written:
                positions[position] = name
                written[name] = str(cell)
        for name in sorted(REQUIRED_COLUMNS[key] - set(written)):
            label = dict(columns)[name]
            errors.append(
                {
                    "sheet": sheet_title,
                    "row": 1,
                    "column": label,
                    "message": _g("Thiếu cột «%(column)s».") % {"column": label},
                }
            )
        if REQUIRED_COLUMNS[key] - set(written):
            continue
        for number, cells in enumerate(iterator, start=2):
            if cells is None or all(cell in (None, "") for cell in cells):
                continue
            values = {
                name: cells[position] if position < len(cells) else None
                for position, name in positions.items()
            }
            rows[key].append(Located(sheet_title, number, values, written))
    workbook.close()
    if errors:
        raise ImportInvalid(_message(errors), details={"errors": errors})
    return rows


# --- checking --------------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, row: Located, key: str, message) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({**row.where(key), "message": str(message)})

    def text(self, row: Located, key: str, *, required: bool = False, max_length: int = 0) -> str:
        value = row.values.get(key)
        text = "" if value is None else normalise(str(value))
        if required and not text:
            self.add(row, key, _("Thiếu giá trị."))
        if max_length and len(text) > max_length:
            self.add(row, key, _("Dài quá %(n)s ký tự.") % {"n": max_length})
        return text

    def multiline(self, row: Located, key: str) -> str:
        value = row.values.get(key)
        return "" if value is None else str(value).strip()

    def choice(self, row: Located, key: str, mapping: dict[str, str], *, required=True) -> str:
        raw = row.values.get(key)
        if raw in (None, ""):
            if required:
                self.add(row, key, _("Thiếu giá trị."))
            return ""
        value = mapping.get(fold(str(raw)))
        if value is None:
            self.add(row, key, _("Giá trị «%(value)s» không hợp lệ.") % {"value": raw})
            return ""
        return value

    def number(
        self, row: Located, key: str, *, required=True, integer=False, maximum=10**12
    ) -> Decimal | None:
        raw = row.values.get(key)
        if raw in (None, ""):
            if required:
                self.add(row, key, _("Thiếu giá trị."))
            return None
        if isinstance(raw, str) and integer:
            raw = raw.replace(".", "").replace(",", "").replace(" ", "")
        number = _decimal(raw)
        if number is None or number < 0 or number > maximum or (integer and number % 1):
            self.add(
                row,
                key,
                _("Phải là số nguyên không âm.") if integer else _("Phải là số không âm."),
            )
            return None
        return number

    def flag(self, row: Located, key: str, default: bool) -> bool:
        raw = row.values.get(key)
        if raw in (None, ""):
            return default
        if isinstance(raw, bool):
            return raw
        folded = fold(str(raw))
        if folded in {"1", "x", "co", "true", "yes", "dung"}:
            return True
        if folded in {"0", "khong", "false", "no", "sai"}:
            return False
        self.add(row, key, _("Phải là «Có» hoặc «Không»."))
        return default

    def slug(self, row: Located, key: str, *, required=True) -> str:
        text = self.text(row, key, required=required, max_length=64)
        if text and not _SLUG.match(text):
            self.add(row, key, _("Mã chỉ gồm chữ không dấu, số, gạch ngang, gạch dưới."))
        return text


def _time_and_unit(check: _Checker, row: Located, time_key: str, unit_key: str, units):
    """The amount and unit; a text time like "05 ngày làm việc" gives both."""
    unit = check.choice(row, unit_key, units, required=False)
    raw = row.values.get(time_key)
    if isinstance(raw, str) and not unit:
        match = _TIME_TEXT.match(raw)
        if match and match.group(2).strip():
            unit = units.get(fold(match.group(2)).strip(), "")
            if unit:
                row.values[time_key] = match.group(1)
    return unit


def _clean(rows: dict[str, list[Located]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    check = _Checker()
    levels = _choice_map(ProcedureLevel, _SYNONYMS["level"])
    services = _choice_map(ServiceLevel, _SYNONYMS["service_level"])
    units = _choice_map(TimeUnit, _SYNONYMS["time_unit"])
    agencies = _choice_map(OrganisationKind)
    roles = _choice_map(Role)
    kinds = _choice_map(StepKind)
    fee_kinds = _choice_map(FeeKind)

    procedures: dict[str, dict[str, Any]] = {}
    for row in rows["procedures"]:
        code = check.text(row, "national_code", required=True)
        if code and not re.match(NATIONAL_CODE_PATTERN, code):
            check.add(
                row,
                "national_code",
                _("Mã thủ tục «%(code)s» phải có dạng 1.001193.") % {"code": code},
            )
            continue
        if code in procedures:
            check.add(row, "national_code", _("Mã thủ tục «%(code)s» bị lặp.") % {"code": code})
            continue
        unit = _time_and_unit(check, row, "processing_time", "time_unit", units)
        field_name = check.text(row, "field_name", required=True, max_length=255)
        field_code = (
            check.text(row, "field_code", max_length=32) or fold(field_name).replace(" ", "-")[:32]
        )
        spec = {
            "national_code": code,
            "name": check.text(row, "name", required=True, max_length=500),
            "field_code": field_code,
            "field_name": field_name,
            "level": check.choice(row, "level", levels),
            "agency_kind": check.choice(row, "agency_kind", agencies),
            "service_level": check.choice(row, "service_level", services),
            "processing_time": check.number(row, "processing_time", maximum=999_999),
            "time_unit": unit or TimeUnit.WORKING_DAYS,
            "online_processing_time": check.number(
                row, "online_processing_time", required=False, maximum=999_999
            ),
            "is_active": check.flag(row, "is_active", True),
            "is_demo": check.flag(row, "is_demo", False),
            "cases": {},
            "fees": [],
            "components": {},
            "templates": {},
            "_row": row,
        }
        for key in PROCEDURE_TEXT_FIELDS:
            spec[key] = check.multiline(row, key)
        if len(spec["implementing_agency"]) > 500:
            check.add(row, "implementing_agency", _("Dài quá %(n)s ký tự.") % {"n": 500})
        if code:
            procedures[code] = spec

    def owner(row: Located) -> dict[str, Any] | None:
        code = normalise(str(row.values.get("national_code") or ""))
        spec = procedures.get(code)
        if spec is None:
            check.add(
                row,
                "national_code",
                _("Không có thủ tục mã «%(code)s» trong tệp.") % {"code": code},
            )
        return spec

    def case_of(row: Located, spec: dict[str, Any]) -> str:
        case = check.text(row, "case")
        if case and case not in spec["cases"]:
            check.add(row, "case", _("Không có trường hợp mã «%(code)s».") % {"code": case})
        return case

    for row in rows["cases"]:
        spec = owner(row)
        if spec is None:
            continue
        code = check.slug(row, "code")
        if code in spec["cases"]:
            check.add(row, "code", _("Mã trường hợp «%(code)s» bị lặp.") % {"code": code})
            continue
        unit = _time_and_unit(check, row, "processing_time", "time_unit", units)
        spec["cases"][code] = {
            "code": code,
            "name": check.text(row, "name", required=True, max_length=500),
            "processing_time": check.number(
                row, "processing_time", required=False, maximum=999_999
            ),
            "time_unit": unit,
            "order": len(spec["cases"]) + 1,
        }
    for row in rows["fees"]:
        spec = owner(row)
        if spec is None:
            continue
        spec["fees"].append(
            {
                "case": case_of(row, spec),
                "name": check.text(row, "name", required=True, max_length=500),
                "kind": check.choice(row, "kind", fee_kinds, required=False) or FeeKind.CHARGE,
                "amount": check.number(row, "amount", integer=True),
                "note": check.multiline(row, "note"),
                "order": len(spec["fees"]) + 1,
            }
        )
    for row in rows["components"]:
        spec = owner(row)
        if spec is None:
            continue
        code = check.slug(row, "code", required=False) or f"tp-{len(spec['components']) + 1}"
        if code in spec["components"]:
            check.add(row, "code", _("Mã thành phần «%(code)s» bị lặp.") % {"code": code})
            continue
        types = check.text(row, "accepted_types", max_length=64) or "pdf,jpg,jpeg,png"
        if not re.match(r"^[a-z0-9]+(,[a-z0-9]+)*$", types.replace(" ", "").lower()):
            check.add(row, "accepted_types", _("Định dạng phải là danh sách như pdf,jpg,png."))
        originals = check.number(row, "originals", required=False, integer=True, maximum=99)
        copies = check.number(row, "copies", required=False, integer=True, maximum=99)
        size = check.number(row, "max_size_mb", required=False, integer=True, maximum=100)
        spec["components"][code] = {
            "case": case_of(row, spec),
            "code": code,
            "name": check.text(row, "name", required=True, max_length=1000),
            "originals": int(originals if originals is not None else 1),
            "copies": int(copies or 0),
            "required": check.flag(row, "required", True),
            "template_name": check.text(row, "template_name", max_length=255),
            "reusable": check.flag(row, "reusable", False),
            "accepted_types": types.replace(" ", "").lower(),
            "max_size_mb": int(size or 10),
            "order": len(spec["components"]) + 1,
        }
    for row in rows["steps"]:
        spec = owner(row)
        if spec is None:
            continue
        case = case_of(row, spec)
        template = spec["templates"].setdefault(
            case, {"case": case, "name": "", "steps": [], "_row": row}
        )
        template["name"] = template["name"] or check.text(row, "template_name", max_length=255)
        order = check.number(row, "order", integer=True, maximum=999)
        duration = check.number(row, "duration_hours", maximum=99_999)
        template["steps"].append(
            {
                "order": int(order or 0),
                "code": check.slug(row, "code"),
                "name": check.text(row, "name", max_length=255),
                "role": check.choice(row, "role", roles),
                "agency_kind": check.choice(row, "agency_kind", agencies, required=False),
                "duration_hours": duration if duration is not None else Decimal(0),
                "kind": check.choice(row, "kind", kinds),
                "on_approve": check.text(row, "on_approve"),
                "on_refuse": check.text(row, "on_refuse"),
            }
        )

    # Each process against its legal time (only once the rows themselves are clean).
    if not check.errors:
        for spec in procedures.values():
            for case_code, template in spec["templates"].items():
                case = spec["cases"].get(case_code) if case_code else None
                amount, unit = spec["processing_time"], spec["time_unit"]
                if case and case["processing_time"] is not None:
                    amount, unit = case["processing_time"], case["time_unit"] or unit
                try:
                    validate_steps(template["steps"], budget_hours=legal_hours(amount, unit))
                except InvalidProcess as error:
                    row = template["_row"]
                    check.add(
                        row,
                        "duration_hours" if error.code == "process_too_long" else "code",
                        f"{error.message} ({error.code})",
                    )
    return list(procedures.values()), check.errors


def _message(errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    text = _g("Trang «%(sheet)s», dòng %(row)s, cột «%(column)s»: %(message)s") % first
    if len(errors) > 1:
        text += " " + _g("(và %(n)s lỗi khác)") % {"n": len(errors) - 1}
    return _g("Tệp không được nhập, không có gì được ghi. %(first)s") % {"first": text}


# --- writing ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


def _sync(model, queryset, wanted_keys, key: str) -> None:
    try:
        queryset.exclude(**{f"{key}__in": wanted_keys}).delete()
    except ProtectedError:
        raise Conflict(
            _("Không thể xoá %(what)s đang được hồ sơ sử dụng.")
            % {"what": model._meta.verbose_name},
            code="catalogue_in_use",
        ) from None


def _write(spec: dict[str, Any], fields: dict[str, Field]) -> tuple[Procedure, bool]:
    procedure = (
        Procedure.objects.select_for_update().filter(national_code=spec["national_code"]).first()
    )
    created = procedure is None
    if created:
        procedure = Procedure(national_code=spec["national_code"])
    procedure.field = fields[spec["field_code"]]
    for key in (
        "name",
        "level",
        "agency_kind",
        "service_level",
        "processing_time",
        "time_unit",
        "online_processing_time",
        "is_active",
        "is_demo",
        *PROCEDURE_TEXT_FIELDS,
    ):
        setattr(procedure, key, spec[key])
    procedure.save()

    cases = {case.code: case for case in procedure.cases.all()}
    _sync(ProcedureCase, procedure.cases.all(), list(spec["cases"]), "code")
    for code, data in spec["cases"].items():
        case = cases.get(code) or ProcedureCase(procedure=procedure, code=code)
        case.name = data["name"]
        case.processing_time = data["processing_time"]
        case.time_unit = data["time_unit"] or ""
        case.order = data["order"]
        case.save()
        cases[code] = case

    _sync(Fee, procedure.fee_items.all(), [], "pk")
    Fee.objects.bulk_create(
        [
            Fee(
                procedure=procedure,
                case=cases.get(data["case"]) if data["case"] else None,
                name=data["name"],
                kind=data["kind"],
                amount=int(data["amount"]),
                note=data["note"],
                order=data["order"],
            )
            for data in spec["fees"]
        ]
    )

    components = {item.code: item for item in procedure.components.all()}
    _sync(Component, procedure.components.all(), list(spec["components"]), "code")
    for code, data in spec["components"].items():
        item = components.get(code) or Component(procedure=procedure, code=code)
        item.case = cases.get(data["case"]) if data["case"] else None
        for key in (
            "name",
            "originals",
            "copies",
            "required",
            "template_name",
            "reusable",
            "accepted_types",
            "max_size_mb",
            "order",
        ):
            setattr(item, key, data[key])
        item.save()

    templates = {
        (t.case.code if t.case_id else ""): t for t in procedure.templates.select_related("case")
    }
    for case_code, template in list(templates.items()):
        if case_code not in spec["templates"]:
            _sync(ProcessTemplate, procedure.templates.filter(pk=template.pk), [], "pk")
    for case_code, data in spec["templates"].items():
        template = templates.get(case_code)
        name = data["name"] or _g("Quy trình giải quyết %(code)s") % {
            "code": procedure.national_code
        }
        if template is None:
            template = ProcessTemplate.objects.create(
                procedure=procedure, case=cases.get(case_code) if case_code else None, name=name
            )
        elif template.name != name:
            template.name = name
            template.save(update_fields=["name"])
        _write_steps(template, data["steps"])
    return procedure, created


def catalogue_import(*, actor, file, format: str, is_demo: bool | None = None) -> ImportReport:
    """Read a catalogue file (``format`` "xlsx" or "json") and write it, all or nothing.

    Procedures are matched by national code: new ones are created, known ones
    updated; their cases, components and process steps are matched by code,
    fees replaced. ``is_demo`` forces the demo mark on every row when given.
    """
    _check_actor(actor, "add")
    data = file if isinstance(file, bytes) else file.read()
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_FILE_BYTES:
        raise ImportBadFile(_("Tệp quá lớn (tối đa 20 MB)."), code="import_too_large")
    format = (format or "").lower().lstrip(".")
    if format == "xlsx":
        rows = _read_xlsx(data)
    elif format == "json":
        rows = _read_json(data)
    else:
        raise ImportBadFile(_("Định dạng phải là xlsx hoặc json."), code="import_bad_format")
    specs, errors = _clean(rows)
    if errors:
        raise ImportInvalid(_message(errors), details={"errors": errors})
    if not specs:
        raise ImportInvalid(_("Tệp không có thủ tục nào."), code="import_empty")
    report = ImportReport()
    with transaction.atomic():
        fields: dict[str, Field] = {}
        for spec in specs:
            code = spec["field_code"]
            if code in fields:
                continue
            row = Field.objects.filter(code=code).first() or Field(code=code)
            if row.name != spec["field_name"]:
                row.name = spec["field_name"]
                row.save()
            fields[code] = row
        for spec in specs:
            if is_demo is not None:
                spec["is_demo"] = is_demo
            procedure, created = _write(spec, fields)
            report.created += created
            report.updated += not created
            report.codes.append(procedure.national_code)
        audit_record(
            actor=actor,
            action="procedure.import",
            object_type="procedures.procedure",
            object_repr=_g("Nhập danh mục thủ tục"),
            changes={
                "format": format,
                "created": report.created,
                "updated": report.updated,
                "codes": report.codes,
            },
        )
    return report


# --- export ----------------------------------------------------------------------------


def _export_queryset(queryset=None):
    queryset = queryset if queryset is not None else Procedure.objects.all()
    return (
        queryset.select_related("field")
        .prefetch_related(
            "cases", "fee_items__case", "components__case", "templates__case", "templates__steps"
        )
        .order_by("national_code")
    )


def _as_dict(procedure: Procedure) -> dict[str, Any]:
    def number(value):
        return None if value is None else _fmt(Decimal(value))

    data: dict[str, Any] = {
        "national_code": procedure.national_code,
        "name": procedure.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "level": procedure.level,
        "agency_kind": procedure.agency_kind,
        "service_level": procedure.service_level,
        "processing_time": number(procedure.processing_time),
        "time_unit": procedure.time_unit,
        "online_processing_time": number(procedure.online_processing_time),
    }
    for key in PROCEDURE_TEXT_FIELDS:
        data[key] = getattr(procedure, key)
    data["is_active"] = procedure.is_active
    data["is_demo"] = procedure.is_demo
    data["cases"] = [
        {
            "code": case.code,
            "name": case.name,
            "processing_time": number(case.processing_time),
            "time_unit": case.time_unit,
        }
        for case in sorted(procedure.cases.all(), key=lambda c: (c.order, c.pk))
    ]
    data["fees"] = [
        {
            "case": fee.case.code if fee.case_id else "",
            "name": fee.name,
            "kind": fee.kind,
            "amount": fee.amount,
            "note": fee.note,
        }
        for fee in sorted(procedure.fee_items.all(), key=lambda f: (f.order, f.pk))
    ]
    data["components"] = [
        {
            "case": item.case.code if item.case_id else "",
            "code": item.code,
            "name": item.name,
            "originals": item.originals,
            "copies": item.copies,
            "required": item.required,
            "template_name": item.template_name,
            "reusable": item.reusable,
            "accepted_types": item.accepted_types,
            "max_size_mb": item.max_size_mb,
        }
        for item in sorted(procedure.components.all(), key=lambda c: (c.order, c.pk))
    ]
    templates = []
    for template in sorted(procedure.templates.all(), key=lambda t: (t.case_id or 0, t.pk)):
        steps = sorted(template.steps.all(), key=lambda s: s.order)
        codes = {step.pk: step.code for step in steps}
        templates.append(
            {
                "case": template.case.code if template.case_id else "",
                "name": template.name,
                "steps": [
                    {
                        "order": step.order,
                        "code": step.code,
                        "name": step.name,
                        "role": step.role,
                        "agency_kind": step.agency_kind,
                        "duration_hours": _fmt(step.duration_hours),
                        "kind": step.kind,
                        "on_approve": codes.get(step.on_approve_id, ""),
                        "on_refuse": codes.get(step.on_refuse_id, ""),
                    }
                    for step in steps
                ],
            }
        )
    data["templates"] = templates
    return data


def catalogue_export(*, format: str, queryset=None) -> bytes:
    """The catalogue (or ``queryset``'s procedures) as .xlsx or JSON bytes, ready to import back."""
    items = [_as_dict(procedure) for procedure in _export_queryset(queryset)]
    format = (format or "").lower().lstrip(".")
    if format == "json":
        document = {"format": JSON_FORMAT, "procedures": items}
        return json.dumps(document, ensure_ascii=False, indent=1).encode()
    if format != "xlsx":
        raise ImportBadFile(_("Định dạng phải là xlsx hoặc json."), code="import_bad_format")
    return _xlsx(items)


def _xlsx(items: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    labels: dict[str, Callable[[str], str]] = {
        "level": lambda v: _label(ProcedureLevel, v),
        "agency_kind": lambda v: _label(OrganisationKind, v) if v else "",
        "service_level": lambda v: _label(ServiceLevel, v),
        "time_unit": lambda v: _label(TimeUnit, v) if v else "",
        "kind_fee": lambda v: _label(FeeKind, v),
        "role": lambda v: _label(Role, v),
        "kind_step": lambda v: _label(StepKind, v),
    }

    def yes(value: bool) -> str:
        return "Có" if value else "Không"

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {}
    for key, (title, columns) in SHEETS.items():
        sheet = workbook.create_sheet(title)
        sheet.append([label for _name, label in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheets[key] = sheet
    for item in items:
        code = item["national_code"]
        sheets["procedures"].append(
            [
                code,
                item["name"],
                item["field"]["code"],
                item["field"]["name"],
                labels["level"](item["level"]),
                labels["agency_kind"](item["agency_kind"]),
                item["implementing_agency"],
                labels["service_level"](item["service_level"]),
                item["processing_time"],
                labels["time_unit"](item["time_unit"]),
                item["online_processing_time"],
                item["applicants"],
                item["steps_note"],
                item["receiving_note"],
                item["conditions"],
                item["fee_note"],
                item["result_type"],
                item["legal_basis"],
                yes(item["is_active"]),
                yes(item["is_demo"]),
            ]
        )
        for case in item["cases"]:
            sheets["cases"].append(
                [
                    code,
                    case["code"],
                    case["name"],
                    case["processing_time"],
                    labels["time_unit"](case["time_unit"]),
                ]
            )
        for fee in item["fees"]:
            sheets["fees"].append(
                [
                    code,
                    fee["case"],
                    fee["name"],
                    labels["kind_fee"](fee["kind"]),
                    fee["amount"],
                    fee["note"],
                ]
            )
        for part in item["components"]:
            sheets["components"].append(
                [
                    code,
                    part["case"],
                    part["code"],
                    part["name"],
                    part["originals"],
                    part["copies"],
                    yes(part["required"]),
                    part["template_name"],
                    yes(part["reusable"]),
                    part["accepted_types"],
                    part["max_size_mb"],
                ]
            )
        for template in item["templates"]:
            for step in template["steps"]:
                sheets["steps"].append(
                    [
                        code,
                        template["case"],
                        template["name"],
                        step["order"],
                        step["code"],
                        step["name"],
                        labels["role"](step["role"]),
                        labels["agency_kind"](step["agency_kind"]),
                        step["duration_hours"],
                        labels["kind_step"](step["kind"]),
                        step["on_approve"],
                        step["on_refuse"],
                    ]
                )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
