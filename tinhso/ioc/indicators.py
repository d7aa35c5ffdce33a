"""Decision 766/QĐ-TTg indicators computed from the platform's dossiers.

Every formula, its source and what is not confirmed is in docs/indicators-766.md.
The measured indicators come from one aggregate query over ``Dossier``
(conditional counts), restricted to what the user may view and to the unit or
agency asked for; ``drill_down`` gives the dossiers behind any number with the
very same conditions, so a number and its list always agree.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from tinhso.core.choices import Role
from tinhso.core.exceptions import PermissionDenied, ValidationError

# Roles that read the indicators: leaders (their subtree) and agency heads (their agency).
READER_ROLES = frozenset({Role.LEADER, Role.HEAD, Role.IT_ADMIN})
# The longest period one request may ask for (a year and a bit: a year with its make-up days).
MAX_PERIOD_DAYS = 400

GROUPS: list[tuple[str, object, int]] = [
    ("publicity", _l("Công khai, minh bạch"), 18),
    ("progress", _l("Tiến độ, kết quả giải quyết"), 20),
    ("digitisation", _l("Số hóa hồ sơ"), 22),
    ("online", _l("Cung cấp dịch vụ trực tuyến"), 22),
    ("satisfaction", _l("Mức độ hài lòng"), 18),
]

# Statuses that never enter the processing indicators: the agency never had
# the dossier to process (refused at intake, withdrawn by the citizen).
_NOT_PROCESSED = ("new", "refused", "withdrawn")
# Statuses of a dossier settled with a result (a stopped dossier has none to issue).
_SETTLED = ("processed", "returned")


@dataclass(frozen=True)
class Definition:
    """One indicator: where it sits, its points, its threshold and its source."""

    code: str
    group: str
    name: object
    max_points: Decimal
    threshold: Decimal  # the rate (0-1) at and above which the points are full
    source: str
    confirmed: bool  # is the points split confirmed against the official text
    measured: bool
    why_not: object = ""


SOURCE_766 = "Quyết định 766/QĐ-TTg ngày 23/6/2022, Phụ lục"
D = Decimal

DEFINITIONS: list[Definition] = [
    Definition(
        "publicity_published",
        "publicity",
        _l("Công khai thủ tục hành chính đầy đủ, đúng hạn trên Cơ sở dữ liệu quốc gia"),
        D(9),
        D("1.0"),
        SOURCE_766,
        False,
        False,
        _l("Cần dữ liệu của Cơ sở dữ liệu quốc gia về thủ tục hành chính."),
    ),
    Definition(
        "publicity_synced",
        "publicity",
        _l("Đồng bộ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia"),
        D(9),
        D("1.0"),
        SOURCE_766,
        False,
        False,
        _l("Nền tảng chưa kết nối Cổng Dịch vụ công quốc gia."),
    ),
    Definition(
        "progress_on_time",
        "progress",
        _l("Tỷ lệ hồ sơ giải quyết đúng hạn"),
        D(20),
        D("0.8"),
        SOURCE_766,
        False,
        True,
    ),
    Definition(
        "online_services",
        "online",
        _l("Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến"),
        D(6),
        D("0.8"),
        SOURCE_766,
        False,
        True,
    ),
    Definition(
        "online_submitted",
        "online",
        _l("Tỷ lệ hồ sơ nộp trực tuyến"),
        D(10),
        D("0.5"),
        SOURCE_766,
        False,
        True,
    ),
    Definition(
        "online_paid",
        "online",
        _l("Tỷ lệ hồ sơ thanh toán trực tuyến"),
        D(6),
        D("0.8"),
        SOURCE_766,
        False,
        True,
    ),
    Definition(
        "digitisation_results",
        "digitisation",
        _l("Tỷ lệ hồ sơ cấp kết quả điện tử"),
        D(8),
        D("0.8"),
        SOURCE_766,
        False,
        True,
    ),
    Definition(
        "digitisation_dossiers",
        "digitisation",
        _l("Tỷ lệ hồ sơ được số hóa"),
        D(8),
        D("0.8"),
        SOURCE_766,
        False,
        True,
    ),
    Definition(
        "digitisation_reuse",
        "digitisation",
        _l("Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa"),
        D(6),
        D("0.8"),
        SOURCE_766,
        False,
        True,
    ),
    Definition(
        "satisfaction_feedback_on_time",
        "satisfaction",
        _l("Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn"),
        D(6),
        D("0.9"),
        SOURCE_766,
        False,
        False,
        _l("Nền tảng chưa tiếp nhận phản ánh, kiến nghị."),
    ),
    Definition(
        "satisfaction_feedback",
        "satisfaction",
        _l("Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị"),
        D(6),
        D("0.9"),
        SOURCE_766,
        False,
        False,
        _l("Nền tảng chưa tiếp nhận phản ánh, kiến nghị."),
    ),
    Definition(
        "satisfaction_procedures",
        "satisfaction",
        _l("Tỷ lệ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính"),
        D(6),
        D("0.9"),
        SOURCE_766,
        False,
        False,
        _l("Nền tảng chưa thu thập đánh giá của người dân, doanh nghiệp."),
    ),
]
BY_CODE = {d.code: d for d in DEFINITIONS}


@dataclass
class Period:
    """[start, end) in the province's time zone, from two inclusive dates."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(0), tzinfo=_tz())

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), tzinfo=_tz())


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def make_period(first: dt.date | None, last: dt.date | None, *, today: dt.date | None = None):
    """The period asked for; by default the current year up to today."""
    today = today or dt.datetime.now(_tz()).date()
    last = last or today
    first = first or dt.date(last.year, 1, 1)
    if first > last:
        raise ValidationError(
            _("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."), code="bad_period"
        )
    if (last - first).days > MAX_PERIOD_DAYS:
        raise ValidationError(
            _("Kỳ báo cáo dài tối đa %(n)d ngày.") % {"n": MAX_PERIOD_DAYS}, code="period_too_long"
        )
    return Period(first, last)


