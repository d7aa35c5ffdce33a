"""The disbursement measures (docs/investment.md, "Measures", with their legal basis).

Everything is computed from a few reads of the rows in the user's scope, never
one query per project (``book``): the year's plan lines (a few thousand rows),
then their disbursement from the monthly summary (``DisbursementMonth``, one
grouped read for whole months) and, when the day asked falls inside a month,
that month's disbursements up to the day. Per project, source, owner, unit and
tier, the carried-over capital and the S-curve are summed from these in memory,
with the projects' attributes read once more.

Counted: annual plan lines of the year except carried-over ones (reported
apart), and disbursements that are not rejected (reported or confirmed;
``confirmed_only`` counts the treasury-confirmed ones alone), dated up to
``as_of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Cast

from tinhso.investment.choices import (
    AssignedBy,
    CurveScope,
    DisbursementStatus,
    PlanKind,
    PlanLineKind,
)
from tinhso.investment.models import (
    JAN_NEXT,
    Disbursement,
    DisbursementMonth,
    PlanLine,
    Project,
    TargetCurve,
)
from tinhso.investment.rules import DEFAULT_CURVE, allocation_overrun_years, default_deadline

HUNDRED = Decimal(100)


@lru_cache(maxsize=16_384)
def rate(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to two decimals; None when there is no plan.

    Cached: pages and sorts ask for the same figures' rates many times.
    """
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


@dataclass(frozen=True)
class Narrow:
    """Filters of the overview page: projects of a tier, owner or unit, lines of a source."""

    tier: str = ""
    owner_id: int | None = None
    unit_id: int | None = None
    source: str = ""

    def projects(self, queryset, prefix: str = ""):
        lookups = {"tier": self.tier, "owner_id": self.owner_id, "unit_id": self.unit_id}
        wanted = {f"{prefix}{k}": v for k, v in lookups.items() if v}
        return queryset.filter(**wanted) if wanted else queryset

    def lines(self, queryset, prefix: str = ""):
        queryset = self.projects(queryset, "project__")
        return queryset.filter(**{f"{prefix}source": self.source}) if self.source else queryset


NO_NARROW = Narrow()


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


@dataclass
class Book:
    """The year's plan lines in scope and their disbursement, read in two or three queries.

    ``lines`` maps a line id to its project, source, assigner, kind, amount and deadline;
    ``upto`` the amount disbursed on it up to ``as_of``; ``cumulative`` the
    amount disbursed on it by the end of each month of the year and by 31
    January of the next (13 values). Every other figure is summed from these in
    memory.
    """

    lines: dict[int, dict]
    upto: dict[int, int]
    cumulative: dict[int, list[int]]

    def own(self, *, carried_over: bool = False):
        """The lines of the year's own plan (or, with ``carried_over``, the carried-over ones)."""
        for line_id, line in self.lines.items():
            if (line["kind"] == PlanLineKind.CARRIED_OVER) == carried_over:
                yield line_id, line


def month_ends(year: int) -> list[dt.date]:
    """The 13 points of a year's curve: each month's last day, then 31 January of the next year."""
    return [_month_end(year, month) for month in range(1, 13)] + [default_deadline(year)]


