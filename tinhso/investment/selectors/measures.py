"""The disbursement measures (docs/investment.md, "Measures", with their legal basis).

Everything is computed from a handful of grouped queries over the rows in the
user's scope, never one query per project:

- the year's plan per project (Prime-Minister-assigned and total);
- the disbursed amount per project up to a date;
- the projects' attributes (owner, unit, tier, group, start year);
- per source, the same two sums grouped by source;
- the cumulative disbursement per month for the S-curve.

Counted: annual plan lines of the year except carried-over ones (reported
apart), and disbursements that are not rejected (reported or confirmed;
``confirmed_only`` counts the treasury-confirmed ones alone), dated up to
``as_of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear

from tinhso.investment.choices import (
    AssignedBy,
    CurveScope,
    DisbursementStatus,
    PlanKind,
    PlanLineKind,
)
from tinhso.investment.models import JAN_NEXT, Disbursement, PlanLine, Project, TargetCurve
from tinhso.investment.rules import DEFAULT_CURVE, allocation_overrun_years, default_deadline

HUNDRED = Decimal(100)


def rate(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to two decimals; None when there is no plan."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def curve_month(year: int, on: dt.date) -> int:
    """The point of the year's curve that ``on`` falls in: 1..12, 13 for January of next year."""
    if on.year <= year:
        return on.month if on.year == year else 0
    return JAN_NEXT


def target_curve(year: int, *, unit=None, project=None) -> list[Decimal]:
    """The 13 cumulative targets: the project's own, else the province's, else the default."""
    rows: list[Decimal] = []
    if project is not None:
        rows = list(
            TargetCurve.objects.filter(scope=CurveScope.PROJECT, project=project, year=year)
            .order_by("month")
            .values_list("percent", flat=True)
        )
    if not rows and unit is not None:
        rows = list(
            TargetCurve.objects.filter(scope=CurveScope.PROVINCE, unit=unit, year=year)
            .order_by("month")
            .values_list("percent", flat=True)
        )
    if not rows:
        rows = list(
            TargetCurve.objects.filter(scope=CurveScope.PROVINCE, year=year)
            .order_by("unit_id", "month")
            .values_list("percent", flat=True)[:JAN_NEXT]
        )
    if len(rows) != JAN_NEXT:
        rows = list(DEFAULT_CURVE)
    return [Decimal(p).quantize(Decimal("0.01")) for p in rows]


def target_on(curve: list[Decimal], year: int, on: dt.date) -> Decimal:
    """The target in force on ``on``: the point of the month it falls in (0 before the year)."""
    month = curve_month(year, on)
    return curve[month - 1] if month else Decimal(0)


# --- the grouped queries --------------------------------------------------------------


def scoped(model, user):
    """Rows of ``model`` ``user`` may view; every row for ``user=None`` (the system's own jobs)."""
    return model.objects.all() if user is None else model.objects.restrict(user, "view")


def _lines(user, year: int, *, carried_over: bool = False):
    queryset = scoped(PlanLine, user).filter(year=year, plan__kind=PlanKind.ANNUAL)
    if carried_over:
        return queryset.filter(kind=PlanLineKind.CARRIED_OVER)
    return queryset.exclude(kind=PlanLineKind.CARRIED_OVER)


def _disbursed(
    user, year: int, as_of: dt.date, *, carried_over: bool = False, confirmed_only: bool = False
):
    queryset = scoped(Disbursement, user).filter(
        plan_line__year=year, plan_line__plan__kind=PlanKind.ANNUAL, date__lte=as_of
    )
    if confirmed_only:
        queryset = queryset.filter(status=DisbursementStatus.TREASURY_CONFIRMED)
    else:
        queryset = queryset.exclude(status=DisbursementStatus.REJECTED)
    if carried_over:
        return queryset.filter(plan_line__kind=PlanLineKind.CARRIED_OVER)
    return queryset.exclude(plan_line__kind=PlanLineKind.CARRIED_OVER)


PM_AMOUNT = Sum(
    Case(
        When(assigned_by=AssignedBy.PRIME_MINISTER, then=F("amount")),
        default=Value(0),
        output_field=IntegerField(),
    )
)


@dataclass
class Figures:
    """Plans and disbursement of one group of projects (or of the whole scope)."""

    key: object = None
    label: str = ""
    plan_pm: int = 0  # assigned by the Prime Minister
    plan: int = 0  # the province's (or commune's) own plan: every line
    disbursed: int = 0
    projects: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def rate_pm(self) -> Decimal | None:
        return rate(self.disbursed, self.plan_pm)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.disbursed, self.plan)

    def add(self, other: Figures) -> None:
        self.plan_pm += other.plan_pm
        self.plan += other.plan
        self.disbursed += other.disbursed
        self.projects += 1

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "plan_pm": self.plan_pm,
            "plan": self.plan,
            "disbursed": self.disbursed,
            "rate_pm": self.rate_pm,
            "rate": self.rate,
            "projects": self.projects,
            **self.extra,
        }


