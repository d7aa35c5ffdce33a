"""Investment writes. Each runs in one transaction, locks the project row, checks, changes, audits.

Concurrency: every write on a project's rows first locks the project
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers), so checks such as "the cumulative disbursement stays within
the plan" see every committed row. A caller that showed the user a version of
the project passes it as ``expected_version``; when the project has changed
since, the write is refused with 409 ``stale_version`` instead of overwriting.
Every write bumps ``Project.version``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from tinhso.core.audit import audit_record
from tinhso.core.exceptions import NotFound, PermissionDenied
from tinhso.core.permissions import require, role_may, scope_unit_ids
from tinhso.investment import checks, errors
from tinhso.investment.choices import (
    AssignedBy,
    CurveScope,
    DecisionKind,
    DisbursementKind,
    DisbursementStatus,
    FundingSource,
    ObstacleCause,
    PlanKind,
    PlanLineKind,
    ProjectGroup,
    ProjectPhase,
    ProjectTier,
    Sector,
)
from tinhso.investment.models import (
    JAN_NEXT,
    Alert,
    CapitalPlan,
    Disbursement,
    Obstacle,
    PlanLine,
    ProgressSnapshot,
    Project,
    ProjectDecision,
    ProjectOwnership,
    TargetCurve,
    TotalInvestmentVersion,
)
from tinhso.investment.rules import MAX_AMOUNT, default_deadline, project_group
from tinhso.investment.summaries import refresh_plan_lines

# --- checks -------------------------------------------------------------------


def check_amount(value: Any, *, allow_zero: bool = False, allow_negative: bool = False) -> int:
    """A whole number of đồng within ±``MAX_AMOUNT``, else ``invalid_amount``."""
    if isinstance(value, bool) or value is None:
        raise errors.InvalidAmount()
    if isinstance(value, str):
        text = value.strip().replace(".", "").replace(",", "").replace(" ", "")
        negative = text.startswith("-")
        digits = text[1:] if negative else text
        if not digits.isdigit() or len(digits) > 19:
            raise errors.InvalidAmount()
        value = -int(digits) if negative else int(digits)
    elif isinstance(value, Decimal | float):
        if value != value or value in (Decimal("Infinity"), Decimal("-Infinity")):
            raise errors.InvalidAmount()
        if value != int(value):
            raise errors.InvalidAmount()
        value = int(value)
    elif not isinstance(value, int):
        raise errors.InvalidAmount()
    if abs(value) > MAX_AMOUNT:
        raise errors.InvalidAmount()
    if value == 0 and not allow_zero:
        raise errors.InvalidAmount()
    if value < 0 and not allow_negative:
        raise errors.InvalidAmount()
    return value


def check_percent(value: Any) -> Decimal:
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise errors.InvalidPercent() from None
    if not percent.is_finite() or percent < 0 or percent > 100:
        raise errors.InvalidPercent()
    return percent.quantize(Decimal("0.01"))


def _check_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise errors.InvalidProjectData(details={field: str(value)})
    return value


def _check_year(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise errors.InvalidProjectData(details={field: value})
    return value


def _check_coordinate(value, limit: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise errors.InvalidProjectData(details={field: str(value)}) from None
    if not number.is_finite() or abs(number) > limit:
        raise errors.InvalidProjectData(details={field: str(value)})
    return number.quantize(Decimal("0.000001"))


def _as_date(value) -> dt.date | None:
    """A date from a date, a datetime (a spreadsheet cell) or an ISO string; None otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _today() -> dt.date:
    return timezone.localdate()


# --- the project lock -----------------------------------------------------------


