"""Citizen pages of the catalogue: search with filters, and a procedure's detail."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from tinhso.core.exceptions import NotFound
from tinhso.core.responses import error_response
from tinhso.procedures import selectors
from tinhso.procedures.api import procedure_detail_dict
from tinhso.procedures.choices import FeeKind, ProcedureLevel, ServiceLevel, StepKind, TimeUnit

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 100


def _page_number(value: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 10_000 else 1


def search(request):
    """Search by name or code (with or without diacritics), filter, page through results."""
    user = request.user if request.user.is_authenticated else None
    q = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    level = request.GET.get("level", "")
    field = request.GET.get("field", "")[:32]
    service_level = request.GET.get("service_level", "")
    # Unknown filter values (a forged or stale link) are ignored rather than refused.
    level = level if level in ProcedureLevel.values else ""
    service_level = service_level if service_level in ServiceLevel.values else ""
    fields = selectors.field_list(user=user, with_counts=True)
    field = field if any(item.code == field for item in fields) else ""
    page_number = _page_number(request.GET.get("page", "1"))
    items, total = selectors.procedure_search(
        q,
        user=user,
        level=level,
        field=field,
        service_level=service_level,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    if not items and total and page_number > 1:
        page_number = 1
        items, total = selectors.procedure_search(
            q, user=user, level=level, field=field, service_level=service_level, limit=PAGE_SIZE
        )
    paginator = Paginator(range(total), PAGE_SIZE)
    page = paginator.get_page(page_number)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "procedures/search.html",
        {
            "form": {"q": q, "level": level, "field": field, "service_level": service_level},
            "levels": ProcedureLevel.choices,
            "service_levels": ServiceLevel.choices,
            "fields": [item for item in fields if item.procedure_count],
            "procedures": items,
            "total": total,
            "page": page,
            "query_string": params.urlencode(),
            "has_demo": any(item.is_demo for item in items),
        },
    )


def detail(request, national_code: str):
    user = request.user if request.user.is_authenticated else None
    try:
        procedure = selectors.get_procedure(national_code[:32], user=user)
    except NotFound as error:
        return error_response(request, error)
    data = procedure_detail_dict(procedure)
    case_names = {case["code"]: case["name"] for case in data["cases"]}
    with_labels = dict(TimeUnit.choices)
    for case in data["cases"]:
        case["time_unit_label"] = with_labels.get(case["time_unit"], "")
    for fee in data["fees"]:
        fee["kind_label"] = dict(FeeKind.choices).get(fee["kind"], "")
        fee["case_name"] = case_names.get(fee["case"], "")
    for component in data["components"]:
        component["case_name"] = case_names.get(component["case"], "")
    step_kinds = dict(StepKind.choices)
    from tinhso.core.choices import Role

    roles = dict(Role.choices)
    for template in data["templates"]:
        template["case_name"] = case_names.get(template["case"], "")
        for step in template["steps"]:
            step["kind_label"] = step_kinds.get(step["kind"], "")
            step["role_label"] = roles.get(step["role"], "")
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "data": data,
            "submit_url": f"/nop-ho-so/{procedure.national_code}/",
        },
    )
