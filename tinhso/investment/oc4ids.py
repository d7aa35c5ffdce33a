"""Every project in scope as an OC4IDS 0.9.5 project package (docs/investment.md, "OC4IDS").

Only what a province publishes: the project's identity, owner, sector, status,
location, total investment and its annual capital plan by source and year,
the decisions (number, date, kind; never their files), the contracts' values,
contractors and periods, and what was disbursed against the plan. No people,
no treasury references, no uploaded files, no obstacles or alerts.

``package_chunks`` yields the package as JSON text piece by piece, one
project at a time from a chunked query, so 1,500 projects are written without
holding them all in memory; ``project_package`` returns it as a dict.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Prefetch, Sum
from django.utils import timezone, translation

from tinhso.investment.choices import (
    AssignedBy,
    DecisionKind,
    DisbursementStatus,
    FundingSource,
    PlanKind,
    ProjectPhase,
    Sector,
)
from tinhso.investment.models import Contract, Disbursement, PlanLine, Project, ProjectDecision

VERSION = "0.9"
CURRENCY = "VND"

# Law 58 sectors → OC4IDS projectSector (an open codelist; values from it only).
SECTORS: dict[str, list[str]] = {
    Sector.TRANSPORT_MAJOR: ["transport"],
    Sector.TRANSPORT_OTHER: ["transport.road"],
    Sector.POWER: ["energy"],
    Sector.ELECTRICAL: ["energy"],
    Sector.OIL_GAS: ["energy"],
    Sector.MINING: ["naturalResources"],
    Sector.CHEMICALS: ["economy"],
    Sector.MACHINERY: ["economy"],
    Sector.ELECTRONICS: ["economy"],
    Sector.PHARMACEUTICAL: ["economy"],
    Sector.MATERIALS: ["economy"],
    Sector.MECHANICAL: ["economy"],
    Sector.INDUSTRY_OTHER: ["economy"],
    Sector.AGRICULTURE: ["economy"],
    Sector.HOUSING: ["socialHousing"],
    Sector.IRRIGATION: ["waterAndWaste", "naturalResources.floodProtection"],
    Sector.WATER_INFRASTRUCTURE: ["waterAndWaste"],
    Sector.URBAN_INFRASTRUCTURE: ["transport.urban", "waterAndWaste"],
    Sector.NATURE_RESERVES: ["naturalResources"],
    Sector.POST_TELECOM: ["communications"],
    Sector.SCIENCE_IT_BROADCASTING: ["communications"],
    Sector.HEALTH_CULTURE_EDUCATION: ["health", "education", "cultureSportsAndRecreation"],
    Sector.WAREHOUSING: ["economy"],
    Sector.TOURISM_SPORT: ["cultureSportsAndRecreation"],
    Sector.CIVIL_CONSTRUCTION: ["governance"],
    Sector.DEFENCE_SECURITY: ["governance"],
}

# Project phase → OC4IDS projectStatus (a closed codelist).
STATUSES: dict[str, str] = {
    ProjectPhase.PREPARATION: "preparation",
    ProjectPhase.IMPLEMENTATION: "implementation",
    ProjectPhase.COMPLETED: "completion",
    ProjectPhase.SETTLED: "completion",
    ProjectPhase.SUSPENDED: "implementation",
}

# Decision kind → OC4IDS documentType (open codelist).
DOCUMENT_TYPES: dict[str, str] = {
    DecisionKind.POLICY: "projectPlan",
    DecisionKind.INVESTMENT: "budgetApproval",
    DecisionKind.ADJUSTMENT: "budgetAmendmentApproval",
    DecisionKind.EXTENSION: "budgetAmendmentApproval",
}


def id_prefix() -> str:
    """The publisher's project-id prefix (``TINHSO_OC4IDS_PREFIX``; register one before publishing)."""
    return getattr(settings, "TINHSO_OC4IDS_PREFIX", "") or "oc4ids-tinhso"


