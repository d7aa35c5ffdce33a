"""Small builders for catalogue tests."""

from __future__ import annotations

from decimal import Decimal

from tinhso.procedures.models import Field, Procedure


def make_field(code: str = "ho-tich", name: str = "Hộ tịch") -> Field:
    field, _created = Field.objects.get_or_create(code=code, defaults={"name": name})
    return field


def make_procedure(national_code: str = "1.001193", **overrides) -> Procedure:
    values = {
        "name": "Đăng ký khai sinh",
        "field": make_field(),
        "level": "commune",
        "agency_kind": "commune_committee",
        "service_level": "full_online",
        "processing_time": Decimal("1"),
        "time_unit": "working_days",
    }
    values.update(overrides)
    return Procedure.objects.create(national_code=national_code, **values)


def steps(*hours, refuse_to: str = "") -> list[dict]:
    """receive → process → approve → return with the given durations."""
    codes = ["tiep-nhan", "tham-dinh", "phe-duyet", "tra-ket-qua"]
    kinds = ["receive", "process", "approve", "return"]
    roles = ["desk_officer", "specialist", "head", "desk_officer"]
    return [
        {
            "order": index + 1,
            "code": codes[index],
            "name": codes[index],
            "role": roles[index],
            "agency_kind": "",
            "duration_hours": hours[index],
            "kind": kinds[index],
            "on_approve": "",
            "on_refuse": refuse_to if kinds[index] == "approve" else "",
        }
        for index in range(4)
    ]


def catalogue_document(**procedure_overrides) -> dict:
    """A one-procedure catalogue in the JSON import format."""
    procedure = {
        "national_code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": {"code": "ho-tich", "name": "Hộ tịch"},
        "level": "commune",
        "agency_kind": "commune_committee",
        "service_level": "full_online",
        "processing_time": "3",
        "time_unit": "working_days",
        "online_processing_time": None,
        "legal_basis": "Luật Hộ tịch 2014",
        "cases": [{"code": "qua-han", "name": "Quá hạn", "processing_time": "5", "time_unit": ""}],
        "fees": [
            {"case": "", "name": "Lệ phí", "kind": "charge", "amount": 0, "note": ""},
            {
                "case": "qua-han",
                "name": "Lệ phí quá hạn",
                "kind": "charge",
                "amount": 5000,
                "note": "",
            },
        ],
        "components": [
            {
                "case": "",
                "code": "to-khai",
                "name": "Tờ khai đăng ký khai sinh",
                "originals": 1,
                "copies": 0,
                "required": True,
                "template_name": "to-khai.docx",
                "reusable": False,
                "accepted_types": "pdf,jpg",
                "max_size_mb": 5,
            },
            {
                "case": "qua-han",
                "code": "giay-cam-doan",
                "name": "Văn bản cam đoan",
                "originals": 1,
                "copies": 1,
                "required": False,
                "template_name": "",
                "reusable": True,
                "accepted_types": "pdf",
                "max_size_mb": 10,
            },
        ],
        "templates": [
            {
                "case": "",
                "name": "Quy trình chung",
                "steps": steps("2", "14", "4", "2", refuse_to="tham-dinh"),
            },
            {"case": "qua-han", "name": "Quy trình quá hạn", "steps": steps("4", "24", "8", "4")},
        ],
    }
    procedure.update(procedure_overrides)
    return {"format": "tinhso.procedures/1", "procedures": [procedure]}