def _sum_if(condition: Q, column: str = "amount") -> Cast:
    # Cast: PostgreSQL's sum of a bigint is a numeric (a Decimal per value in
    # Python); the sums stay far within 64 bits (docs/investment.md).
    return Cast(
        Sum(
            Case(
                When(condition, then=F(column)),
                default=Value(0),
                output_field=BigIntegerField(),
            )
        ),
        BigIntegerField(),
    )


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def book(
    user,
    *,
    year: int,
    as_of: dt.date,
    confirmed_only: bool = False,
    narrow: Narrow = NO_NARROW,
    project=None,
) -> Book:
    """Read the plan lines of ``year`` in scope, then their disbursement from the monthly summary.

    Whole months come from ``DisbursementMonth`` (one row per line and month,
    kept exact by the write paths: ``summaries.py``) with conditional sums (up
    to each month of the curve, and up to ``as_of``'s month when that is not one
    of them): on PostgreSQL in the same query as the lines (a lateral join, so
    the scope is read once), elsewhere in a second grouped read. When ``as_of``
    is not the last day of its month, the days of that month up to ``as_of``
    are read from the disbursements themselves (one grouped read over at most a
    month of rows, by the date index).
    """
    lines_qs = narrow.lines(scoped(PlanLine, user).filter(year=year, plan__kind=PlanKind.ANNUAL))
    if project is not None:
        lines_qs = lines_qs.filter(project=project)
    ends = month_ends(year)
    # The months wholly up to as_of: to its month's end when as_of is that day.
    whole_to = as_of + dt.timedelta(days=1)
    partial = whole_to.day != 1
    whole_before = month_start(as_of) if partial else whole_to
    # What is disbursed before as_of's month (or to its end) is one of the curve's
    # points whenever as_of falls within the plan's period: no sum of its own.
    upto_index = next(
        (index for index, day in enumerate(ends) if day == whole_before - dt.timedelta(days=1)),
        None,
    )
    bounds = [(day, False) for day in ends]  # (date, strictly before)
    if upto_index is None:
        bounds.append((whole_before, True))
    column = "confirmed_amount" if confirmed_only else "amount"
    values = lines_qs.values(*LINE_FIELDS).order_by()
    if connection.vendor == "postgresql":
        lines, sums = _lines_and_sums_joined(values, bounds, column)
    else:
        lines, sums = _lines_and_sums(values, lines_qs, bounds, column)
    upto: dict[int, int] = {}
    cumulative: dict[int, list[int]] = {}
    for line_id, row in sums.items():
        cumulative[line_id] = row[:JAN_NEXT]
        upto[line_id] = row[upto_index] if upto_index is not None else row[-1]
    if not lines:
        return Book(lines, upto, cumulative)
    if partial:
        days = Disbursement.objects.filter(
            plan_line_id__in=lines_qs.values("id"), date__gte=month_start(as_of), date__lte=as_of
        )
        if confirmed_only:
            days = days.filter(status=DisbursementStatus.TREASURY_CONFIRMED)
        else:
            days = days.exclude(status=DisbursementStatus.REJECTED)
        for line_id, total in _rows(
            days.values("plan_line_id").annotate(total=Sum("amount")).order_by()
        ):
            upto[line_id] = upto.get(line_id, 0) + int(total or 0)
    return Book(lines, upto, cumulative)


LINE_FIELDS = ("id", "project_id", "source", "assigned_by", "kind", "amount", "deadline")


def _lines_and_sums(values, lines_qs, bounds, column) -> tuple[dict, dict]:
    """The lines, then their summary sums up to each bound in one grouped read."""
    lines = {row["id"]: row for row in values}
    if not lines:
        return lines, {}
    sums = {
        f"s{index}": _sum_if(Q(month__lt=day) if before else Q(month__lte=day), column)
        for index, (day, before) in enumerate(bounds)
    }
    months = DisbursementMonth.objects.filter(plan_line_id__in=lines_qs.values("id"))
    rows = _rows(months.values("plan_line_id").annotate(**sums).order_by())
    return lines, {row[0]: [int(value or 0) for value in row[1:]] for row in rows}


def _lines_and_sums_joined(values, bounds, column) -> tuple[dict, dict]:
    """PostgreSQL: the lines and their summary sums in one query (a lateral join).

    The scope's conditions are written, planned and run once, and each line's
    summary rows are read by the (plan line, month) key instead of hashing the
    whole table against the lines in scope.
    """
    quote = connection.ops.quote_name
    sql, params = values.query.sql_with_params()
    amount = f"s.{quote(column)}"
    sums = ", ".join(
        f"CAST(SUM(CASE WHEN s.{quote('month')} {'<' if before else '<='} %s "
        f"THEN {amount} ELSE 0 END) AS bigint)"
        for _day, before in bounds
    )
    names = ", ".join(f"l.{quote(name)}" for name in LINE_FIELDS)
    table = quote(DisbursementMonth._meta.db_table)
    query = (
        f"SELECT {names}, agg.* FROM ({sql}) l LEFT JOIN LATERAL "  # noqa: S608
        f"(SELECT {sums} FROM {table} s WHERE s.{quote('plan_line_id')} = l.{quote('id')}) agg "
        "ON TRUE"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *(day for day, _before in bounds)])
        rows = cursor.fetchall()
    width = len(LINE_FIELDS)
    lines = {row[0]: dict(zip(LINE_FIELDS, row[:width], strict=True)) for row in rows}
    return lines, {row[0]: [int(value or 0) for value in row[width:]] for row in rows}


