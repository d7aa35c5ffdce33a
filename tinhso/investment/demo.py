"""DEMO public-investment data for ``tinhso demo`` and the bulk seeder of ``bench/``.

Everything here is demonstration content, made up with a seeded random
generator: about 1,500 projects of Hải Phòng after its merger with Hải Dương
(province tier, commune tier, and the former districts' projects kept as
``district_legacy``), located in real communes of the unit list, with plausible
names by sector, owners (the city's project boards, departments, commune
committees; the former district boards in the ownership history), decisions,
total-investment versions, medium-term (2021–2025, 2026–2030) and annual
plans by source and assigner with carried-over lines, disbursements, progress
snapshots, contracts and obstacles.

The disbursements of each annual plan follow the province's cumulative curve
(``rules.DEFAULT_CURVE``: 3, 8, 19, … 93% at the end of the months and 99.7%
at 31 January): each month the province's increment is shared among the
projects in proportion to their plan and a speed of their own, capped by what
is left of each plan line, so the province's sum lands on the curve while
single projects run far behind, ahead, or go silent for weeks. 2024 is a plain
year of payments (the history of older projects), 2025 a full year, and the
current year (2026 when the clock is there) runs to yesterday, so the pages,
which open on the current year, have figures and the alert engine finds
projects behind target, silent, with physical and financial progress apart, or
with a contract ending soon at low progress.

The board ``agencies.CIVIL_BOARD_CODE`` (the city's construction board, the
``chudautu`` account's) runs 66 projects worth 3,800 bn đồng in total.

Rows go in with ``bulk_create`` (COPY on PostgreSQL for the bulk seeder), not
through the services: one audit event records the whole load; the monthly
disbursement summary of the new plan lines is computed once after the
disbursements (``summaries.refresh_plan_lines``). Idempotent: the
demo does nothing when its first project exists. ``projects_bulk_seed`` (``tinhso
seed_investment``) makes any number of projects and disbursement rows under codes
of its own, for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.audit import audit_record
from tinhso.core.choices import OrganisationKind, Role, UnitVersion
from tinhso.core.exceptions import ValidationError
from tinhso.core.models import AdministrativeUnit, Organisation, UnitSuccession, User
from tinhso.core.pgcopy import copy_rows, copy_value, reserve_ids
from tinhso.investment.choices import (
    AssignedBy,
    BidMethod,
    DecisionKind,
    DisbursementKind,
    DisbursementStatus,
    FundingSource,
    ObstacleCause,
    PlanKind,
    PlanLineKind,
    ProjectPhase,
    ProjectTier,
    Sector,
)
from tinhso.investment.models import (
    BidPackage,
    CapitalPlan,
    Contract,
    ContractModification,
    Disbursement,
    Obstacle,
    PlanLine,
    ProgressSnapshot,
    Project,
    ProjectDecision,
    ProjectOwnership,
    TotalInvestmentVersion,
)
from tinhso.investment.rules import DEFAULT_CURVE, project_group
from tinhso.investment.summaries import refresh_plan_lines

BN = 1_000_000_000
MILLION = 1_000_000
DEMO_SEED = 2025
DEMO_PROJECTS = 1500
DEMO_FIRST_CODE = "HP.T.0001"  # the marker of a loaded demo
BOARD_PROJECTS = 66
BOARD_TOTAL = 3_800 * BN
COMMUNE_OWNER_USERNAME = "chudautu.xa"
LEGACY_BOARD_LL = 80  # demo identifiers of the former district boards: 000.RR.80.H2x
MAX_BULK_PROJECTS = 100_000
MAX_BULK_DISBURSEMENTS = 50_000_000
CURVE = [p / 100 for p in DEFAULT_CURVE]  # fractions, months 1..12 and 31 January


# --- names --------------------------------------------------------------------------

ROUTES = ("ĐT.390", "ĐT.391", "ĐT.392", "ĐT.353", "ĐT.354", "ĐT.361", "ĐT.389", "ĐT.396")
RIVERS = ("Thái Bình", "Kinh Thầy", "Lạch Tray", "Văn Úc", "Luộc", "Rạng", "Cấm", "Sặt")
CANALS = ("Bắc Hưng Hải", "Cầu Xe", "An Thổ", "Kim Sơn", "Đò Đáy", "Tam Cửu", "Hòa Bình")

NAMES: dict[str, tuple[str, ...]] = {
    Sector.TRANSPORT_OTHER: (
        "Cải tạo, nâng cấp tuyến đường {route} đoạn qua {place}",
        "Xây dựng đường trục chính {place}",
        "Cải tạo, mở rộng đường liên xã {place}",
        "Xây dựng cầu dân sinh qua sông {river}, {place}",
        "Nâng cấp hệ thống đường giao thông nông thôn {place}",
    ),
    Sector.TRANSPORT_MAJOR: (
        "Xây dựng cầu {river} nối {place} với khu vực lân cận",
        "Cải tạo, nâng cấp Quốc lộ 37 đoạn qua {place}",
        "Xây dựng tuyến đường bộ ven sông {river}",
    ),
    Sector.IRRIGATION: (
        "Nạo vét, kiên cố hóa kênh {canal} đoạn qua {place}",
        "Cải tạo, nâng cấp trạm bơm tiêu {place}",
        "Cứng hóa mặt đê tả sông {river} đoạn qua {place}",
        "Kiên cố hóa kênh mương nội đồng {place}",
        "Xử lý sạt lở bờ sông {river} khu vực {place}",
    ),
    Sector.WATER_INFRASTRUCTURE: (
        "Xây dựng hệ thống thu gom, xử lý nước thải {place}",
        "Cải tạo hệ thống thoát nước khu dân cư {place}",
        "Xây dựng điểm tập kết, trung chuyển rác thải {place}",
    ),
    Sector.HEALTH_CULTURE_EDUCATION: (
        "Xây dựng nhà lớp học 3 tầng Trường Tiểu học {place}",
        "Xây dựng Trường Mầm non {place}",
        "Cải tạo, nâng cấp Trường Trung học cơ sở {place}",
        "Cải tạo, nâng cấp Trạm Y tế {place}",
        "Xây dựng Nhà văn hóa trung tâm {place}",
        "Xây dựng nhà đa năng Trường Trung học phổ thông {place}",
        "Đầu tư trang thiết bị y tế Trung tâm Y tế khu vực {place}",
    ),
    Sector.SCIENCE_IT_BROADCASTING: (
        "Xây dựng hạ tầng chuyển đổi số {place}",
        "Nâng cấp hệ thống thông tin giải quyết thủ tục hành chính thành phố",
        "Xây dựng Trung tâm dữ liệu thành phố (giai đoạn 2)",
        "Trang bị hệ thống truyền thanh thông minh {place}",
        "Xây dựng cơ sở dữ liệu đất đai thành phố",
    ),
    Sector.CIVIL_CONSTRUCTION: (
        "Xây dựng trụ sở làm việc Đảng ủy, HĐND, UBND {place}",
        "Cải tạo trụ sở làm việc Trung tâm Phục vụ hành chính công {place}",
        "Xây dựng nhà làm việc Bộ phận một cửa {place}",
    ),
    Sector.TOURISM_SPORT: (
        "Xây dựng sân vận động trung tâm {place}",
        "Tu bổ, tôn tạo di tích đình, chùa {place}",
        "Xây dựng nhà thi đấu đa năng {place}",
    ),
    Sector.AGRICULTURE: (
        "Hạ tầng vùng sản xuất nông nghiệp tập trung {place}",
        "Xây dựng khu neo đậu tránh trú bão tàu cá {place}",
        "Hạ tầng vùng nuôi trồng thủy sản {place}",
    ),
    Sector.URBAN_INFRASTRUCTURE: (
        "Hạ tầng kỹ thuật khu dân cư mới {place}",
        "Hạ tầng kỹ thuật khu tái định cư {place}",
    ),
    Sector.DEFENCE_SECURITY: (
        "Xây dựng trụ sở Công an {place}",
        "Xây dựng trụ sở làm việc Công an {place} và nhà ở cán bộ, chiến sĩ",
        "Cải tạo, mở rộng trụ sở Công an {place}",
    ),
}

CONTRACTORS = (
    "Công ty cổ phần Xây dựng Giao thông Hải Dương",
    "Công ty TNHH Xây dựng Thành Nam",
    "Công ty cổ phần Đầu tư và Xây dựng Bạch Đằng",
    "Công ty cổ phần Xây lắp Hải Phòng",
    "Công ty TNHH Thương mại và Xây dựng Phúc Hưng",
    "Công ty cổ phần Tư vấn Thiết kế Xây dựng Đông Bắc",
    "Công ty TNHH Xây dựng Thủy lợi Kinh Môn",
    "Liên danh Công ty cổ phần Vinh Quang và Công ty TNHH Trường An",
)

OBSTACLES: tuple[tuple[str, str, str], ...] = (
    (
        ObstacleCause.LAND_CLEARANCE,
        "Còn {n} hộ dân chưa nhận tiền bồi thường, chưa bàn giao mặt bằng",
        "Ủy ban nhân dân {place}",
    ),
    (
        ObstacleCause.LAND_CLEARANCE,
        "Vướng di chuyển cột điện trung thế và đường ống cấp nước",
        "Công ty Điện lực, Công ty cấp nước",
    ),
    (
        ObstacleCause.PROCEDURES,
        "Chờ phê duyệt điều chỉnh dự án do thay đổi quy hoạch",
        "Sở Xây dựng",
    ),
    (
        ObstacleCause.MATERIALS,
        "Thiếu nguồn đất đắp nền, giá cát tăng cao",
        "Sở Nông nghiệp và Môi trường",
    ),
    (ObstacleCause.CONTRACTOR, "Nhà thầu thi công chậm, thiếu nhân lực", "Chủ đầu tư"),
    (ObstacleCause.CAPITAL, "Chưa được bố trí đủ vốn đối ứng", "Sở Tài chính"),
)


def _place(unit: AdministrativeUnit) -> str:
    return f"{unit.type} {unit.name}"


# --- what the generator builds ------------------------------------------------------


@dataclass
class _Plan:
    """The annual and medium-term plans of one unit (province or commune)."""

    annual: dict[int, CapitalPlan] = field(default_factory=dict)
    medium: dict[tuple[int, int], CapitalPlan] = field(default_factory=dict)


@dataclass
class _Owner:
    organisation: Organisation
    sectors: tuple[str, ...]
    reporter: User | None = None


@dataclass
class _Spec:
    """One project as the generator sees it before it becomes rows."""

    project: Project
    speed: float  # < 1: slower than the province, > 1: faster
    silent: bool  # no report in the last five weeks of the current year
    lines: dict[int, list[PlanLine]] = field(default_factory=dict)  # own-year lines by year
    carried: dict[int, PlanLine] = field(default_factory=dict)
    disbursed: int = 0  # everything disbursed, every year
    last_report: dt.date | None = None
    reporter: User | None = None
    initial_total: int = 0  # before the adjustment decision, when ``adjusted``
    adjusted: bool = False


@dataclass
class SeedReport:
    projects: int = 0
    disbursements: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    alerts: int = 0
    seconds: float = 0.0
    skipped: bool = False
    backend: str = ""

    @property
    def rows_per_second(self) -> float:
        total = sum(self.rows.values())
        return total / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "projects": self.projects,
            "disbursements": self.disbursements,
            "rows": self.rows,
            "alerts": self.alerts,
            "seconds": round(self.seconds, 3),
            "backend": self.backend,
        }


# --- writing rows -------------------------------------------------------------------


class _Writer:
    """Rows with ids given here, then COPY (PostgreSQL) or one ``executemany`` per table.

    The ids are taken before the rows go in (the sequence on PostgreSQL, after
    the table's largest id elsewhere, inside the caller's transaction), so the
    rows of the next table can point at them without reading anything back.
    """

    def __init__(self, use_copy: bool | None = None):
        if use_copy is None:
            use_copy = connection.vendor == "postgresql"
        self.use_copy = use_copy
        self.counts: dict[str, int] = {}

    def write(self, model, rows: list) -> None:
        if not rows:
            return
        ids = reserve_ids(model, len(rows)) if self.use_copy else _next_ids(model, len(rows))
        for row, id_ in zip(rows, ids, strict=True):
            row.pk = id_
            row._prepare_related_fields_for_save(operation_name="bulk_create")
        if self.use_copy:
            copy_rows(model, rows)
        else:
            _insert_many(model, rows)
        label = model._meta.label_lower
        self.counts[label] = self.counts.get(label, 0) + len(rows)

    def write_values(self, model, columns: tuple[str, ...], values: list[tuple]) -> None:
        """Rows already as database values, ids included, in ``columns`` order."""
        if not values:
            return
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        if self.use_copy:
            text = "".join("\t".join(copy_value(v) for v in row) + "\n" for row in values)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                copy.write(text.encode())
        else:
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                    values,
                )
        label = model._meta.label_lower
        self.counts[label] = self.counts.get(label, 0) + len(values)


def _next_ids(model, n: int) -> range | list[int]:
    if connection.vendor == "postgresql":
        # Explicit ids must come from the sequence there, or the next ordinary
        # insert (a disbursement reported after the demo) collides with them.
        return reserve_ids(model, n)
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}")  # noqa: S608
        last = cursor.fetchone()[0]
    return range(last + 1, last + 1 + n)


def _insert_many(model, rows) -> None:
    from django.db import models as m

    fields = model._meta.concrete_fields
    stamps = [isinstance(f, m.DateTimeField) for f in fields]
    if any(isinstance(f, m.JSONField) for f in fields):
        raise ValueError("no JSON columns here")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(fields))
    params = [
        [
            _utc_text(getattr(row, f.attname)) if stamp else getattr(row, f.attname)
            for f, stamp in zip(fields, stamps, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                params[start : start + 5000],
            )


# --- the generator ------------------------------------------------------------------


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """Month 1..12 of ``year``, or 13: January of the next year."""
    if month == 13:
        return dt.date(year + 1, 1, 1), dt.date(year + 1, 1, 31)
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def _round_million(value: float) -> int:
    return max(MILLION, round(value / MILLION) * MILLION)


_ZONE: list = []


def _aware(day: dt.date, hour: int) -> dt.datetime:
    if not _ZONE:
        _ZONE.append(timezone.get_default_timezone())
    return dt.datetime.combine(day, dt.time(hour), tzinfo=_ZONE[0])


def _utc_text(value: dt.datetime | None) -> str | None:
    """An aware datetime as SQLite keeps it with ``USE_TZ``: naive UTC text."""
    if value is None:
        return None
    return str((value - value.utcoffset()).replace(tzinfo=None))


class _Generator:
    def __init__(
        self,
        *,
        rng: random.Random,
        today: dt.date,
        writer: _Writer,
        province: AdministrativeUnit,
        communes: list[AdministrativeUnit],
        committees: dict[int, Organisation],
        rows_per_month: float = 1.0,
        code_prefix: str = "HP",
    ):
        self.rng = rng
        self.today = today
        self.until = today - dt.timedelta(days=1)
        self.writer = writer
        self.province = province
        self.communes = communes
        self.committees = committees
        self.rows_per_month = rows_per_month
        self.activity = 0.5  # the share of projects paying in a month
        self._workdays: dict[tuple[dt.date, dt.date], list[dt.date]] = {}
        self.code_prefix = code_prefix
        self.plans: dict[int, _Plan] = {}
        self.treasury_seq = 0
        self.decision_seq = 1000
        self.current_year = min(today.year, 2026)
        self.years = [y for y in (2024, 2025, 2026) if y <= self.current_year]

    # -- plans

    def load_plans(self, unit_ids: set[int]) -> None:
        existing = {
            (p.unit_id, p.kind, p.year_from, p.year_to): p
            for p in CapitalPlan.objects.filter(unit_id__in=unit_ids)
        }
        units = {u.pk: u for u in [self.province, *self.communes]}
        new = []
        for unit_id in unit_ids:
            unit = units[unit_id]
            plan = self.plans.setdefault(unit_id, _Plan())
            wanted = [(PlanKind.ANNUAL, y, y) for y in self.years] + [
                (PlanKind.MEDIUM_TERM, 2021, 2025),
                (PlanKind.MEDIUM_TERM, 2026, 2030),
            ]
            for kind, year_from, year_to in wanted:
                row = existing.get((unit_id, kind, year_from, year_to))
                if row is None:
                    where = "thành phố Hải Phòng" if unit_id == self.province.pk else _place(unit)
                    label = (
                        f"Kế hoạch đầu tư công năm {year_from} của {where}"
                        if kind == PlanKind.ANNUAL
                        else f"Kế hoạch đầu tư công trung hạn {year_from}–{year_to} của {where}"
                    )
                    row = CapitalPlan(
                        kind=kind,
                        year_from=year_from,
                        year_to=year_to,
                        unit_id=unit_id,
                        name=label,
                        created_at=_aware(dt.date(year_from - 1, 12, 15), 9),
                    )
                    new.append(row)
                if kind == PlanKind.ANNUAL:
                    plan.annual[year_from] = row
                else:
                    plan.medium[(year_from, year_to)] = row
        self.writer.write(CapitalPlan, new)

    def _decision_number(self, suffix: str) -> str:
        self.decision_seq += self.rng.randint(1, 40)
        return f"{self.decision_seq % 4000 + 1}/{suffix}"

    # -- projects

    def project(
        self,
        *,
        code: str,
        tier: str,
        owner: Organisation,
        sector: str,
        unit: AdministrativeUnit,
        total: int,
        place_unit: AdministrativeUnit,
    ) -> _Spec:
        rng = self.rng
        name = rng.choice(NAMES[sector]).format(
            place=_place(place_unit),
            route=rng.choice(ROUTES),
            river=rng.choice(RIVERS),
            canal=rng.choice(CANALS),
        )
        kind_roll = rng.random()
        if kind_roll < 0.12:  # finished before 2025, final payments in 2025
            start, end, phase = rng.randint(2020, 2022), 2024, ProjectPhase.COMPLETED
        elif kind_roll < 0.30:  # finishing in 2025
            start, end, phase = rng.randint(2022, 2024), 2025, ProjectPhase.COMPLETED
        elif kind_roll < 0.40:  # new: preparing in 2025, works from 2026
            start, end, phase = 2025, rng.randint(2027, 2028), ProjectPhase.PREPARATION
        else:
            start, end, phase = (
                rng.randint(2023, 2025),
                rng.randint(2026, 2028),
                ProjectPhase.IMPLEMENTATION,
            )
        if self.current_year >= 2026 and phase == ProjectPhase.PREPARATION:
            phase = ProjectPhase.IMPLEMENTATION  # prepared in 2025, works under way now
        if rng.random() < 0.02 and phase == ProjectPhase.IMPLEMENTATION:
            phase = ProjectPhase.SUSPENDED
        lat = lon = None
        if rng.random() < 0.6:
            lat = Decimal(f"{20.6 + rng.random() * 0.55:.6f}")
            lon = Decimal(f"{106.2 + rng.random() * 0.65:.6f}")
        adjusted = rng.random() < 0.12
        initial_total = _round_million(total / (1 + rng.uniform(0.05, 0.15))) if adjusted else total
        created = _aware(dt.date(start - 1, rng.randint(3, 11), rng.randint(1, 28)), 9)
        project = Project(
            code=code,
            name=name[:500],
            tier=tier,
            owner=owner,
            sector=sector,
            group=project_group(sector, total),
            total_investment=total,
            unit=unit,
            latitude=lat,
            longitude=lon,
            phase=phase,
            start_year=start,
            end_year=end,
            version=1,
            created_at=created,
            updated_at=created,
        )
        speed_roll = rng.random()
        if speed_roll < 0.08:
            speed = rng.uniform(0.05, 0.3)  # far behind
        elif speed_roll < 0.25:
            speed = rng.uniform(0.4, 0.8)
        elif speed_roll < 0.85:
            speed = rng.uniform(0.8, 1.3)
        else:
            speed = rng.uniform(1.3, 2.5)
        return _Spec(
            project=project,
            speed=speed,
            silent=rng.random() < 0.06,
            initial_total=initial_total,
            adjusted=adjusted,
        )

    def project_rows(self, specs: list[_Spec], legacy_owner: dict[str, Organisation]) -> None:
        """Decisions, ownerships and total-investment versions of ``specs`` (saved projects)."""
        rng = self.rng
        decisions, ownerships, versions = [], [], []
        for spec in specs:
            p = spec.project
            province_tier = p.tier == ProjectTier.PROVINCE
            policy_day = dt.date(p.start_year - 1, rng.randint(1, 6), rng.randint(1, 28))
            invest_day = policy_day + dt.timedelta(days=rng.randint(90, 200))
            policy = ProjectDecision(
                project=p,
                kind=DecisionKind.POLICY,
                number=self._decision_number("NQ-HĐND"),
                date=policy_day,
                signer="Chủ tịch Hội đồng nhân dân" if province_tier else "Chủ tịch HĐND xã",
            )
            invest = ProjectDecision(
                project=p,
                kind=DecisionKind.INVESTMENT,
                number=self._decision_number("QĐ-UBND"),
                date=invest_day,
                signer="Chủ tịch Ủy ban nhân dân",
                amount=spec.initial_total,
            )
            decisions += [policy, invest]
            versions.append(
                TotalInvestmentVersion(
                    project=p, amount=spec.initial_total, decision=invest, valid_from=invest_day
                )
            )
            if spec.adjusted:
                adjust_day = invest_day + dt.timedelta(days=rng.randint(200, 500))
                adjust = ProjectDecision(
                    project=p,
                    kind=DecisionKind.ADJUSTMENT,
                    number=self._decision_number("QĐ-UBND"),
                    date=adjust_day,
                    signer="Chủ tịch Ủy ban nhân dân",
                    amount=p.total_investment,
                    note="Điều chỉnh tổng mức đầu tư do biến động giá vật liệu",
                )
                decisions.append(adjust)
                versions.append(
                    TotalInvestmentVersion(
                        project=p, amount=p.total_investment, decision=adjust, valid_from=adjust_day
                    )
                )
            old = legacy_owner.get(p.code)
            if old is not None:
                ownerships.append(
                    ProjectOwnership(
                        project=p,
                        owner=old,
                        valid_from=invest_day,
                        valid_to=dt.date(2025, 6, 30),
                        decision=invest,
                    )
                )
                ownerships.append(
                    ProjectOwnership(project=p, owner=p.owner, valid_from=dt.date(2025, 7, 1))
                )
            else:
                ownerships.append(
                    ProjectOwnership(
                        project=p, owner=p.owner, valid_from=invest_day, decision=invest
                    )
                )
        self.writer.write(ProjectDecision, decisions)
        self.writer.write(ProjectOwnership, ownerships)
        self.writer.write(TotalInvestmentVersion, versions)

    # -- plan lines

    def plan_lines(self, specs: list[_Spec]) -> list[PlanLine]:
        rng = self.rng
        lines: list[PlanLine] = []
        for spec in specs:
            p = spec.project
            commune_tier = p.tier == ProjectTier.COMMUNE
            plans = self.plans[p.unit_id if commune_tier else self.province.pk]
            total = p.total_investment
            # Medium-term lines: what the five-year plans set aside for the project.
            if p.start_year <= 2025:
                lines.append(
                    self._line(
                        plans.medium[(2021, 2025)],
                        p,
                        _round_million(total * rng.uniform(0.55, 0.85)),
                        None,
                        FundingSource.COMMUNE_BUDGET
                        if commune_tier
                        else FundingSource.PROVINCIAL_BUDGET,
                        AssignedBy.COMMUNE if commune_tier else AssignedBy.PROVINCE,
                    )
                )
            if p.end_year >= 2026:
                lines.append(
                    self._line(
                        plans.medium[(2026, 2030)],
                        p,
                        _round_million(total * rng.uniform(0.3, 0.6)),
                        None,
                        FundingSource.COMMUNE_BUDGET
                        if commune_tier
                        else FundingSource.PROVINCIAL_BUDGET,
                        AssignedBy.COMMUNE if commune_tier else AssignedBy.PROVINCE,
                    )
                )
            for year in self.years:
                amount = self._annual_amount(p, year)
                if amount <= 0:
                    continue
                own = self._split_sources(plans.annual[year], p, amount, year)
                spec.lines[year] = own
                lines += own
                if year >= 2025 and p.start_year < year and rng.random() < 0.06:
                    carried = self._line(
                        plans.annual[year],
                        p,
                        _round_million(amount * rng.uniform(0.1, 0.4)),
                        year,
                        FundingSource.PROVINCIAL_BUDGET,
                        AssignedBy.PROVINCE,
                        kind=PlanLineKind.CARRIED_OVER,
                    )
                    carried.deadline = dt.date(year, 12, 31)
                    carried.extension_decision_number = self._decision_number("QĐ-UBND")
                    carried.extension_decision_date = dt.date(year, 2, rng.randint(10, 27))
                    spec.carried[year] = carried
                    lines.append(carried)
        return lines

    def _annual_amount(self, p: Project, year: int) -> int:
        rng = self.rng
        total = p.total_investment
        if year < p.start_year or year > max(p.end_year, 2025 if p.end_year == 2024 else 0):
            return 0
        if p.end_year == 2024:  # finished: the last payments
            return _round_million(total * rng.uniform(0.03, 0.1)) if year == 2025 else 0
        if year == p.start_year and p.start_year == 2025 and p.end_year >= 2027:
            return _round_million(total * rng.uniform(0.01, 0.04))  # preparation
        if year == 2024:
            years_before = year - p.start_year + 1
            return _round_million(total * min(0.6, 0.2 * years_before) * rng.uniform(0.8, 1.1))
        if year == p.end_year:
            return _round_million(total * rng.uniform(0.2, 0.35))
        return _round_million(total * rng.uniform(0.2, 0.4))

    def _split_sources(self, plan, p: Project, amount: int, year: int) -> list[PlanLine]:
        rng = self.rng
        parts: list[tuple[str, str, str, float]] = []
        if p.tier == ProjectTier.COMMUNE:
            # The city's budget allocated to the commune is part of the Prime Minister's
            # plan for the city; what the commune adds from its own revenue is not.
            share = rng.uniform(0.75, 0.9)
            parts = [
                (
                    FundingSource.TARGETED_TRANSFER,
                    AssignedBy.PRIME_MINISTER,
                    PlanLineKind.INITIAL,
                    share,
                ),
                (FundingSource.COMMUNE_BUDGET, AssignedBy.COMMUNE, PlanLineKind.INITIAL, 1 - share),
            ]
        elif p.tier == ProjectTier.DISTRICT_LEGACY:
            parts = [
                (
                    FundingSource.PROVINCIAL_BUDGET,
                    AssignedBy.PRIME_MINISTER,
                    PlanLineKind.INITIAL,
                    1,
                )
            ]
        elif p.sector in (Sector.TRANSPORT_MAJOR, Sector.TRANSPORT_OTHER, Sector.IRRIGATION) and (
            p.total_investment >= 200 * BN
        ):
            share = rng.uniform(0.3, 0.6)
            parts = [
                (
                    FundingSource.CENTRAL_BUDGET,
                    AssignedBy.PRIME_MINISTER,
                    PlanLineKind.INITIAL,
                    share,
                ),
                (
                    FundingSource.PROVINCIAL_BUDGET,
                    AssignedBy.PRIME_MINISTER,
                    PlanLineKind.INITIAL,
                    1 - share,
                ),
            ]
        elif p.sector == Sector.WATER_INFRASTRUCTURE and rng.random() < 0.3:
            parts = [
                (FundingSource.ODA, AssignedBy.PRIME_MINISTER, PlanLineKind.INITIAL, 0.7),
                (
                    FundingSource.PROVINCIAL_BUDGET,
                    AssignedBy.PRIME_MINISTER,
                    PlanLineKind.INITIAL,
                    0.3,
                ),
            ]
        else:
            parts = [
                (
                    FundingSource.PROVINCIAL_BUDGET,
                    AssignedBy.PRIME_MINISTER,
                    PlanLineKind.INITIAL,
                    1,
                )
            ]
        if p.tier != ProjectTier.COMMUNE and rng.random() < 0.15:
            # The city adds capital of its own (land revenue, savings) during the year.
            first = parts[0][3] * 0.8
            parts = [(parts[0][0], parts[0][1], parts[0][2], first), *parts[1:]]
            parts.append(
                (
                    FundingSource.PROVINCIAL_BUDGET,
                    AssignedBy.PROVINCE,
                    PlanLineKind.SUPPLEMENT,
                    0.2 * parts[0][3] / 0.8,
                )
            )
        lines = []
        remaining = amount
        for i, (source, assigned, kind, share) in enumerate(parts):
            value = remaining if i == len(parts) - 1 else _round_million(amount * share)
            value = min(value, remaining)
            if value <= 0:
                continue
            remaining -= value
            line = self._line(plan, p, value, year, source, assigned, kind=kind)
            if kind == PlanLineKind.SUPPLEMENT:
                line.decision_date = dt.date(year, rng.randint(5, 9), rng.randint(1, 28))
            lines.append(line)
        return lines

    def _line(self, plan, p, amount, year, source, assigned_by, *, kind=PlanLineKind.INITIAL):
        if assigned_by == AssignedBy.PRIME_MINISTER:
            number = self._decision_number("QĐ-TTg")
        elif assigned_by == AssignedBy.PROVINCE:
            number = self._decision_number("QĐ-UBND")
        else:
            number = self._decision_number("QĐ-UBND xã")
        day = dt.date((year or 2021) - 1, 12, self.rng.randint(5, 20))
        return PlanLine(
            plan=plan,
            project=p,
            source=source,
            assigned_by=assigned_by,
            kind=kind,
            amount=amount,
            year=year,
            decision_number=number,
            decision_date=day,
            deadline=dt.date(year + 1, 1, 31) if year else None,
            created_at=_aware(day, 10),
        )

    # -- disbursements

    def disbursements(self, specs: list[_Spec], year: int) -> list[tuple]:
        """The year's rows: the province's sum follows the curve, projects spread around it."""
        rng = self.rng
        active = [s for s in specs if s.lines.get(year)]
        remaining = {id(s): sum(line.amount for line in s.lines[year]) for s in active}
        line_left = {id(line): line.amount for s in active for line in s.lines[year]}
        plan_total = sum(remaining.values())
        rows: list[tuple] = []
        given = 0
        silence_from = self.until - dt.timedelta(days=35)
        # The province lands within about a point of each month's target (a little
        # behind more often than ahead) and on it at 31 January.
        curve, floor = [], 0.0
        for month, point in enumerate(CURVE, start=1):
            wobble = 0.0 if month == 13 else rng.uniform(-0.012, 0.008)
            floor = max(floor, float(point) + wobble)
            curve.append(floor)
        for month in range(1, 14):
            first, last = _month_bounds(year, month)
            if first > self.until:
                break
            target = curve[month - 1]
            if last > self.until:  # the month under way: the curve's share of it
                previous = curve[month - 2] if month > 1 else 0.0
                days = (last - first).days + 1
                done = (self.until - first).days + 1
                target = previous + (target - previous) * done / days
                last = self.until
            need = int(plan_total * target) - given
            if need <= 0:
                continue
            silent_now = last >= silence_from
            # Not every project pays every month; the year's end sees most of them.
            busy = self.activity if month < 12 else 0.9
            if year < 2025:
                busy = 0.25
            weights, spare = {}, {}
            for s in active:
                if remaining[id(s)] <= 0 or (silent_now and s.silent):
                    continue
                weight = s.speed * remaining[id(s)] * rng.lognormvariate(0, 0.4)
                (weights if rng.random() < busy else spare)[id(s)] = weight
            shares = _water_fill(need, weights, remaining)
            short = need - sum(shares.values())
            if short > 0 and spare:  # the busy ones are full: the others pay too
                shares.update(_water_fill(short, spare, remaining))
            by_id = {id(s): s for s in active}
            for key, amount in shares.items():
                if amount <= 0:
                    continue
                spec = by_id[key]
                remaining[key] -= amount
                given += amount
                rows += self._rows(spec, spec.lines[year], line_left, amount, first, last)
        for spec in specs:
            carried = spec.carried.get(year)
            if carried is None:
                continue
            left = int(carried.amount * rng.uniform(0.6, 1.0))
            line_left[id(carried)] = carried.amount
            for month in range(2, 13):
                first, last = _month_bounds(year, month)
                if first > self.until or left <= 0:
                    break
                amount = min(left, int(carried.amount * rng.uniform(0.05, 0.2)))
                left -= amount
                rows += self._rows(spec, [carried], line_left, amount, first, min(last, self.until))
        return rows

    def _rows(self, spec, lines, line_left, amount, first, last) -> list[tuple]:
        """``amount`` of ``spec`` between ``first`` and ``last``, shared over its lines."""
        rng = self.rng
        if self.rows_per_month <= 1:
            # One payment a month, against the line with the most left (then the next).
            shares, left = {}, amount
            for line in sorted(lines, key=lambda x: -line_left[id(x)]):
                give = min(left, line_left[id(line)])
                if give > 0:
                    shares[id(line)] = give
                    left -= give
        else:
            shares = _water_fill(
                amount,
                {id(line): max(line_left[id(line)], 0) for line in lines},
                {id(line): line_left[id(line)] for line in lines},
            )
        workdays = self._workdays.get((first, last))
        if workdays is None:
            days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
            workdays = self._workdays[(first, last)] = [d for d in days if d.weekday() < 5] or days
        out = []
        for line in lines:
            share = shares.get(id(line), 0)
            if share <= 0:
                continue
            line_left[id(line)] -= share
            count = max(1, int(self.rows_per_month) + (rng.random() < self.rows_per_month % 1))
            count = min(count, len(workdays), max(1, share // MILLION))
            cuts = sorted(rng.sample(range(1, share), count - 1)) if count > 1 else []
            amounts = [b - a for a, b in zip([0, *cuts], [*cuts, share], strict=True)]
            dates = sorted(rng.choice(workdays) for _ in amounts)
            for day, value in zip(dates, amounts, strict=True):
                first_payment = spec.disbursed == 0
                spec.disbursed += value
                spec.last_report = max(spec.last_report or day, day)
                self.treasury_seq += 1
                confirmed = day <= self.until - dt.timedelta(days=10)
                out.append(
                    (
                        line,
                        spec,
                        day,
                        value,
                        DisbursementKind.ADVANCE if first_payment else DisbursementKind.PAYMENT,
                        f"KBNN-{day:%y%m}-{self.treasury_seq:07d}",
                        confirmed,
                    )
                )
        return out

    def split(self, rows: list[tuple], target: int) -> list[tuple]:
        """More, smaller payments (same lines, months and sums) until about ``target`` rows."""
        rng = self.rng
        factor = target / max(len(rows), 1)
        if factor <= 1:
            return rows
        out = []
        for line, spec, day, value, kind, reference, confirmed in rows:
            pieces = int(factor) + (rng.random() < factor % 1)
            pieces = max(1, min(pieces, value // MILLION or 1))
            if pieces == 1:
                out.append((line, spec, day, value, kind, reference, confirmed))
                continue
            first = day.replace(day=1)
            last = min(_month_bounds(day.year, day.month)[1], self.until)
            days = self._workdays.get((first, last))
            if days is None:
                span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
                days = self._workdays[(first, last)] = [d for d in span if d.weekday() < 5] or span
            cuts = sorted(rng.sample(range(1, value), pieces - 1))
            amounts = [b - a for a, b in zip([0, *cuts], [*cuts, value], strict=True)]
            for i, amount in enumerate(amounts):
                on = day if i == 0 else rng.choice(days)
                self.treasury_seq += 1
                out.append(
                    (
                        line,
                        spec,
                        on,
                        amount,
                        kind if i == 0 else DisbursementKind.PAYMENT,
                        f"KBNN-{on:%y%m}-{self.treasury_seq:07d}",
                        on <= self.until - dt.timedelta(days=10),
                    )
                )
        return out

    # -- progress, contracts, obstacles

    def progress(self, specs: list[_Spec], ending_soon: set[int]) -> tuple[list, list, list]:
        rng = self.rng
        snapshots, packages, contracts = [], [], []
        for spec in specs:
            p = spec.project
            total = max(p.total_investment, 1)
            financial = 100 * spec.disbursed / total
            if p.phase == ProjectPhase.COMPLETED:
                physical = 100.0
            elif id(spec) in ending_soon:
                physical = rng.uniform(35, 70)
            elif rng.random() < 0.05:
                physical = min(100.0, financial + rng.uniform(25, 40))  # works ahead of payments
            else:
                physical = min(99.0, max(0.0, financial + rng.uniform(-6, 12)))
            last = spec.last_report or self.until
            reporting = p.phase in (ProjectPhase.PREPARATION, ProjectPhase.IMPLEMENTATION) and (
                self.current_year in spec.lines
            )
            if spec.silent:
                last = min(last, self.until - dt.timedelta(days=rng.randint(36, 60)))
            elif reporting:  # owners update daily: the latest report is a few days old at most
                last = max(last, self.until - dt.timedelta(days=rng.randint(0, 4)))
            points = 3
            for i in range(points, 0, -1):
                day = last - dt.timedelta(days=90 * (i - 1))
                share = physical * (points - i + 1) / points
                snapshots.append(
                    ProgressSnapshot(
                        project=p,
                        date=day,
                        physical_percent=Decimal(f"{share:.2f}"),
                        note="Báo cáo khối lượng thực hiện định kỳ",
                        reported_by=spec.reporter,
                        created_at=_aware(day, 17),
                    )
                )
            spec.last_report = max(spec.last_report or last, last)
            if spec.silent:
                spec.last_report = min(spec.last_report, self.until - dt.timedelta(days=36))
            if p.phase == ProjectPhase.PREPARATION or p.total_investment < 3 * BN:
                continue
            signed = dt.date(p.start_year, rng.randint(1, 9), rng.randint(1, 28))
            end = (
                self.today + dt.timedelta(days=rng.randint(8, 25))
                if id(spec) in ending_soon
                else dt.date(max(p.end_year, signed.year), 12, rng.randint(1, 28))
            )
            if id(spec) not in ending_soon and self.today <= end <= self.today + dt.timedelta(45):
                end = self.today + dt.timedelta(days=rng.randint(70, 160))  # extended
            works = BidPackage(
                project=p,
                name="Gói thầu thi công xây dựng công trình",
                value=_round_million(p.total_investment * 0.72),
                method=BidMethod.OPEN if p.total_investment >= 20 * BN else BidMethod.SHOPPING,
                selection_start=signed - dt.timedelta(days=60),
                duration_days=(end - signed).days,
            )
            consult = BidPackage(
                project=p,
                name="Gói thầu tư vấn giám sát thi công xây dựng",
                value=_round_million(p.total_investment * 0.02),
                method=BidMethod.DIRECT,
                selection_start=signed - dt.timedelta(days=75),
                duration_days=(end - signed).days,
            )
            packages += [works, consult]
            for package, scale in ((works, 0.97), (consult, 0.95)):
                contracts.append(
                    Contract(
                        project=p,
                        bid_package=package,
                        number=f"{rng.randint(1, 99):02d}/{signed.year}/HĐXD",
                        contractor=rng.choice(CONTRACTORS),
                        value=_round_million(package.value * scale),
                        signed_on=signed,
                        end_date=end,
                    )
                )
        return snapshots, packages, contracts

    def obstacles(self, specs: list[_Spec]) -> list[Obstacle]:
        rng = self.rng
        rows = []
        for spec in specs:
            if spec.speed >= 0.5 and rng.random() > 0.03:
                continue
            if rng.random() < 0.3:
                continue
            cause, text, party = rng.choice(OBSTACLES)
            place = (
                _place(next(u for u in self.communes if u.pk == spec.project.unit_id))
                if (spec.project.unit_id != self.province.pk)
                else "thành phố"
            )
            created = self.until - dt.timedelta(days=rng.randint(20, 200))
            resolved = rng.random() < 0.35
            rows.append(
                Obstacle(
                    project=spec.project,
                    description=text.format(n=rng.randint(3, 40), place=place),
                    cause=cause,
                    responsible_party=party.format(place=place),
                    due_date=created + dt.timedelta(days=rng.randint(30, 90)),
                    resolution="Đã bàn giao mặt bằng, nhà thầu thi công trở lại"
                    if resolved
                    else "",
                    resolved_at=_aware(created + dt.timedelta(days=45), 15) if resolved else None,
                    reported_by=spec.reporter,
                    created_at=_aware(created, 10),
                )
            )
        return rows


DISBURSEMENT_COLUMNS = (
    "id",
    "plan_line_id",
    "project_id",
    "date",
    "amount",
    "kind",
    "treasury_reference",
    "status",
    "note",
    "reported_by_id",
    "created_at",
    "confirmed_by_id",
    "confirmed_at",
)


def _disbursement_values(rows: list[tuple], writer: _Writer) -> list[tuple]:
    """Database-ready values of the generator's disbursement tuples (no model instances:
    the seeder writes hundreds of thousands)."""
    ids = (
        reserve_ids(Disbursement, len(rows))
        if writer.use_copy
        else _next_ids(Disbursement, len(rows))
    )
    stamp = (lambda v: v) if writer.use_copy else _utc_text
    out = []
    for id_, (line, spec, day, value, kind, reference, confirmed) in zip(ids, rows, strict=True):
        out.append(
            (
                id_,
                line.pk,
                spec.project.pk,
                day,
                value,
                kind,
                reference,
                DisbursementStatus.TREASURY_CONFIRMED if confirmed else DisbursementStatus.REPORTED,
                "",
                spec.reporter.pk if spec.reporter else None,
                stamp(_aware(day, 16)),
                None,
                stamp(_aware(day + dt.timedelta(days=2), 10)) if confirmed else None,
            )
        )
    return out


def _water_fill(total: int, weights: dict, caps: dict) -> dict:
    """Share ``total`` in proportion to ``weights``, none above its cap (integers).

    Water-filling in one pass: the keys that reach their cap first (smallest cap
    per weight) take their cap, the rest share what is left; rounding leftovers
    go to the roomiest keys. Keys keep ``weights``' order (deterministic).
    """
    keys = [k for k, w in weights.items() if w > 0 and caps[k] > 0]
    shares = dict.fromkeys(weights, 0)
    weight_left = sum(weights[k] for k in keys)
    left = total
    for key in sorted(keys, key=lambda k: caps[k] / weights[k]):
        if left <= 0 or weight_left <= 0:
            break
        give = min(caps[key], int(left * weights[key] / weight_left))
        shares[key] = give
        left -= give
        weight_left -= weights[key]
    if left > 0:
        for key in sorted(keys, key=lambda k: shares[k] - caps[k]):
            give = min(left, caps[key] - shares[key])
            shares[key] += give
            left -= give
            if left <= 0:
                break
    return shares


# --- who owns what ------------------------------------------------------------------

# Province-tier owners of the demo (level-2 numbers of ``agencies``), their
# sectors and how many projects each runs out of 1,500. The civil-works board
# (60) is the city's construction board with its 66 projects.
PROVINCE_OWNERS: tuple[tuple[int, tuple[str, ...], int], ...] = (
    (
        60,
        (
            Sector.HEALTH_CULTURE_EDUCATION,
            Sector.CIVIL_CONSTRUCTION,
            Sector.TOURISM_SPORT,
            Sector.SCIENCE_IT_BROADCASTING,
        ),
        BOARD_PROJECTS,
    ),
    (61, (Sector.TRANSPORT_OTHER, Sector.TRANSPORT_OTHER, Sector.TRANSPORT_MAJOR), 80),
    (62, (Sector.IRRIGATION, Sector.IRRIGATION, Sector.AGRICULTURE), 70),
    (8, (Sector.HEALTH_CULTURE_EDUCATION,), 25),
    (9, (Sector.HEALTH_CULTURE_EDUCATION,), 30),
    (10, (Sector.SCIENCE_IT_BROADCASTING,), 20),
    (6, (Sector.WATER_INFRASTRUCTURE, Sector.AGRICULTURE), 25),
    (14, (Sector.URBAN_INFRASTRUCTURE, Sector.TRANSPORT_OTHER), 15),
    (70, (Sector.DEFENCE_SECURITY,), 15),
    (11, (Sector.TOURISM_SPORT,), 14),
)
PROVINCE_SHARE = sum(n for _code, _sectors, n in PROVINCE_OWNERS) / DEMO_PROJECTS  # 360
LEGACY_SHARE = 240 / DEMO_PROJECTS
COMMUNE_SECTORS = (
    (Sector.TRANSPORT_OTHER, 30),
    (Sector.HEALTH_CULTURE_EDUCATION, 30),
    (Sector.IRRIGATION, 14),
    (Sector.CIVIL_CONSTRUCTION, 10),
    (Sector.WATER_INFRASTRUCTURE, 6),
    (Sector.TOURISM_SPORT, 5),
    (Sector.AGRICULTURE, 5),
)
MEDIAN_BN = {ProjectTier.PROVINCE: 45, ProjectTier.DISTRICT_LEGACY: 22, ProjectTier.COMMUNE: 7}


def _amount(rng: random.Random, tier: str, sector: str) -> int:
    median = MEDIAN_BN[tier] * (2.5 if sector == Sector.TRANSPORT_MAJOR else 1)
    value = median * BN * rng.lognormvariate(0, 0.8)
    cap = {ProjectTier.PROVINCE: 2_500, ProjectTier.DISTRICT_LEGACY: 200, ProjectTier.COMMUNE: 60}
    return _round_million(min(max(value, 0.8 * BN), cap[tier] * BN))


def _board_amounts(rng: random.Random, count: int, total: int) -> list[int]:
    """``count`` amounts in whole million đồng summing to exactly ``total``."""
    weights = [rng.lognormvariate(0, 0.9) for _ in range(count)]
    scale = total / MILLION / sum(weights)
    amounts = [max(1_000, int(w * scale)) * MILLION for w in weights]
    amounts[amounts.index(max(amounts))] += total - sum(amounts)
    return amounts


def _context():
    """The province, its communes, their committees and the demo accounts, or None."""
    from tinhso.core.demo import agencies

    province = AdministrativeUnit.objects.filter(
        version=UnitVersion.POST_2025, code=agencies.DEMO_PROVINCE_CODE
    ).first()
    if province is None:
        return None
    communes = list(
        AdministrativeUnit.objects.filter(version=province.version, parent=province).order_by(
            "code"
        )
    )
    committees = {
        o.unit_id: o
        for o in Organisation.objects.filter(
            kind=OrganisationKind.COMMUNE_COMMITTEE, unit__in=communes
        ).select_related("unit")
    }
    owners = {
        code: Organisation.objects.filter(
            identifier_code=agencies.identifier(agencies.DEMO_LEVEL1, code)
        ).first()
        for code, _sectors, _n in PROVINCE_OWNERS
    }
    if not communes or len(committees) < len(communes) or not all(owners.values()):
        return None
    return province, communes, committees, owners


def _legacy_boards(province) -> list[tuple[Organisation, list[int]]]:
    """The former district boards (created once) and the new communes of each district."""
    from tinhso.core.demo import agencies

    olds = list(
        AdministrativeUnit.objects.filter(
            version=UnitVersion.PRE_2025, parent__code__in=list(agencies.PROVINCE_LEVEL1)
        )
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    successors: dict[int, set[int]] = {}
    for old_parent, new_unit in UnitSuccession.objects.filter(
        old_parent__in=olds, new_unit__parent=province
    ).values_list("old_parent_id", "new_unit_id"):
        successors.setdefault(old_parent, set()).add(new_unit)
    codes = {
        unit.pk: agencies.identifier(
            agencies.PROVINCE_LEVEL1[unit.parent.code], LEGACY_BOARD_LL, rank
        )
        for rank, unit in enumerate(olds, start=1)
    }
    existing = {
        o.identifier_code: o
        for o in Organisation.objects.filter(identifier_code__in=codes.values())
    }
    out = []
    for unit in olds:
        if unit.pk not in successors:
            continue
        org = existing.get(codes[unit.pk])
        if org is None:
            org = Organisation(
                identifier_code=codes[unit.pk],
                name=f"Ban Quản lý dự án đầu tư xây dựng {unit.type} {unit.name}",
                short_name=f"BQLDA {unit.name}",
                kind=OrganisationKind.PROJECT_BOARD,
                unit=unit,
                valid_to=dt.date(2025, 6, 30),
            )
            org.save()
        out.append((org, sorted(successors[unit.pk])))
    return out


def _commune_owner(committee: Organisation) -> User:
    from tinhso.core.demo.seeder import DEMO_PASSWORD
    from tinhso.core.services.users import user_create

    user = User.objects.filter(username=COMMUNE_OWNER_USERNAME).first()
    if user is None:
        user = user_create(
            actor=None,
            username=COMMUNE_OWNER_USERNAME,
            password=DEMO_PASSWORD,
            role=Role.PROJECT_OWNER,
            organisation=committee,
            units=[committee.unit],
            full_name="Đinh Thị Thu Hà",
        )
    return user


def _generate(
    *,
    count: int,
    rng: random.Random,
    today: dt.date,
    writer: _Writer,
    context,
    code_prefix: str,
    start_number: int = 1,
    exact_board: bool,
    rows_target: int | None = None,
    reporters: dict[int, User] | None = None,
) -> SeedReport:
    """Build ``count`` projects with everything around them, write them, return the counts."""
    province, communes, committees, owners = context
    reporters = reporters or {}
    gen = _Generator(
        rng=rng,
        today=today,
        writer=writer,
        province=province,
        communes=communes,
        committees=committees,
        code_prefix=code_prefix,
    )
    by_pk = {u.pk: u for u in communes}
    legacy = _legacy_boards(province)
    scale = count / DEMO_PROJECTS
    specs: list[_Spec] = []
    legacy_owner: dict[str, Organisation] = {}
    number = iter(range(start_number, start_number + 10 * count + 10))

    def code(letter: str) -> str:
        return f"{code_prefix}.{letter}.{next(number):04d}"

    # Province tier.
    for level2, sectors, n in PROVINCE_OWNERS:
        owner = owners[level2]
        n = n if exact_board and level2 == 60 else max(1, round(n * scale))
        board_amounts = (
            _board_amounts(rng, n, BOARD_TOTAL) if exact_board and level2 == 60 else None
        )
        for i in range(n):
            sector = sectors[i % len(sectors)]
            city_wide = sector == Sector.SCIENCE_IT_BROADCASTING and rng.random() < 0.6
            unit = province if city_wide else rng.choice(communes)
            total = (
                board_amounts[i] if board_amounts else _amount(rng, ProjectTier.PROVINCE, sector)
            )
            spec = gen.project(
                code=code("T"),
                tier=ProjectTier.PROVINCE,
                owner=owner,
                sector=sector,
                unit=unit,
                total=total,
                place_unit=unit if unit != province else communes[0],
            )
            if city_wide:
                spec.project.name = spec.project.name.replace(_place(communes[0]), "thành phố")
            spec.reporter = reporters.get(owner.pk)
            specs.append(spec)
    # Former district tier: started before 1 July 2025, now owned by the commune.
    commune_sectors = [s for s, w in COMMUNE_SECTORS for _ in range(w)]
    for _i in range(max(1, round(LEGACY_SHARE * count)) if legacy else 0):
        board, unit_ids = rng.choice(legacy)
        unit = by_pk[rng.choice(unit_ids)]
        sector = rng.choice(commune_sectors)
        spec = gen.project(
            code=code("H"),
            tier=ProjectTier.DISTRICT_LEGACY,
            owner=committees[unit.pk],
            sector=sector,
            unit=unit,
            total=_amount(rng, ProjectTier.DISTRICT_LEGACY, sector),
            place_unit=unit,
        )
        p = spec.project
        p.start_year = min(p.start_year, 2024)
        if p.phase == ProjectPhase.IMPLEMENTATION and p.start_year == 2025:
            p.start_year = 2024
        legacy_owner[p.code] = board
        spec.reporter = reporters.get(p.owner_id)
        specs.append(spec)
    # Commune tier: the rest, the demo commune first so its owner has projects.
    remaining = count - len(specs)
    for i in range(max(0, remaining)):
        unit = communes[0] if i < 10 else rng.choice(communes)
        sector = rng.choice(commune_sectors)
        spec = gen.project(
            code=code("X"),
            tier=ProjectTier.COMMUNE,
            owner=committees[unit.pk],
            sector=sector,
            unit=unit,
            total=_amount(rng, ProjectTier.COMMUNE, sector),
            place_unit=unit,
        )
        spec.reporter = reporters.get(spec.project.owner_id)
        specs.append(spec)

    unit_ids = {province.pk} | {
        s.project.unit_id for s in specs if s.project.tier == ProjectTier.COMMUNE
    }
    gen.load_plans(unit_ids)
    lines = gen.plan_lines(specs)
    if rows_target:
        slots = 0
        for spec in specs:
            for year, own in spec.lines.items():
                months = 13 if year < gen.current_year else gen.until.month
                slots += len(own) * months
        gen.activity = 1.0
        gen.rows_per_month = max(1.0, rows_target / max(slots, 1))
    else:
        gen.rows_per_month = 1.0
    rows: list[tuple] = []
    for year in gen.years:
        rows += gen.disbursements(specs, year)
    for _round in range(3):  # small payments cannot be split: a second look fills the gap
        if rows_target and len(rows) < 0.98 * rows_target:
            rows = gen.split(rows, rows_target)
    active = [
        s
        for s in specs
        if s.project.phase == ProjectPhase.IMPLEMENTATION and s.project.total_investment >= 3 * BN
    ]
    ending_soon = {id(s) for s in rng.sample(active, min(len(active), max(3, count // 180)))}
    for spec in active[:2] + [s for s in active if s.reporter is not None][:2]:
        ending_soon.add(id(spec))
    snapshots, packages, contracts = gen.progress(specs, ending_soon)
    obstacles = gen.obstacles(specs)
    for spec in specs:
        if spec.last_report:
            spec.project.last_reported_at = _aware(spec.last_report, 17)
            spec.project.updated_at = spec.project.last_reported_at

    writer.write(Project, [s.project for s in specs])
    gen.project_rows(specs, legacy_owner)
    writer.write(PlanLine, lines)
    rows.sort(key=lambda r: r[2])
    for start in range(0, len(rows), 20_000):
        writer.write_values(
            Disbursement,
            DISBURSEMENT_COLUMNS,
            _disbursement_values(rows[start : start + 20_000], writer),
        )
    # The monthly summary the measures read (tinhso/investment/summaries.py).
    refresh_plan_lines([line.pk for line in lines])
    writer.write(ProgressSnapshot, snapshots)
    writer.write(BidPackage, packages)
    writer.write(Contract, contracts)
    modifications = [
        ContractModification(
            project=c.project,
            contract=c,
            date=c.end_date - dt.timedelta(days=120),
            description="Phụ lục gia hạn thời gian thực hiện hợp đồng do vướng mặt bằng",
            value_change=0,
            new_end_date=c.end_date,
        )
        for c in contracts[::17]
    ]
    writer.write(ContractModification, modifications)
    writer.write(Obstacle, obstacles)
    return SeedReport(
        projects=len(specs),
        disbursements=len(rows),
        rows=dict(writer.counts),
        backend=connection.vendor,
    )


# --- the demo -----------------------------------------------------------------------


def demo_is_loaded() -> bool:
    return Project.objects.filter(code=DEMO_FIRST_CODE).exists()


def investment_demo_seed(
    *, actor=None, today: dt.date | None = None, alerts: bool = True
) -> SeedReport:
    """The demo's projects (once): nothing is done when they exist, or without the core demo."""
    from tinhso.core.demo.agencies import CIVIL_BOARD_CODE
    from tinhso.core.demo.seeder import DEMO_COMMUNE_CODE, refuse_in_production

    refuse_in_production()
    started = time.perf_counter()
    if demo_is_loaded():
        return SeedReport(skipped=True)
    context = _context()
    if context is None:
        return SeedReport(skipped=True)
    province, communes, committees, owners = context
    communes.sort(key=lambda u: (u.code != DEMO_COMMUNE_CODE, u.code))
    today = today or timezone.localdate()
    with transaction.atomic():
        commune_owner = _commune_owner(committees[communes[0].pk])
        reporters = {commune_owner.organisation_id: commune_owner}
        board_owner = User.objects.filter(
            role=Role.PROJECT_OWNER, organisation__identifier_code=CIVIL_BOARD_CODE
        ).first()
        if board_owner is not None:
            reporters[board_owner.organisation_id] = board_owner
        report = _generate(
            count=DEMO_PROJECTS,
            rng=random.Random(DEMO_SEED),
            today=today,
            writer=_Writer(),
            context=(province, communes, committees, owners),
            code_prefix="HP",
            exact_board=True,
            reporters=reporters,
        )
        audit_record(
            actor=actor,
            action="investment.demo_seed",
            object_type="investment.project",
            object_repr="Dữ liệu trình diễn đầu tư công (demo)",
            changes={"demo": True, "today": today.isoformat(), **report.as_dict()},
        )
    if alerts:
        from tinhso.investment.alerts import alerts_evaluate

        report.alerts = alerts_evaluate(today=today, actor=actor).created
    report.seconds = time.perf_counter() - started
    return report