def project_figures(
    user, *, year: int, as_of: dt.date, confirmed_only: bool = False
) -> dict[int, Figures]:
    """Plan (both denominators) and disbursed per project id: two grouped queries."""
    figures: dict[int, Figures] = {}
    for row in (
        _lines(user, year).values("project_id").annotate(plan=Sum("amount"), plan_pm=PM_AMOUNT)
    ):
        figures[row["project_id"]] = Figures(
            key=row["project_id"], plan=int(row["plan"] or 0), plan_pm=int(row["plan_pm"] or 0)
        )
    for row in (
        _disbursed(user, year, as_of, confirmed_only=confirmed_only)
        .values("project_id")
        .annotate(total=Sum("amount"))
    ):
        figures.setdefault(row["project_id"], Figures(key=row["project_id"])).disbursed = int(
            row["total"] or 0
        )
    return figures


def by_source(user, *, year: int, as_of: dt.date, confirmed_only: bool = False) -> list[Figures]:
    """Plan and disbursed per funding source."""
    rows: dict[str, Figures] = {}
    for row in _lines(user, year).values("source").annotate(plan=Sum("amount"), plan_pm=PM_AMOUNT):
        rows[row["source"]] = Figures(
            key=row["source"], plan=int(row["plan"] or 0), plan_pm=int(row["plan_pm"] or 0)
        )
    for row in (
        _disbursed(user, year, as_of, confirmed_only=confirmed_only)
        .values("plan_line__source")
        .annotate(total=Sum("amount"))
    ):
        source = row["plan_line__source"]
        rows.setdefault(source, Figures(key=source)).disbursed = int(row["total"] or 0)
    from tinhso.investment.choices import FundingSource

    for source, figures in rows.items():
        figures.label = str(FundingSource(source).label)
    return sorted(rows.values(), key=lambda f: list(FundingSource.values).index(f.key))


def monthly_cumulative(user, *, year: int, confirmed_only: bool = False, project=None) -> list[int]:
    """Cumulative disbursed at the end of months 1..12 and at 31 January of the next year."""
    queryset = _disbursed(user, year, default_deadline(year), confirmed_only=confirmed_only)
    if project is not None:
        queryset = queryset.filter(project=project)
    per_month = [0] * JAN_NEXT
    for row in (
        queryset.annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("y", "m")
        .annotate(total=Sum("amount"))
    ):
        if row["y"] == year:
            per_month[row["m"] - 1] += int(row["total"] or 0)
        elif row["y"] == year + 1 and row["m"] == 1:
            per_month[JAN_NEXT - 1] += int(row["total"] or 0)
    cumulative, running = [], 0
    for amount in per_month:
        running += amount
        cumulative.append(running)
    return cumulative


# --- the overview -----------------------------------------------------------------------


@dataclass
class Overview:
    year: int
    as_of: dt.date
    total: Figures
    target: Decimal
    gap: Decimal | None  # target minus the rate against the own plan, in points
    days_to_deadline: int
    deadline: dt.date
    by_source: list[Figures]
    by_tier: list[Figures]
    by_owner: list[Figures]
    by_unit: list[Figures]
    projects: list[Figures]
    behind: Figures
    overrun: list[dict]
    carried_over: Figures
    curve: list[dict]

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "as_of": self.as_of,
            "total": self.total.as_dict(),
            "target": self.target,
            "gap": self.gap,
            "deadline": self.deadline,
            "days_to_deadline": self.days_to_deadline,
            "by_source": [f.as_dict() for f in self.by_source],
            "by_tier": [f.as_dict() for f in self.by_tier],
            "by_owner": [f.as_dict() for f in self.by_owner],
            "by_unit": [f.as_dict() for f in self.by_unit],
            "behind": self.behind.as_dict(),
            "overrun": self.overrun,
            "carried_over": self.carried_over.as_dict(),
            "curve": self.curve,
        }


def _group(figures: dict[int, Figures], attrs: dict[int, dict], key: str, label: str):
    groups: dict[object, Figures] = {}
    for project_id, fig in figures.items():
        info = attrs.get(project_id)
        if info is None:
            continue
        group = groups.setdefault(info[key], Figures(key=info[key], label=str(info[label])))
        group.add(fig)
    return sorted(groups.values(), key=lambda f: (f.rate is None, f.rate or 0, str(f.label)))


