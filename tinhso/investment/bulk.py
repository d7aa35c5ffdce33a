"""Many disbursements at once (the Excel upload): the single path's rules, a few queries in all.

``disbursements_record_bulk(actor=, rows=)`` records every row or none. It
applies the rules of ``services.disbursement_record`` (the shared functions of
``checks``) row by row, in the rows' order, but reads the database once per
kind of fact rather than once per row:

1. the plan lines named by the rows, in the actor's scope;
2. their projects, locked ``SELECT … FOR UPDATE`` in id order (the lock
   ``services.lock_project`` takes, so a concurrent single update waits for
   the whole batch, or the batch for it: no lost update, no plan overrun);
3. the annual lines of those projects (the project's plan per year and
   source, carried-over capital apart);
4. what those lines have disbursed (not rejected), summed per line.

Then each row is checked in memory against running totals: a row accepted adds
its amount to its line and to its project's year and source, so two rows of
one line that together exceed the plan refuse the second, with the error code,
message and details the single path gives. A refused row adds nothing (as in
the single path, where it wrote nothing). Rows are then written with
``bulk_create``; each project's ``version`` goes up by one and its
``last_reported_at`` is set (what ``services._bump`` does, once per batch); the
monthly summary of the lines touched is recomputed
(``summaries.refresh_plan_lines``); one audit event records the batch (see
docs/investment.md, "Excel": why one).

The number of queries depends on the number of distinct lines and projects
only through chunks of 500 ids (SQLite's limit on bound parameters), not on the
number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.audit import audit_record
from tinhso.core.exceptions import TinhsoError, ValidationError
from tinhso.core.permissions import require, role_may
from tinhso.investment import checks, errors
from tinhso.investment.choices import DisbursementKind, DisbursementStatus, PlanKind
from tinhso.investment.models import Disbursement, PlanLine, Project
from tinhso.investment.summaries import refresh_plan_lines

# Ids per statement: far below SQLite's limit on bound parameters.
CHUNK = 500
# Refusals listed in the error's details (all of them stay in ``refusals``).
MAX_LISTED = 200
ROW_KEYS = frozenset(
    {"plan_line_id", "date", "amount", "kind", "treasury_reference", "note", "expected_version"}
)


class DisbursementsRefused(ValidationError):
    """Some rows break a rule; ``refusals`` lists (row index, error); nothing was written."""

    code = "disbursements_refused"
    default_message = _("Có khoản giải ngân không hợp lệ, không có khoản nào được ghi.")

    def __init__(self, refusals: list[tuple[int, TinhsoError]]):
        self.refusals = refusals
        super().__init__(
            details={
                "refused": [
                    {"index": index, **error.as_dict()} for index, error in refusals[:MAX_LISTED]
                ],
                "count": len(refusals),
            }
        )


@dataclass
class BulkResult:
    disbursements: list[Disbursement]
    amount: int
    projects: int
    plan_lines: list[int] = field(default_factory=list)


@dataclass
class _Checked:
    accepted: list[tuple[int, dict[str, Any]]]
    refusals: list[tuple[int, TinhsoError]]
    projects: dict[int, Project]
    lines: dict[int, dict[str, Any]]


def chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def lines_by_id(ids: Iterable[int], fields: Sequence[str]) -> dict[int, dict[str, Any]]:
    """Plan lines by primary key, unscoped: the caller keeps those of projects in scope.

    Filtering the lines by the scope in the same query (a join on the owner)
    made SQLite walk every project of the owner for every id asked (0.6 s per
    500 lines for an owner of 1,500 projects); by primary key it is a look-up.
    """
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for line in PlanLine.objects.filter(pk__in=chunk).values(*fields).order_by():
            found[line["id"]] = line
    return found


def _line_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _normalise(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row's input, as the single path takes its arguments (same checks, same order)."""
    unknown = set(row) - ROW_KEYS
    if unknown:
        raise TypeError(f"unexpected keys: {sorted(unknown)}")
    kind = checks.disbursement_kind(row.get("kind", DisbursementKind.PAYMENT))
    return {
        "plan_line_id": row.get("plan_line_id"),
        "kind": kind,
        "amount": checks.signed_amount(kind, row.get("amount")),
        "date": checks.disbursement_date(row.get("date")),
        "treasury_reference": (row.get("treasury_reference") or "").strip()[:64],
        "note": (row.get("note") or "")[:500],
        "expected_version": row.get("expected_version"),
    }