@dataclass
class Result:
    definition: Definition
    numerator: int | None = None
    denominator: int | None = None
    rate: Decimal | None = None
    points: Decimal | None = None
    note: str = ""


@dataclass
class Report:
    period: Period
    results: list[Result] = field(default_factory=list)
    apologies: int | None = None

    def groups(self) -> list[dict]:
        out = []
        for code, name, max_points in GROUPS:
            items = [r for r in self.results if r.definition.group == code]
            measured = [r for r in items if r.points is not None]
            out.append(
                {
                    "code": code,
                    "name": str(name),
                    "max_points": max_points,
                    "points": sum((r.points for r in measured), Decimal(0)),
                    "measured_max": sum((r.definition.max_points for r in measured), Decimal(0)),
                    "indicators": items,
                }
            )
        return out

    @property
    def total(self) -> Decimal:
        return sum((r.points for r in self.results if r.points is not None), Decimal(0))

    @property
    def measured_max(self) -> Decimal:
        return sum(
            (r.definition.max_points for r in self.results if r.points is not None), Decimal(0)
        )


def points_for(rate: Decimal, definition: Definition) -> Decimal:
    """Full points at or above the threshold; below it, rate × max ÷ threshold."""
    if rate >= definition.threshold:
        value = definition.max_points
    else:
        value = rate * definition.max_points / definition.threshold
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


# --- the conditions, shared by the aggregate and the drill-down -------------------------