def _value(amount: int) -> dict:
    return {"amount": int(amount), "currency": CURRENCY}


def _iso_day(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+07:00"


def _party_id(organisation) -> str:
    """The organisation's electronic identifier code (mã định danh điện tử)."""
    return organisation.identifier_code or str(organisation.pk)


def _scoped(model, user):
    return model.objects.all() if user is None else model.objects.restrict(user, "view")


def projects_queryset(user):
    """The projects of the export with what each one needs, in a few queries per chunk."""
    lines = (
        _scoped(PlanLine, user)
        .filter(plan__kind=PlanKind.ANNUAL, year__isnull=False)
        .order_by("year", "source", "id")
    )
    return (
        _scoped(Project, user)
        .select_related("owner", "unit", "unit__parent")
        .prefetch_related(
            Prefetch("plan_lines", queryset=lines, to_attr="annual_lines"),
            Prefetch(
                "decisions",
                queryset=_scoped(ProjectDecision, user).order_by("date", "id"),
                to_attr="decision_list",
            ),
            Prefetch(
                "contracts",
                queryset=_scoped(Contract, user).prefetch_related("modifications"),
                to_attr="contract_list",
            ),
        )
        .order_by("code")
    )


def disbursed_by_year(user) -> dict[int, dict[int, int]]:
    """Per project id, the disbursed total per plan year (not rejected): one grouped query."""
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        _scoped(Disbursement, user)
        .exclude(status=DisbursementStatus.REJECTED)
        .filter(plan_line__plan__kind=PlanKind.ANNUAL)
        .values("project_id", "plan_line__year")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        totals[row["project_id"]][row["plan_line__year"]] = int(row["total"] or 0)
    return totals


def project_record(project: Project, disbursed: dict[int, int], updated: str) -> dict:
    """One project in OC4IDS shape (Vietnamese texts, amounts in whole đồng)."""
    owner = project.owner
    owner_ref = {"id": _party_id(owner), "name": owner.name}
    record: dict = {
        "id": f"{id_prefix()}-{project.code}",
        "updated": updated,
        "language": "vi",
        "identifiers": [{"id": project.code, "scheme": "VN-TINHSO-DAUTUCONG"}],
        "title": project.name,
        "status": STATUSES.get(project.phase, "implementation"),
        "sector": SECTORS.get(project.sector, ["economy"]),
        "purpose": str(Sector(project.sector).label),
        "publicAuthority": owner_ref,
        "parties": [{**owner_ref, "roles": ["publicAuthority"]}],
    }
    if project.description:
        record["description"] = project.description
    if project.start_year or project.end_year:
        period: dict = {}
        if project.start_year:
            period["startDate"] = _iso_day(dt.date(project.start_year, 1, 1))
        if project.end_year:
            period["endDate"] = _iso_day(dt.date(project.end_year, 12, 31))
        record["period"] = period
    unit = project.unit
    region = unit.parent.name if unit.parent_id and unit.parent else unit.name
    location: dict = {
        "id": "1",
        "description": unit.name,
        "address": {"locality": unit.name, "region": region, "countryName": "Việt Nam"},
    }
    if project.latitude is not None and project.longitude is not None:
        location["geometry"] = {
            "type": "Point",
            "coordinates": [float(project.longitude), float(project.latitude)],
        }
    record["locations"] = [location]

    budget: dict = {}
    if project.total_investment:
        budget["amount"] = _value(project.total_investment)
        budget["description"] = "Tổng mức đầu tư"
    lines = getattr(project, "annual_lines", [])
    if lines:
        per_year_source: dict[tuple[int, str], int] = defaultdict(int)
        per_year_pm: dict[int, int] = defaultdict(int)
        for line in lines:
            per_year_source[(line.year, line.source)] += line.amount
            if line.assigned_by == AssignedBy.PRIME_MINISTER:
                per_year_pm[line.year] += line.amount
        breakdown = []
        for (year, source), amount in sorted(per_year_source.items()):
            breakdown.append(
                {
                    "id": f"{year}-{source}",
                    "description": f"Kế hoạch vốn năm {year}: {FundingSource(source).label}",
                    "amount": _value(amount),
                    "period": {
                        "startDate": _iso_day(dt.date(year, 1, 1)),
                        "endDate": _iso_day(dt.date(year, 12, 31)),
                    },
                }
            )
        budget["budgetBreakdowns"] = [
            {
                "id": "annual-plan",
                "description": "Kế hoạch đầu tư công hằng năm theo nguồn vốn",
                "budgetBreakdown": breakdown,
            }
        ]
    if budget:
        record["budget"] = budget

    if disbursed:
        record["metrics"] = [
            {
                "id": "disbursed",
                "title": "Giải ngân vốn kế hoạch hằng năm",
                "description": "Lũy kế giá trị giải ngân (chủ đầu tư báo cáo hoặc Kho bạc xác "
                "nhận) theo năm kế hoạch, đồng",
                "observations": [
                    {
                        "id": str(year),
                        "period": {
                            "startDate": _iso_day(dt.date(year, 1, 1)),
                            "endDate": _iso_day(dt.date(year + 1, 1, 31)),
                        },
                        "value": _value(amount),
                    }
                    for year, amount in sorted(disbursed.items())
                ],
            }
        ]

    documents = []
    for decision in getattr(project, "decision_list", []):
        documents.append(
            {
                "id": f"decision-{decision.pk}",
                "documentType": DOCUMENT_TYPES.get(decision.kind, "projectPlan"),
                "title": f"{DecisionKind(decision.kind).label} số {decision.number}",
                "datePublished": _iso_day(decision.date),
                "language": "vi",
            }
        )
    if documents:
        record["documents"] = documents

    processes = []
    for contract in getattr(project, "contract_list", []):
        modifications = list(contract.modifications.all())
        final = contract.value + sum(m.value_change for m in modifications)
        end = max([contract.end_date, *[m.new_end_date for m in modifications if m.new_end_date]])
        summary: dict = {
            "title": f"Hợp đồng {contract.number}".strip(),
            "suppliers": [{"name": contract.contractor}],
            "contractValue": _value(contract.value),
            "contractPeriod": {
                "startDate": _iso_day(contract.signed_on),
                "endDate": _iso_day(end),
            },
        }
        if modifications:
            summary["finalValue"] = _value(final)
            summary["modifications"] = [
                {
                    "id": str(m.pk),
                    "date": _iso_day(m.date),
                    "description": m.description or "Điều chỉnh hợp đồng",
                    **({"type": "value"} if m.value_change else {}),
                }
                for m in modifications
            ]
        processes.append({"id": f"contract-{contract.pk}", "summary": summary})
    if processes:
        record["contractingProcesses"] = processes
    return record


def package_chunks(
    user, *, uri: str, publisher: str = "", now: dt.datetime | None = None
) -> Iterator[str]:
    """The package as JSON text, one project at a time."""
    with translation.override("vi"):
        now = now or timezone.now()
        published = now.replace(microsecond=0).isoformat()
        head = {
            "uri": uri,
            "publishedDate": published,
            "version": VERSION,
            "publisher": {
                "name": publisher or getattr(settings, "TINHSO_OC4IDS_PUBLISHER", "") or "Tỉnh số"
            },
            "license": "https://creativecommons.org/licenses/by/4.0/",
        }
        text = json.dumps(head, ensure_ascii=False)
        yield text[:-1] + ', "projects": ['
        totals = disbursed_by_year(user)
        first = True
        for project in projects_queryset(user).iterator(chunk_size=500):
            record = project_record(project, totals.get(project.pk, {}), published)
            yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
            first = False
        yield "]}\n"


def project_package(user, *, uri: str, publisher: str = "", now=None) -> dict:
    return json.loads("".join(package_chunks(user, uri=uri, publisher=publisher, now=now)))