def lock_project(
    *, actor, project_id: int, model=Project, action: str = "change", expected_version=None
) -> Project:
    """The project row, locked, if ``actor`` may ``action`` on ``model`` rows of it.

    Out of scope and missing both raise NotFound; in scope without the right
    raises PermissionDenied; a different ``expected_version`` raises StaleVersion.
    """
    try:
        project = Project.objects.restrict(actor, "view").select_for_update().get(pk=project_id)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    require(actor, model, action)
    if expected_version is not None and _version(expected_version) != project.version:
        raise errors.StaleVersion(
            details={"expected_version": expected_version, "version": project.version}
        )
    return project


def _version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.InvalidProjectData(details={"expected_version": str(value)[:20]}) from None


def _bump(project: Project, *, reported: bool = False, fields: tuple[str, ...] = ()) -> None:
    now = timezone.now()
    project.version += 1
    project.updated_at = now
    update = ["version", "updated_at", *fields]
    if reported:
        project.last_reported_at = now
        update.append("last_reported_at")
    project.save(update_fields=update)


# --- projects -------------------------------------------------------------------

PROJECT_FIELDS = (
    "name",
    "tier",
    "sector",
    "phase",
    "start_year",
    "end_year",
    "latitude",
    "longitude",
    "description",
    "group_override",
    "group_override_reason",
)

TEXT_FIELDS = ("description", "group_override", "group_override_reason")


def _effective_group(sector: str, total: int, override: str, reason: str) -> str:
    if override:
        _check_choice(override, ProjectGroup, "group_override")
        if not reason.strip():
            raise errors.InvalidGroupOverride()
        return override
    return project_group(sector, total)


def _check_unit_in_scope(actor, unit) -> None:
    units = scope_unit_ids(actor)
    if units is not None and unit.pk not in units:
        raise PermissionDenied()