def _rows(queryset) -> list[tuple]:
    """The rows of a ``values().annotate()`` query as plain tuples, in its column order.

    Read with a cursor: the thousands of rows of ``book`` skip the ORM's
    per-value converters and dictionaries (the sums are cast to integers in SQL).
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def disbursed_by_project(*, until: dt.date) -> dict[int, int]:
    """Everything disbursed per project id (every plan line, not rejected) up to ``until``.

    For the system's jobs (no scope): whole months from the summary, the days of
    ``until``'s month from the disbursements when it is not the month's last.
    """
    whole_to = until + dt.timedelta(days=1)
    partial = whole_to.day != 1
    totals: dict[int, int] = {}
    months = DisbursementMonth.objects.filter(month__lt=month_start(until) if partial else whole_to)
    rows = list(months.values("project_id").annotate(total=Sum("amount")).order_by())
    if partial:
        rows += list(
            Disbursement.objects.filter(date__gte=month_start(until), date__lte=until)
            .exclude(status=DisbursementStatus.REJECTED)
            .values("project_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
    for row in rows:
        totals[row["project_id"]] = totals.get(row["project_id"], 0) + int(row["total"] or 0)
    return totals


def _line_figures(figures: Figures, line_id: int, line: dict, books: Book) -> None:
    figures.plan += line["amount"]
    if line["assigned_by"] == AssignedBy.PRIME_MINISTER:
        figures.plan_pm += line["amount"]
    figures.disbursed += books.upto.get(line_id, 0)


def project_figures(
    user,
    *,
    year: int,
    as_of: dt.date,
    confirmed_only: bool = False,
    narrow: Narrow = NO_NARROW,
    books: Book | None = None,
) -> dict[int, Figures]:
    """Plan (both denominators) and disbursed per project id (from one ``book``)."""
    if books is None:
        books = book(user, year=year, as_of=as_of, confirmed_only=confirmed_only, narrow=narrow)
    figures: dict[int, Figures] = {}
    for line_id, line in books.own():
        project_id = line["project_id"]
        fig = figures.get(project_id)
        if fig is None:
            fig = figures[project_id] = Figures(key=project_id)
        _line_figures(fig, line_id, line, books)
    return figures


def by_source(
    user,
    *,
    year: int,
    as_of: dt.date,
    confirmed_only: bool = False,
    narrow: Narrow = NO_NARROW,
    books: Book | None = None,
) -> list[Figures]:
    """Plan and disbursed per funding source."""
    from tinhso.investment.choices import FundingSource

    if books is None:
        books = book(user, year=year, as_of=as_of, confirmed_only=confirmed_only, narrow=narrow)
    rows: dict[str, Figures] = {}
    for line_id, line in books.own():
        source = line["source"]
        fig = rows.get(source)
        if fig is None:
            fig = rows[source] = Figures(key=source, label=str(FundingSource(source).label))
        _line_figures(fig, line_id, line, books)
    return sorted(rows.values(), key=lambda f: list(FundingSource.values).index(f.key))


def monthly_cumulative(
    user,
    *,
    year: int,
    confirmed_only: bool = False,
    project=None,
    narrow: Narrow = NO_NARROW,
    books: Book | None = None,
) -> list[int]:
    """Cumulative disbursed at the end of months 1..12 and at 31 January of the next year."""
    if books is None:
        books = book(
            user,
            year=year,
            as_of=default_deadline(year),
            confirmed_only=confirmed_only,
            narrow=narrow,
            project=project,
        )
    cumulative = [0] * JAN_NEXT
    for line_id, _line in books.own():
        for index, amount in enumerate(books.cumulative.get(line_id, ())):
            cumulative[index] += amount
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
    narrow: Narrow = NO_NARROW,
) -> Overview:
    """The province (or commune) picture on ``as_of`` for the annual plan of ``year``.

    ``narrow`` keeps the projects of one tier, owner or unit and the lines of one
    source (the overview page's filters); the target curve stays the province's.
    """
    from tinhso.investment.choices import ProjectTier

    as_of = min(as_of, default_deadline(year))
    books = book(user, year=year, as_of=as_of, confirmed_only=confirmed_only, narrow=narrow)
    figures = project_figures(user, year=year, as_of=as_of, books=books)
    attrs = {
        row["id"]: row
        for row in narrow.projects(scoped(Project, user)).values(
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
        if years and project_id in figures and figures[project_id].plan:
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

    carried = Figures(key="carried_over")
    for line_id, line in books.own(carried_over=True):
        _line_figures(carried, line_id, line, books)

    cumulative = monthly_cumulative(user, year=year, books=books)
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
        by_source=by_source(user, year=year, as_of=as_of, books=books),
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
    books = book(user, year=year, as_of=as_of, project=project)
    fig = Figures(key=project.pk, label=str(project))
    deadlines = []
    for line_id, line in books.own():
        _line_figures(fig, line_id, line, books)
        if line["deadline"]:
            deadlines.append(line["deadline"])
    curve = target_curve(year, unit=None, project=project)
    target = target_on(curve, year, as_of)
    deadline = max(deadlines) if deadlines else default_deadline(year)
    return {
        **fig.as_dict(),
        "target": target,
        "gap": (target - fig.rate) if fig.rate is not None else None,
        "deadline": deadline,
        "days_to_deadline": (deadline - as_of).days,
        "allocation_years_over": allocation_overrun_years(project.group, project.start_year, year),
    }