def overview(
    user,
    *,
    year: int,
    as_of: dt.date,
    unit=None,
    confirmed_only: bool = False,
) -> Overview:
    """The province (or commune) picture on ``as_of`` for the annual plan of ``year``."""
    from tinhso.investment.choices import ProjectTier

    as_of = min(as_of, default_deadline(year))
    figures = project_figures(user, year=year, as_of=as_of, confirmed_only=confirmed_only)
    attrs = {
        row["id"]: row
        for row in scoped(Project, user).values(
            "id",
            "code",
            "name",
            "tier",
            "group",
            "start_year",
            "owner_id",
            "owner__name",
            "unit_id",
            "unit__name",
        )
    }
    total = Figures(key="total")
    for fig in figures.values():
        total.add(fig)
    curve = target_curve(year, unit=unit)
    target = target_on(curve, year, as_of)
    own_rate = total.rate
    gap = (target - own_rate) if own_rate is not None else None

    behind = Figures(key="behind")
    for project_id, fig in figures.items():
        info = attrs.get(project_id)
        if info is None:
            continue
        fig.label = f"{info['code']} {info['name']}"
        if fig.plan and (fig.rate or 0) < target:
            behind.add(fig)

    by_tier = _group(figures, attrs, "tier", "tier")
    for fig in by_tier:
        fig.label = str(ProjectTier(fig.key).label)

    overrun = []
    for project_id, info in attrs.items():
        years = allocation_overrun_years(info["group"], info["start_year"], year)
        if years and figures[project_id].plan:
            overrun.append(
                {
                    "project_id": project_id,
                    "code": info["code"],
                    "group": info["group"],
                    "start_year": info["start_year"],
                    "years_over": years,
                    "plan": figures[project_id].plan,
                }
            )

    carried_plan = _lines(user, year, carried_over=True).aggregate(
        plan=Sum("amount"), plan_pm=PM_AMOUNT
    )
    carried = Figures(
        key="carried_over",
        plan=int(carried_plan["plan"] or 0),
        plan_pm=int(carried_plan["plan_pm"] or 0),
        disbursed=int(
            _disbursed(
                user, year, as_of, carried_over=True, confirmed_only=confirmed_only
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        ),
    )

    cumulative = monthly_cumulative(user, year=year, confirmed_only=confirmed_only)
    series = []
    current = curve_month(year, as_of)
    for month in range(1, JAN_NEXT + 1):
        end = dt.date(year + 1, 1, 31) if month == JAN_NEXT else _month_end(year, month)
        shown = end <= as_of or month == current
        value = cumulative[month - 1]
        series.append(
            {
                "month": month,
                "date": end,
                "target": curve[month - 1],
                "disbursed": value if shown else None,
                "rate": rate(value, total.plan) if shown else None,
                "rate_pm": rate(value, total.plan_pm) if shown else None,
            }
        )

    deadline = default_deadline(year)
    return Overview(
        year=year,
        as_of=as_of,
        total=total,
        target=target,
        gap=gap,
        deadline=deadline,
        days_to_deadline=(deadline - as_of).days,
        by_source=by_source(user, year=year, as_of=as_of, confirmed_only=confirmed_only),
        by_tier=by_tier,
        by_owner=_group(figures, attrs, "owner_id", "owner__name"),
        by_unit=_group(figures, attrs, "unit_id", "unit__name"),
        projects=sorted(figures.values(), key=lambda f: (f.rate is None, f.rate or 0)),
        behind=behind,
        overrun=overrun,
        carried_over=carried,
        curve=series,
    )


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def project_measures(user, project: Project, *, year: int, as_of: dt.date) -> dict:
    """One project's figures: both rates, target and gap, deadline, allocation overrun."""
    as_of = min(as_of, default_deadline(year))
    lines = _lines(user, year).filter(project=project)
    plan = lines.aggregate(plan=Sum("amount"), plan_pm=PM_AMOUNT)
    disbursed = (
        _disbursed(user, year, as_of)
        .filter(project=project)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )
    fig = Figures(
        key=project.pk,
        label=str(project),
        plan=int(plan["plan"] or 0),
        plan_pm=int(plan["plan_pm"] or 0),
        disbursed=int(disbursed),
    )
    curve = target_curve(year, unit=None, project=project)
    target = target_on(curve, year, as_of)
    deadlines = [d for d in lines.values_list("deadline", flat=True) if d]
    deadline = max(deadlines) if deadlines else default_deadline(year)
    return {
        **fig.as_dict(),
        "target": target,
        "gap": (target - fig.rate) if fig.rate is not None else None,
        "deadline": deadline,
        "days_to_deadline": (deadline - as_of).days,
        "allocation_years_over": allocation_overrun_years(project.group, project.start_year, year),
    }