def conditions(period: Period, *, probe: bool = False) -> dict[str, Q]:
    """Every set a number counts, as a Q over ``Dossier``.

    - ``submitted``: submitted in the period (online and digitisation rates);
    - ``handled``: had to be processed in the period: finished in it, or received
      before its end and still open at its end (Decision 766: open dossiers are
      measured at the end of the period);
    - ``with_fees``: submitted in the period and asked to pay fees through the
      platform (a payment request, whatever became of it); ``paid_online``: of
      those, with a request paid through the gateway;
    - ``on_time``: of those, finished on or before the promised moment (which
      already excludes supplement time: the clock is paused), or still open with
      the promised moment not passed at period end; either way with at most one
      supplement request (a second one counts as late);
    - ``settled``: finished in the period with a result (processed or returned);
      ``e_result``: of those, with a signed electronic result (``DossierResult``);
    - ``reuse_offered``: submitted in the period for a procedure with a component
      that may be taken from the citizen's stored papers; ``reused``: of those, with
      at least one paper linked from a stored signed result.

    ``probe``: the sets over other tables (files, payment requests) as a correlated
    EXISTS, looked up in their dossier index per dossier, instead of an IN over the
    whole table, hashed once; ``compute`` probes when the scope is small.
    """
    start, end = period.start, period.end
    submitted = Q(submitted_at__gte=start, submitted_at__lt=end)
    finished_in = Q(finished_at__gte=start, finished_at__lt=end)
    open_at_end = Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))
    handled = (
        (finished_in | open_at_end) & ~Q(status__in=_NOT_PROCESSED) & Q(received_at__isnull=False)
    )
    one_supplement = Q(supplement_count__lte=1)
    on_time_finished = finished_in & (Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at")))
    on_time_open = open_at_end & (Q(due_at__isnull=True) | Q(due_at__gte=end))
    on_time = handled & one_supplement & (on_time_finished | on_time_open)
    online = submitted & Q(channel="online")
    with_fees = submitted & _member(_with_payment_requests(paid_online=False), probe)
    settled = finished_in & Q(status__in=_SETTLED)
    reuse_offered = submitted & Q(procedure_id__in=_procedures_with_reusable_papers())
    return {
        "submitted": submitted,
        "handled": handled,
        "on_time": on_time,
        "late": handled & ~(one_supplement & (on_time_finished | on_time_open)),
        "online": online,
        "digitised": submitted & _member(_with_files(), probe),
        "with_fees": with_fees,
        # A paid request is a request: "submitted" suffices (one hash less than with_fees).
        "paid_online": submitted & _member(_with_payment_requests(paid_online=True), probe),
        "settled": settled,
        "e_result": settled & _member(_with_results(), probe),
        "reuse_offered": reuse_offered,
        "reused": reuse_offered & _member(_with_reused_papers(), probe),
    }


# Which set is each measured indicator's numerator and denominator.
PARTS = {
    "progress_on_time": ("on_time", "handled"),
    "online_submitted": ("online", "submitted"),
    "online_paid": ("paid_online", "with_fees"),
    "digitisation_dossiers": ("digitised", "submitted"),
    "digitisation_results": ("e_result", "settled"),
    "digitisation_reuse": ("reused", "reuse_offered"),
}
LATE_PART = {"progress_on_time": "late"}


def _member(dossier_ids: QuerySet, probe: bool) -> Q:
    """Dossiers whose id is in ``dossier_ids`` (a ``values("dossier_id")`` queryset)."""
    if probe:
        return Q(Exists(dossier_ids.filter(dossier_id=OuterRef("pk"))))
    return Q(pk__in=dossier_ids)


def _with_files():
    """Dossiers with a stored file: an IN over the file table (PostgreSQL hashes it once,
    where a correlated EXISTS would probe it once per dossier)."""
    from tinhso.dossiers.models import DossierFile

    return DossierFile.objects.values("dossier_id")


def _with_results():
    """Dossiers with a signed electronic result (generated or uploaded signed; docs/e-results.md)."""
    from tinhso.dossiers.models import DossierResult

    return DossierResult.objects.values("dossier_id")


def _with_reused_papers():
    """Dossiers with a paper taken from a stored result: ``papers_as_files`` links the
    result's own stored file to the new dossier (an upload is always a new stored file)."""
    from tinhso.dossiers.models import DossierFile, DossierResult

    return DossierFile.objects.filter(
        stored_file_id__in=DossierResult.objects.values("stored_file_id")
    ).values("dossier_id")


def _procedures_with_reusable_papers():
    """Procedures with at least one component the citizen may take from stored papers."""
    from tinhso.procedures.models import Component

    return Component.objects.filter(reusable=True).values("procedure_id")


def _with_payment_requests(*, paid_online: bool):
    """Dossiers asked to pay through the platform (docs/indicators-766.md, ``online_paid``)."""
    from tinhso.payments.selectors import dossier_ids_with_payment_requests

    return dossier_ids_with_payment_requests(paid_online=paid_online)


def scoped_dossiers(user, *, unit=None, organisation=None) -> QuerySet:
    """The dossiers the user may read the indicators of, narrowed to a unit or agency."""
    from tinhso.core.permissions import unit_subtree_ids
    from tinhso.dossiers.models import Dossier

    if getattr(user, "role", None) not in READER_ROLES:
        raise PermissionDenied(_("Chỉ lãnh đạo mới xem được Bộ chỉ số 766."))
    queryset = Dossier.objects.restrict(user, "view")
    if unit is not None:
        queryset = queryset.filter(unit_id__in=unit_subtree_ids([unit.pk]))
    if organisation is not None:
        queryset = queryset.filter(competent_organisation=organisation)
    return queryset


# Memory for the aggregate's hashes on PostgreSQL. An ``IN (subquery)`` inside
# ``FILTER`` (files, payment requests) is hashed once only when the hash fits in
# work_mem × hash_mem_multiplier; otherwise PostgreSQL scans the subquery again
# for every dossier: with the default 4 MB, a province-year of a million dossiers
# and 740,000 files took minutes instead of seconds (docs/performance.md).
# 256 MB (512 MB of hash with the default multiplier) hashes about 9 million ids.
AGGREGATE_WORK_MEM = "256MB"
# Below this many dossiers in scope, the sets over other tables are probed per
# dossier (an index look-up each) rather than hashed whole: a commune's 6,000
# dossiers need not hash the province's 740,000 files (docs/performance.md).
SMALL_SCOPE = 50_000


@contextmanager
def _hashed_sets():
    """The aggregate's transaction with enough work_mem to hash the sets (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('work_mem'), set_config('work_mem', %s, true)",
            [AGGREGATE_WORK_MEM],
        )
        previous = cursor.fetchone()[0]
        yield
        # Inside a longer transaction (a request's), the setting would outlive the query.
        # (On an error the savepoint's rollback restores it.)
        cursor.execute("SELECT set_config('work_mem', %s, true)", [previous])


def compute(user, period: Period, *, unit=None, organisation=None) -> Report:
    """The indicators for ``period``, over what ``user`` may see (one aggregate query)."""
    queryset = scoped_dossiers(user, unit=unit, organisation=organisation)
    sets = conditions(period)
    relevant = sets["submitted"] | sets["handled"]
    if queryset.filter(relevant).order_by()[:SMALL_SCOPE].count() < SMALL_SCOPE:
        sets = conditions(period, probe=True)
    # "late" is handled and not on time: only the drill-down lists it.
    sets.pop("late")
    with _hashed_sets():
        counts = queryset.filter(relevant).aggregate(
            **{name: Count("pk", filter=q) for name, q in sets.items()}
        )
    report = Report(period=period)
    for definition in DEFINITIONS:
        result = Result(definition=definition)
        if not definition.measured:
            result.note = str(definition.why_not)
        elif definition.code == "online_services":
            result.numerator, result.denominator = _online_services(queryset, period)
        else:
            numerator, denominator = PARTS[definition.code]
            result.numerator, result.denominator = counts[numerator], counts[denominator]
        if definition.measured:
            result.rate = _rate(result.numerator, result.denominator)
            if result.rate is not None:
                result.points = points_for(result.rate, definition)
            else:
                result.note = _("Không có hồ sơ trong kỳ.")
        report.results.append(result)
    report.apologies = _apologies(queryset, period)
    return report


def _apologies(queryset: QuerySet, period: Period) -> int:
    """Apology letters issued in the period for the dossiers in scope (docs/apologies.md)."""
    from tinhso.dossiers.models import ApologyLetter

    return ApologyLetter.objects.filter(
        issued_at__gte=period.start, issued_at__lt=period.end, dossier__in=queryset.values("pk")
    ).count()


def _online_services(queryset: QuerySet, period: Period) -> tuple[int, int]:
    """Procedures with dossiers in the period, and those of them offered online.

    The distinct procedures first (a hash aggregate over the dossiers, a few
    thousand at most), then their service levels: one plan whatever the scope.
    """
    from tinhso.procedures.models import Procedure

    used = set(
        queryset.filter(conditions(period)["submitted"])
        .order_by()
        .values_list("procedure_id", flat=True)
        .distinct()
    )
    online = Procedure.objects.filter(
        pk__in=used, service_level__in=("full_online", "partial_online")
    ).count()
    return online, len(used)


def drill_down(user, period: Period, code: str, part: str, *, unit=None, organisation=None):
    """The dossiers behind one number: ``part`` is "numerator", "denominator" or "late"."""
    from tinhso.core.exceptions import NotFound

    definition = BY_CODE.get(code)
    if definition is None or code not in PARTS:
        raise NotFound(_("Chỉ số này không có danh sách hồ sơ."))
    numerator, denominator = PARTS[code]
    names = {"numerator": numerator, "denominator": denominator}
    if code in LATE_PART:
        names["late"] = LATE_PART[code]
    if part not in names:
        raise ValidationError(_("Phần chỉ số không hợp lệ."), code="bad_part")
    queryset = scoped_dossiers(user, unit=unit, organisation=organisation)
    sets = conditions(period)
    return queryset.filter(sets[names[part]]).order_by("-submitted_at", "-id")