def _check(actor, rows: Sequence[Mapping[str, Any]], today: dt.date) -> _Checked:
    """Every row against the rules; call inside a transaction (the projects stay locked)."""
    refusals: list[tuple[int, TinhsoError]] = []
    inputs: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        try:
            inputs.append((index, _normalise(row)))
        except TinhsoError as error:
            refusals.append((index, error))

    # 1. The rows' plan lines, by primary key (see ``lines_by_id``).
    line_ids = {pk for pk in (_line_id(v["plan_line_id"]) for _i, v in inputs) if pk is not None}
    found = lines_by_id(
        line_ids, ("id", "project_id", "year", "source", "kind", "amount", "deadline")
    )

    # 2. Their projects in the actor's scope, locked in id order (as
    # services.lock_project locks one); a line of a project out of scope looks
    # missing, as PlanLine.restrict makes it in the single path.
    projects: dict[int, Project] = {}
    for chunk in chunks(line["project_id"] for line in found.values()):
        projects.update(
            (project.pk, project)
            for project in Project.objects.restrict(actor, "view")
            .select_for_update()
            .filter(pk__in=chunk)
            .only("id", "code", "version")
            .order_by("pk")
        )
    lines = (
        {pk: line for pk, line in found.items() if line["project_id"] in projects}
        if role_may(actor, PlanLine, "view")
        else {}
    )

    # 3. The projects' annual lines: the plan per (project, year, source, carried over).
    years = {line["year"] for line in lines.values() if line["year"] is not None}
    group_of: dict[int, tuple] = {}
    planned: dict[tuple, int] = defaultdict(int)
    if years:
        for chunk in chunks(projects):
            for line in (
                PlanLine.objects.filter(
                    project_id__in=chunk, year__in=sorted(years), plan__kind=PlanKind.ANNUAL
                )
                .values("id", "project_id", "year", "source", "kind", "amount")
                .order_by()
            ):
                key = (
                    line["project_id"],
                    line["year"],
                    line["source"],
                    checks.carried_over(line["kind"]),
                )
                group_of[line["id"]] = key
                planned[key] += line["amount"]

    # 4. What every line concerned has disbursed (rejected rows count nowhere).
    on_line: dict[int, int] = defaultdict(int)
    for chunk in chunks(set(lines) | set(group_of)):
        for line_id, total in (
            Disbursement.objects.filter(plan_line_id__in=chunk)
            .exclude(status=DisbursementStatus.REJECTED)
            .values("plan_line_id")
            .annotate(total=Sum("amount"))
            .values_list("plan_line_id", "total")
            .order_by()
        ):
            on_line[line_id] = int(total or 0)
    on_group: dict[tuple, int] = defaultdict(int)
    for line_id, key in group_of.items():
        on_group[key] += on_line[line_id]

    # Row by row, in order, against running totals.
    accepted: list[tuple[int, dict[str, Any]]] = []
    for index, values in inputs:
        line = lines.get(_line_id(values["plan_line_id"]))
        try:
            if line is None:
                raise errors.PlanLineNotFound()
            project = projects[line["project_id"]]
            expected = values["expected_version"]
            if expected is not None and _version(expected) != project.version:
                raise errors.StaleVersion(
                    details={"expected_version": expected, "version": project.version}
                )
            checks.check_line_annual(line["year"])
            checks.check_date(
                values["date"], year=line["year"], deadline=line["deadline"], today=today
            )
            amount = values["amount"]
            checks.check_line_total(
                amount=amount, plan=line["amount"], disbursed=on_line[line["id"]]
            )
            key = (
                line["project_id"],
                line["year"],
                line["source"],
                checks.carried_over(line["kind"]),
            )
            checks.check_project_total(amount=amount, plan=planned[key], disbursed=on_group[key])
        except TinhsoError as error:
            refusals.append((index, error))
            continue
        on_line[line["id"]] += amount
        if group_of.get(line["id"]) == key:
            on_group[key] += amount
        accepted.append((index, {**values, "plan_line_id": line["id"]}))
    refusals.sort(key=lambda item: item[0])
    return _Checked(accepted=accepted, refusals=refusals, projects=projects, lines=lines)


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.InvalidProjectData(details={"expected_version": str(value)[:20]}) from None