def project_create(
    *,
    actor,
    code: str,
    name: str,
    tier: str,
    owner,
    sector: str,
    unit,
    total_investment: int = 0,
    phase: str = ProjectPhase.PREPARATION,
    start_year: int | None = None,
    end_year: int | None = None,
    latitude=None,
    longitude=None,
    description: str = "",
    group_override: str = "",
    group_override_reason: str = "",
    owner_from: dt.date | None = None,
) -> Project:
    """A new project, its first ownership row and (when given) its total investment."""
    require(actor, Project, "add")
    _check_unit_in_scope(actor, unit)
    code = (code or "").strip()
    name = " ".join((name or "").split())
    if not code or len(code) > 32 or not name or len(name) > 500:
        raise errors.InvalidProjectData(details={"code": code, "name": name[:50]})
    _check_choice(tier, ProjectTier, "tier")
    _check_choice(sector, Sector, "sector")
    _check_choice(phase, ProjectPhase, "phase")
    total = check_amount(total_investment, allow_zero=True)
    start_year = _check_year(start_year, "start_year")
    end_year = _check_year(end_year, "end_year")
    if start_year and end_year and end_year < start_year:
        raise errors.InvalidProjectData(details={"end_year": end_year})
    group = _effective_group(sector, total, group_override, group_override_reason)
    now = timezone.now()
    with transaction.atomic():
        if Project.objects.filter(code=code).exists():
            raise errors.ProjectCodeTaken()
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    code=code,
                    name=name,
                    tier=tier,
                    owner=owner,
                    sector=sector,
                    group=group,
                    group_override=group_override,
                    group_override_reason=group_override_reason.strip() if group_override else "",
                    total_investment=total,
                    unit=unit,
                    latitude=_check_coordinate(latitude, 90, "latitude"),
                    longitude=_check_coordinate(longitude, 180, "longitude"),
                    phase=phase,
                    start_year=start_year,
                    end_year=end_year,
                    description=description,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise errors.ProjectCodeTaken() from None
        ProjectOwnership.objects.create(
            project=project, owner=owner, valid_from=owner_from or timezone.localdate(now)
        )
        if total:
            TotalInvestmentVersion.objects.create(
                project=project,
                amount=total,
                valid_from=timezone.localdate(now),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        audit_record(
            actor=actor,
            action="investment.project_create",
            obj=project,
            changes={"code": code, "owner": owner.pk, "group": group, "total_investment": total},
        )
    return project


def project_update(
    *,
    actor,
    project_id: int,
    expected_version: int | None,
    changes: dict[str, Any],
    owner=None,
    owner_decision: ProjectDecision | None = None,
    total_investment: int | None = None,
    total_decision: ProjectDecision | None = None,
    on: dt.date | None = None,
) -> Project:
    """Change a project's fields; a new owner (leaders only) or total investment keeps history.

    ``changes`` may hold any of ``PROJECT_FIELDS``. The group is derived again
    from the sector and total investment unless overridden.
    """
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise errors.InvalidProjectData(details={"fields": sorted(unknown)})
    on = on or _today()
    with transaction.atomic():
        project = lock_project(
            actor=actor, project_id=project_id, expected_version=expected_version
        )
        before = {field: getattr(project, field) for field in PROJECT_FIELDS}
        before["group"] = project.group
        values = dict(changes)
        if "name" in values:
            values["name"] = " ".join(str(values["name"] or "").split())
            if not values["name"] or len(values["name"]) > 500:
                raise errors.InvalidProjectData(details={"name": values["name"][:50]})
        for field, choices in (("tier", ProjectTier), ("sector", Sector), ("phase", ProjectPhase)):
            if field in values:
                _check_choice(values[field], choices, field)
        for field in ("start_year", "end_year"):
            if field in values:
                values[field] = _check_year(values[field], field)
        if "latitude" in values:
            values["latitude"] = _check_coordinate(values["latitude"], 90, "latitude")
        if "longitude" in values:
            values["longitude"] = _check_coordinate(values["longitude"], 180, "longitude")
        for field in TEXT_FIELDS:
            if field in values:
                values[field] = str(values[field] or "").strip()
        for field, value in values.items():
            setattr(project, field, value)
        if project.start_year and project.end_year and project.end_year < project.start_year:
            raise errors.InvalidProjectData(details={"end_year": project.end_year})
        extra: dict[str, Any] = {}
        if total_investment is not None:
            total = check_amount(total_investment, allow_zero=True)
            if total != project.total_investment:
                TotalInvestmentVersion.objects.create(
                    project=project,
                    amount=total,
                    decision=total_decision,
                    valid_from=on,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                extra["total_investment"] = [project.total_investment, total]
                project.total_investment = total
        if owner is not None and owner.pk != project.owner_id:
            require(actor, ProjectOwnership, "add")
            current = ProjectOwnership.objects.filter(project=project, valid_to__isnull=True)
            if current.filter(valid_from__gte=on).exists():
                raise errors.InvalidProjectData(details={"on": on.isoformat()})
            current.update(valid_to=on - dt.timedelta(days=1))
            ProjectOwnership.objects.create(
                project=project, owner=owner, valid_from=on, decision=owner_decision
            )
            extra["owner"] = [project.owner_id, owner.pk]
            project.owner = owner
        project.group = _effective_group(
            project.sector,
            project.total_investment,
            project.group_override,
            project.group_override_reason,
        )
        if not project.group_override:
            project.group_override_reason = ""
        project.version += 1
        project.updated_at = timezone.now()
        project.save()
        after = {field: getattr(project, field) for field in PROJECT_FIELDS}
        after["group"] = project.group
        diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        diff.update(extra)
        audit_record(actor=actor, action="investment.project_update", obj=project, changes=diff)
    return project


def decision_add(
    *,
    actor,
    project_id: int,
    kind: str,
    number: str,
    date: dt.date,
    signer: str = "",
    file=None,
    amount: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> ProjectDecision:
    """Record a decision on the project (its file stored beforehand by ``file_store``)."""
    _check_choice(kind, DecisionKind, "kind")
    number = (number or "").strip()
    if not number or len(number) > 64 or not isinstance(date, dt.date):
        raise errors.InvalidProjectData(details={"number": number})
    if amount is not None:
        amount = check_amount(amount)
    with transaction.atomic():
        project = lock_project(
            actor=actor,
            project_id=project_id,
            model=ProjectDecision,
            action="add",
            expected_version=expected_version,
        )
        decision = ProjectDecision.objects.create(
            project=project,
            kind=kind,
            number=number,
            date=date,
            signer=signer,
            file=file,
            amount=amount,
            note=note,
        )
        _bump(project)
        audit_record(
            actor=actor,
            action="investment.decision_add",
            obj=decision,
            changes={"project": project.code, "kind": kind, "number": number, "amount": amount},
        )
    return decision


# --- capital plans --------------------------------------------------------------


def capital_plan_get_or_create(
    *, actor, kind: str, year_from: int, year_to: int, unit, name: str = ""
) -> CapitalPlan:
    """The plan of ``unit`` for the period, created (and audited) on first use."""
    require(actor, CapitalPlan, "add")
    _check_unit_in_scope(actor, unit)
    _check_choice(kind, PlanKind, "kind")
    year_from = _check_year(year_from, "year_from")
    year_to = _check_year(year_to, "year_to")
    if year_from is None or year_to is None or year_to < year_from:
        raise errors.InvalidProjectData(details={"year_to": year_to})
    if kind == PlanKind.ANNUAL and year_from != year_to:
        raise errors.InvalidProjectData(details={"year_to": year_to})
    with transaction.atomic():
        plan, created = CapitalPlan.objects.get_or_create(
            unit=unit,
            kind=kind,
            year_from=year_from,
            year_to=year_to,
            defaults={"name": name or f"{PlanKind(kind).label} {year_from}"},
        )
        if created:
            audit_record(
                actor=actor,
                action="investment.capital_plan_create",
                obj=plan,
                changes={"kind": kind, "year_from": year_from, "year_to": year_to},
            )
    return plan


def plan_line_add(
    *,
    actor,
    plan: CapitalPlan,
    project_id: int,
    source: str,
    assigned_by: str,
    amount: int,
    kind: str = PlanLineKind.INITIAL,
    year: int | None = None,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    deadline: dt.date | None = None,
    extension_decision_number: str = "",
    extension_decision_date: dt.date | None = None,
    expected_version: int | None = None,
) -> PlanLine:
    """Add an amount of capital for a project to a plan.

    Annual lines take the plan's year and a deadline of 31 January of the next
    year unless an extension decision sets a later one (Law 58/2024 art. 68).
    Only an adjustment may be negative, and not below what is already disbursed.
    """
    _check_choice(source, FundingSource, "source")
    _check_choice(assigned_by, AssignedBy, "assigned_by")
    _check_choice(kind, PlanLineKind, "kind")
    amount = check_amount(amount, allow_negative=kind == PlanLineKind.ADJUSTMENT)
    if plan.kind == PlanKind.ANNUAL:
        year = plan.year_from
        deadline = deadline or default_deadline(year)
        if deadline < dt.date(year, 1, 1):
            raise errors.InvalidProjectData(details={"deadline": deadline.isoformat()})
        if deadline > default_deadline(year) and not extension_decision_number.strip():
            # A later deadline needs its extension decision.
            raise errors.InvalidProjectData(details={"extension_decision_number": ""})
    else:
        year = _check_year(year, "year")
        if year is not None and not plan.year_from <= year <= plan.year_to:
            raise errors.InvalidProjectData(details={"year": year})
        deadline = None
    with transaction.atomic():
        project = lock_project(
            actor=actor,
            project_id=project_id,
            model=PlanLine,
            action="add",
            expected_version=expected_version,
        )
        if amount < 0 and year is not None:
            planned = _sum(
                PlanLine.objects.filter(
                    project=project, year=year, source=source, plan__kind=plan.kind
                ).exclude(kind=PlanLineKind.CARRIED_OVER),
            )
            disbursed = _sum(
                Disbursement.objects.filter(
                    project=project, plan_line__year=year, plan_line__source=source
                )
                .exclude(status=DisbursementStatus.REJECTED)
                .exclude(plan_line__kind=PlanLineKind.CARRIED_OVER)
            )
            if planned + amount < disbursed:
                raise errors.PlanBelowDisbursed(
                    details={"planned": planned, "disbursed": disbursed}
                )
        line = PlanLine.objects.create(
            plan=plan,
            project=project,
            source=source,
            assigned_by=assigned_by,
            kind=kind,
            amount=amount,
            year=year,
            decision_number=decision_number,
            decision_date=decision_date,
            deadline=deadline,
            extension_decision_number=extension_decision_number,
            extension_decision_date=extension_decision_date,
        )
        _bump(project)
        audit_record(
            actor=actor,
            action="investment.plan_line_add",
            obj=line,
            changes={
                "project": project.code,
                "plan": plan.pk,
                "source": source,
                "assigned_by": assigned_by,
                "kind": kind,
                "amount": amount,
                "year": year,
                "deadline": deadline,
            },
        )
    return line


def _sum(queryset) -> int:
    return int(queryset.aggregate(total=Sum("amount"))["total"] or 0)


# --- disbursements ----------------------------------------------------------------


def disbursement_record(
    *,
    actor,
    plan_line_id: int,
    date: dt.date,
    amount: Any,
    kind: str = DisbursementKind.PAYMENT,
    treasury_reference: str = "",
    note: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Disbursement:
    """An owner reports a disbursement against one of their annual plan lines.

    Refused: an amount that is not a whole positive number of đồng (a recovery
    may be given either sign and is stored negative), beyond ``MAX_AMOUNT``; an
    unknown plan line or one of a project out of the owner's scope (both
    ``plan_line_not_found``); a medium-term line; a date before 1 January of the
    line's year, after its deadline or in the future; a cumulative amount above
    the line or above the project's plan for that year and source; a recovery
    beyond what was disbursed.
    """
    # The rules are shared with the bulk path (tinhso/investment/checks.py).
    kind = checks.disbursement_kind(kind)
    amount = checks.signed_amount(kind, amount)
    date = checks.disbursement_date(date)
    today = today or _today()
    treasury_reference = (treasury_reference or "").strip()[:64]
    require(actor, Disbursement, "add")
    with transaction.atomic():
        try:
            line = (
                PlanLine.objects.restrict(actor, "view")
                .select_related("plan")
                .get(pk=int(plan_line_id))
            )
        except (PlanLine.DoesNotExist, ValueError, TypeError):
            raise errors.PlanLineNotFound() from None
        project = lock_project(
            actor=actor,
            project_id=line.project_id,
            model=Disbursement,
            action="add",
            expected_version=expected_version,
        )
        checks.check_line_annual(line.year)
        checks.check_date(date, year=line.year, deadline=line.deadline, today=today)
        counted = Disbursement.objects.exclude(status=DisbursementStatus.REJECTED)
        on_line = _sum(counted.filter(plan_line=line))
        checks.check_line_total(amount=amount, plan=line.amount, disbursed=on_line)
        carried = checks.carried_over(line.kind)
        siblings = PlanLine.objects.filter(
            project=project, year=line.year, source=line.source, plan__kind=PlanKind.ANNUAL
        )
        siblings = (
            siblings.filter(kind=PlanLineKind.CARRIED_OVER)
            if carried
            else siblings.exclude(kind=PlanLineKind.CARRIED_OVER)
        )
        planned = _sum(siblings)
        on_project = _sum(counted.filter(plan_line__in=siblings))
        checks.check_project_total(amount=amount, plan=planned, disbursed=on_project)
        row = Disbursement.objects.create(
            plan_line=line,
            project=project,
            date=date,
            amount=amount,
            kind=kind,
            treasury_reference=treasury_reference,
            note=(note or "")[:500],
            reported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        refresh_plan_lines([line.pk])
        _bump(project, reported=True)
        audit_record(
            actor=actor,
            action="investment.disbursement_record",
            obj=row,
            changes={
                "project": project.code,
                "plan_line": line.pk,
                "date": date,
                "amount": amount,
                "kind": kind,
                "treasury_reference": treasury_reference,
            },
        )
    return row


def disbursement_confirm(
    *, actor, disbursement_id: int, confirmed: bool = True, reason: str = ""
) -> Disbursement:
    """The treasury's answer on a reported disbursement: confirmed, or rejected (then not counted)."""
    with transaction.atomic():
        try:
            row = Disbursement.objects.restrict(actor, "view").get(pk=int(disbursement_id))
        except (Disbursement.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
        project = lock_project(
            actor=actor, project_id=row.project_id, model=Disbursement, action="change"
        )
        row = Disbursement.objects.select_for_update().get(pk=row.pk)
        if row.status != DisbursementStatus.REPORTED:
            raise errors.DisbursementNotReported()
        row.status = (
            DisbursementStatus.TREASURY_CONFIRMED if confirmed else DisbursementStatus.REJECTED
        )
        row.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
        row.confirmed_at = timezone.now()
        if not confirmed and reason:
            row.note = f"{row.note} | {reason}"[:500] if row.note else reason[:500]
        row.save(update_fields=["status", "confirmed_by", "confirmed_at", "note"])
        refresh_plan_lines([row.plan_line_id])
        _bump(project)
        audit_record(
            actor=actor,
            action="investment.disbursement_confirm",
            obj=row,
            changes={"status": [DisbursementStatus.REPORTED, row.status], "reason": reason},
        )
    return row


# --- progress, obstacles ----------------------------------------------------------


def progress_snapshot_add(
    *,
    actor,
    project_id: int,
    date: dt.date,
    physical_percent: Any,
    note: str = "",
    photos=(),
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> ProgressSnapshot:
    """The owner's physical progress on a date, with photos already stored by ``file_store``."""
    percent = check_percent(physical_percent)
    today = today or _today()
    date = _as_date(date)
    if date is None or date > today:
        raise errors.InvalidProjectData(details={"date": str(date)})
    with transaction.atomic():
        project = lock_project(
            actor=actor,
            project_id=project_id,
            model=ProgressSnapshot,
            action="add",
            expected_version=expected_version,
        )
        snapshot = ProgressSnapshot.objects.create(
            project=project,
            date=date,
            physical_percent=percent,
            note=note,
            reported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if photos:
            snapshot.photos.set(photos)
        _bump(project, reported=True)
        audit_record(
            actor=actor,
            action="investment.progress_snapshot_add",
            obj=snapshot,
            changes={"project": project.code, "date": date, "physical_percent": str(percent)},
        )
    return snapshot


def obstacle_add(
    *,
    actor,
    project_id: int,
    description: str,
    cause: str,
    responsible_party: str,
    due_date: dt.date | None = None,
    expected_version: int | None = None,
) -> Obstacle:
    _check_choice(cause, ObstacleCause, "cause")
    description = (description or "").strip()
    responsible_party = (responsible_party or "").strip()
    if not description or not responsible_party or len(responsible_party) > 255:
        raise errors.InvalidProjectData(details={"description": description[:50]})
    with transaction.atomic():
        project = lock_project(
            actor=actor,
            project_id=project_id,
            model=Obstacle,
            action="add",
            expected_version=expected_version,
        )
        obstacle = Obstacle.objects.create(
            project=project,
            description=description,
            cause=cause,
            responsible_party=responsible_party,
            due_date=due_date,
            reported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _bump(project)
        audit_record(
            actor=actor,
            action="investment.obstacle_add",
            obj=obstacle,
            changes={"project": project.code, "cause": cause, "due_date": due_date},
        )
    return obstacle


def obstacle_resolve(*, actor, obstacle_id: int, resolution: str) -> Obstacle:
    resolution = (resolution or "").strip()
    if not resolution:
        raise errors.InvalidProjectData(details={"resolution": ""})
    with transaction.atomic():
        try:
            obstacle = Obstacle.objects.restrict(actor, "view").get(pk=int(obstacle_id))
        except (Obstacle.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
        project = lock_project(
            actor=actor, project_id=obstacle.project_id, model=Obstacle, action="change"
        )
        obstacle = Obstacle.objects.select_for_update().get(pk=obstacle.pk)
        if obstacle.resolved_at is not None:
            raise errors.ObstacleResolved()
        obstacle.resolution = resolution
        obstacle.resolved_at = timezone.now()
        obstacle.save(update_fields=["resolution", "resolved_at"])
        _bump(project)
        audit_record(
            actor=actor,
            action="investment.obstacle_resolve",
            obj=obstacle,
            changes={"project": project.code, "resolution": resolution[:200]},
        )
    return obstacle


# --- target curves, alerts ----------------------------------------------------------


def target_curve_set(
    *, actor, year: int, percents: list, unit=None, project_id: int | None = None
) -> list[TargetCurve]:
    """Replace the cumulative target curve of the province (``unit``) or of one project.

    ``percents`` has 13 values: the end of each month, then 31 January of the
    next year; each between 0 and 100 and never lower than the one before.
    """
    year = _check_year(year, "year")
    if year is None or len(percents) != JAN_NEXT:
        raise errors.InvalidPercent(details={"count": len(percents)})
    values = [check_percent(p) for p in percents]
    if any(b < a for a, b in itertools.pairwise(values)):
        raise errors.InvalidPercent(details={"percents": [str(v) for v in values]})
    with transaction.atomic():
        if project_id is not None:
            project = lock_project(
                actor=actor, project_id=project_id, model=TargetCurve, action="add"
            )
            scope, where = CurveScope.PROJECT, {"project": project, "unit": None}
            _bump(project)
        else:
            require(actor, TargetCurve, "add")
            if unit is None:
                raise errors.InvalidProjectData(details={"unit": None})
            _check_unit_in_scope(actor, unit)
            scope, where = CurveScope.PROVINCE, {"unit": unit, "project": None}
        TargetCurve.objects.filter(scope=scope, year=year, **where).delete()
        points = TargetCurve.objects.bulk_create(
            [
                TargetCurve(scope=scope, year=year, month=month, percent=value, **where)
                for month, value in enumerate(values, start=1)
            ]
        )
        audit_record(
            actor=actor,
            action="investment.target_curve_set",
            object_type="investment.targetcurve",
            object_id=f"{scope}:{year}",
            changes={
                "percents": [str(v) for v in values],
                **{k: getattr(v, "pk", v) for k, v in where.items()},
            },
        )
    return points


def alert_acknowledge(*, actor, alert_id: int, note: str = "") -> Alert:
    """Record that ``actor`` has seen the alert (it stays open until its condition clears).

    ``note`` (what is being done about it, 500 characters at most) is kept with
    the acknowledgement; acknowledging again only adds a note not given before.
    """
    note = (note or "").strip()[:500]
    with transaction.atomic():
        try:
            alert = (
                Alert.objects.restrict(actor, "change").select_for_update().get(pk=int(alert_id))
            )
        except (Alert.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
        if alert.acknowledged_at is None or (note and not alert.acknowledged_note):
            if alert.acknowledged_at is None:
                alert.acknowledged_by = actor
                alert.acknowledged_at = timezone.now()
            alert.acknowledged_note = note or alert.acknowledged_note
            alert.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledged_note"])
            audit_record(
                actor=actor,
                action="investment.alert_acknowledge",
                obj=alert,
                changes={"kind": alert.kind, "period": alert.period, "note": note},
            )
    return alert


def may(user, model, action: str) -> bool:
    """Whether the role of ``user`` may ``action`` on ``model`` at all (for pages and API)."""
    return role_may(user, model, action)