# --- the bulk seeder (bench/) -------------------------------------------------------

BULK_PREFIX = "BX"


def _check_int(value, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise ValidationError(
            _("Tham số %(name)s phải là số nguyên từ %(low)d đến %(high)d.")
            % {"name": name, "low": low, "high": high},
            code="invalid_arguments",
        )
    return number


def projects_bulk_seed(
    *, actor=None, projects, disbursements, seed: int = 2026, today: dt.date | None = None
) -> SeedReport:
    """``projects`` demo projects and about ``disbursements`` disbursement rows, for benchmarks.

    Codes ``BX.<tier>.<n>`` continue after the previous run's, so runs add up.
    Needs the core demo (agencies and communes: ``tinhso demo``). One audit event.
    """
    from tinhso.core.demo.seeder import refuse_in_production

    refuse_in_production()
    projects = _check_int(projects, "--projects", 1, MAX_BULK_PROJECTS)
    disbursements = _check_int(disbursements, "--disbursements", 0, MAX_BULK_DISBURSEMENTS)
    context = _context()
    if context is None:
        raise ValidationError(
            _("Cần có danh mục đơn vị hành chính và cơ quan demo trước (chạy `tinhso demo`)."),
            code="demo_missing",
        )
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        start_number = Project.objects.filter(code__startswith=f"{BULK_PREFIX}.").count() + 1
        report = _generate(
            count=projects,
            rng=random.Random(seed + start_number),
            today=today,
            writer=_Writer(),
            context=context,
            code_prefix=BULK_PREFIX,
            start_number=start_number,
            exact_board=False,
            rows_target=disbursements,
        )
        audit_record(
            actor=actor,
            action="investment.bulk_seed",
            object_type="investment.project",
            object_repr="Dữ liệu đo hiệu năng đầu tư công (demo)",
            changes={"demo": True, **report.as_dict()},
        )
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["SeedReport", "demo_is_loaded", "investment_demo_seed", "projects_bulk_seed"]