def disbursements_check(
    *, actor, rows: Sequence[Mapping[str, Any]], today: dt.date | None = None
) -> None:
    """Check the rows as ``disbursements_record_bulk`` would, write nothing.

    Raises ``DisbursementsRefused`` listing every refused row. Used when the
    rows are already known to be refused elsewhere (an upload with bad cells),
    to report every row's problem in one go.
    """
    require(actor, Disbursement, "add")
    with transaction.atomic():
        checked = _check(actor, rows, today or timezone.localdate())
    if checked.refusals:
        raise DisbursementsRefused(checked.refusals)


def disbursements_record_bulk(
    *,
    actor,
    rows: Sequence[Mapping[str, Any]],
    today: dt.date | None = None,
    audit_action: str = "investment.disbursement_bulk",
    audit_repr: str = "",
    audit_changes: Mapping[str, Any] | None = None,
) -> BulkResult:
    """Record every row (keys of ``disbursement_record``: ``plan_line_id``, ``date``,
    ``amount``, ``kind``, ``treasury_reference``, ``note``, ``expected_version``), or none.

    Raises ``DisbursementsRefused`` (every refused row with its error, the
    codes of the single path) and writes nothing; PermissionDenied when the
    actor may not report disbursements. ``expected_version`` is compared with
    the project's version when the batch starts. One audit event,
    ``audit_action``, named ``audit_repr``, with ``audit_changes`` added (an
    upload's file name and SHA-256).
    """
    require(actor, Disbursement, "add")
    today = today or timezone.localdate()
    with transaction.atomic():
        checked = _check(actor, rows, today)
        if checked.refusals:
            raise DisbursementsRefused(checked.refusals)
        now = timezone.now()
        reporter = actor if getattr(actor, "is_authenticated", False) else None
        objects = [
            Disbursement(
                plan_line_id=values["plan_line_id"],
                project_id=checked.lines[values["plan_line_id"]]["project_id"],
                date=values["date"],
                amount=values["amount"],
                kind=values["kind"],
                treasury_reference=values["treasury_reference"],
                note=values["note"],
                reported_by=reporter,
                created_at=now,
            )
            for _index, values in checked.accepted
        ]
        created = Disbursement.objects.bulk_create(objects, batch_size=CHUNK)
        touched = sorted({row.project_id for row in created})
        for chunk in chunks(touched):
            Project.objects.filter(pk__in=chunk).update(
                version=F("version") + 1, updated_at=now, last_reported_at=now
            )
        plan_lines = sorted({row.plan_line_id for row in created})
        # The monthly summary the measures read, kept exact in the same transaction.
        refresh_plan_lines(plan_lines)
        per_project: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for row in created:
            per_project[row.project_id][0] += 1
            per_project[row.project_id][1] += row.amount
        total = sum(row.amount for row in created)
        audit_record(
            actor=actor,
            action=audit_action,
            object_type="investment.disbursement",
            object_id=_id_ranges_text(row.pk for row in created),
            object_repr=audit_repr,
            changes={
                **(audit_changes or {}),
                "rows": len(created),
                "amount": total,
                # Lists rather than mappings: the audit trail's redaction
                # inspects every key, and 1,500 projects would be 6,000 keys.
                "project_columns": ["code", "rows", "amount", "version_before", "version_after"],
                "projects": [
                    [
                        checked.projects[pk].code,
                        count,
                        amount,
                        checked.projects[pk].version,
                        checked.projects[pk].version + 1,
                    ]
                    for pk, (count, amount) in sorted(per_project.items())
                ],
                "disbursement_columns": [
                    "id",
                    "plan_line",
                    "date",
                    "amount",
                    "kind",
                    "treasury_reference",
                ],
                "disbursements": [
                    [
                        row.pk,
                        row.plan_line_id,
                        row.date,
                        row.amount,
                        row.kind,
                        row.treasury_reference,
                    ]
                    for row in created
                ],
            },
        )
    return BulkResult(
        disbursements=created, amount=total, projects=len(touched), plan_lines=plan_lines
    )


def _id_ranges_text(ids: Iterable[int]) -> str:
    """``12-40,45``: the ids written, as ranges (the event's object id, at most 64 characters)."""
    ordered = sorted(ids)
    parts: list[str] = []
    start = previous = None
    for pk in ordered:
        if previous is not None and pk == previous + 1:
            previous = pk
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = pk
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    text = ",".join(parts)
    return text if len(text) <= 64 else f"{ordered[0]}-{ordered[-1]}*"
