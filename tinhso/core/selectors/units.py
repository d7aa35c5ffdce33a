"""Reads of the administrative units: look-up as of a date, search, succession, tree.

Units are public reference data, so no user is needed; where one is at hand,
pass it and the read starts from ``restrict(user, "view")`` like every other.
A code alone is ambiguous (30307 was Phường Mỹ Hòa until 30 June 2025 and is
Phường Long Xuyên since 1 July 2025): look-ups take a date and use the version
in force on it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.choices import MergeKind, UnitLevel
from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.models import AdministrativeUnit, UnitSuccession
from tinhso.core.models.units import PRE_REFORM_LAST_DAY, REFORM_DATE  # noqa: F401 (re-exported)
from tinhso.core.text import fold

SEARCH_LIMIT_MAX = 100
# Columns a look-up returns; ``only()`` keeps the row narrow on the hot path.
UNIT_COLUMNS = (
    "id",
    "version",
    "code",
    "name",
    "full_name",
    "level",
    "type",
    "parent_id",
    "valid_from",
    "valid_to",
)


def _columns(prefix: str = "", *, with_parent: bool = True) -> list[str]:
    """``only()`` arguments for a unit (and its parent) reached through ``prefix``."""
    columns = [f"{prefix}{c}" for c in UNIT_COLUMNS]
    if with_parent:
        columns += [f"{prefix}parent__{c}" for c in UNIT_COLUMNS]
    return columns


_LEVEL_RANK = Case(
    When(level=UnitLevel.PROVINCE, then=Value(0)),
    When(level=UnitLevel.DISTRICT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


class UnitNotFound(NotFound):
    code = "unit_not_found"


class InvalidDate(ValidationError):
    code = "invalid_date"


@dataclass
class Succession:
    """One old→new link: ``unit`` is the other side, ``merge`` full or partial.

    ``via`` lists the old commune codes behind the link when it is an aggregate
    (an old district or province) and ``label``/``old_parent`` describe an old
    side that is not a commune (the island districts, the Kim Sơn alluvial area).
    """

    unit: AdministrativeUnit | None
    merge: str
    label: str = ""
    old_parent: AdministrativeUnit | None = None
    via: list[str] = field(default_factory=list)


def parse_date(value: str | dt.date | None, *, default: dt.date | None = None) -> dt.date | None:
    """``YYYY-MM-DD`` to a date; InvalidDate (400) for anything else, like 2025-02-30."""
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(
            _("Ngày không hợp lệ: “%(value)s”. Dùng định dạng YYYY-MM-DD với ngày có thật.")
            % {"value": text[:40]}
        ) from None


def _today() -> dt.date:
    return timezone.localdate()


def _units(user=None) -> QuerySet:
    manager = AdministrativeUnit.objects
    return manager.restrict(user, "view") if user is not None else manager.all()


def in_force(on: dt.date) -> Q:
    """Units valid on ``on``: open bounds mean "as far as the data goes"."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def _in_force_on(unit: AdministrativeUnit, day: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_to is None or day <= unit.valid_to
    )


def _check_level(level: str | None) -> str | None:
    if level in (None, ""):
        return None
    if level not in UnitLevel.values:
        raise ValidationError(
            _("Cấp đơn vị không hợp lệ: “%(level)s”. Chọn một trong: %(choices)s.")
            % {"level": str(level)[:40], "choices": ", ".join(UnitLevel.values)},
            code="invalid_level",
        )
    return level


def unit_get(code: str, on: dt.date | str | None = None, *, user=None) -> AdministrativeUnit:
    """The unit with ``code`` in force on ``on`` (default today); UnitNotFound otherwise."""
    day = parse_date(on, default=_today())
    code = (code or "").strip()
    unit = None
    if code.isdigit() and len(code) <= 5:
        # A code has at most one row per version: fetch them all (no ORDER BY,
        # no date predicate to compile) and keep the one in force on the day.
        candidates = (
            _units(user).filter(code=code).select_related("parent").only(*_columns()).order_by()
        )
        unit = next((u for u in candidates if _in_force_on(u, day)), None)
    if unit is None:
        raise UnitNotFound(
            _("Không tìm thấy đơn vị hành chính có mã %(code)s vào ngày %(day)s.")
            % {"code": code[:20], "day": day.strftime("%d/%m/%Y")}
        )
    return unit


def unit_search(
    text: str,
    on: dt.date | str | None = None,
    level: str | None = None,
    province: str | None = None,
    limit: int = 20,
    *,
    user=None,
) -> list[AdministrativeUnit]:
    """Units whose name contains ``text``, ignoring diacritics and case.

    Ranking: exact name, then names starting with the text (with or without the
    type word: "thanh dong" and "phuong thanh dong" both start "Phường Thành
    Đông"), then a word starting with it, then any substring; then provinces
    before districts before communes, current version first, by name. With
    ``on`` only the units in force that day; without it both versions.
    ``province`` is a province code, read in the version(s) searched.
    """
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise ValidationError(
            _("Số kết quả tối đa phải từ 1 đến %(max)d.") % {"max": SEARCH_LIMIT_MAX},
            code="invalid_limit",
        )
    level = _check_level(level)
    day = parse_date(on)
    key = fold(text)
    if not key:
        return []
    queryset = _units(user).filter(search_key__contains=key)
    if day is not None:
        queryset = queryset.filter(in_force(day))
    if level:
        queryset = queryset.filter(level=level)
    if province:
        province = str(province).strip()
        queryset = queryset.filter(
            Q(level=UnitLevel.PROVINCE, code=province)
            | Q(parent__level=UnitLevel.PROVINCE, parent__code=province)
            | Q(parent__parent__level=UnitLevel.PROVINCE, parent__parent__code=province)
        )
    # Ranked on the folded name (without the type word) and the folded full name.
    rank = Case(
        When(Q(name_key=key) | Q(search_key=key), then=Value(0)),
        When(Q(name_key__startswith=key) | Q(search_key__startswith=key), then=Value(1)),
        When(search_key__contains=f" {key}", then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return list(
        queryset.annotate(rank=rank, level_rank=_LEVEL_RANK)
        .select_related("parent")
        .only(*_columns())
        .order_by("rank", "level_rank", "-version", "name_key", "code")[:limit]
    )


def unit_ancestors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units above ``unit`` in its version, province first (at most two, one query)."""
    if unit.parent_id is None:
        return []
    parent = (
        AdministrativeUnit.objects.select_related("parent").only(*_columns()).get(pk=unit.parent_id)
    )
    return [parent.parent, parent] if parent.parent_id is not None else [parent]


def _descendants_q(unit: AdministrativeUnit) -> Q:
    # Versions have at most three levels, so two hops reach every descendant.
    return Q(parent_id=unit.pk) | Q(parent__parent_id=unit.pk)


def unit_descendants(
    unit: AdministrativeUnit, level: str | None = None, *, user=None
) -> list[AdministrativeUnit]:
    """Units below ``unit`` in its own version, parents before children, by code."""
    level = _check_level(level)
    queryset = _units(user).filter(_descendants_q(unit))
    if level:
        queryset = queryset.filter(level=level)
    return list(
        queryset.annotate(level_rank=_LEVEL_RANK)
        .select_related("parent")
        .only(*_columns())
        .order_by("level_rank", "code")
    )


def unit_descendant_ids(unit: AdministrativeUnit | int, *, include_self: bool = False) -> set[int]:
    """Ids of the units below ``unit`` (one query), e.g. for a leader's scope."""
    pk = unit if isinstance(unit, int) else unit.pk
    ids = set(
        AdministrativeUnit.objects.filter(Q(parent_id=pk) | Q(parent__parent_id=pk)).values_list(
            "id", flat=True
        )
    )
    if include_self:
        ids.add(pk)
    return ids


def unit_successors(unit: AdministrativeUnit) -> list[Succession]:
    """The new units an old unit became.

    For an old commune, the rows of the conversion table. For an old district or
    province, the table aggregated over its communes (and over the rows that name
    the district itself, like the island districts): one entry per new commune,
    ``full`` only if the whole old unit went into that one commune. A unit of the
    current version has no successors yet.
    """
    rows = UnitSuccession.objects.select_related("new_unit__parent").only(
        "old_unit_id", "old_label", "merge", *_columns("new_unit__")
    )
    if unit.level == UnitLevel.COMMUNE:
        return [
            Succession(unit=row.new_unit, merge=row.merge, via=[unit.code])
            for row in rows.filter(old_unit_id=unit.pk).order_by("new_unit__code")
        ]
    if unit.level == UnitLevel.DISTRICT:
        scope = Q(old_unit__parent_id=unit.pk) | Q(old_unit__isnull=True, old_parent_id=unit.pk)
    else:
        scope = Q(old_unit__parent__parent_id=unit.pk) | Q(
            old_unit__isnull=True, old_parent__parent_id=unit.pk
        )
    rows = list(
        rows.filter(scope)
        .select_related("old_unit")
        .only("old_unit__code", "old_label", "merge", *_columns("new_unit__"))
    )
    targets: dict[int, AdministrativeUnit] = {}
    via: dict[int, list[str]] = defaultdict(list)
    all_full = True
    for row in rows:
        targets[row.new_unit.pk] = row.new_unit
        via[row.new_unit.pk].append(row.old_unit.code if row.old_unit else row.old_label)
        all_full = all_full and row.merge == MergeKind.FULL
    whole = all_full and len(targets) == 1
    return [
        Succession(
            unit=target,
            merge=(MergeKind.FULL if whole else MergeKind.PARTIAL).value,
            via=sorted(via[pk]),
        )
        for pk, target in sorted(targets.items(), key=lambda item: item[1].code)
    ]


def unit_sources(unit: AdministrativeUnit) -> list[Succession]:
    """The old units a new unit came from.

    For a new commune, the rows of the conversion table (an old side without a
    commune code keeps its label and old district). For a new province, the old
    provinces whose communes went into it, ``full`` if all of them did.
    """
    rows = UnitSuccession.objects.select_related("old_unit__parent", "old_parent")
    if unit.level == UnitLevel.COMMUNE:
        return [
            Succession(
                unit=row.old_unit,
                merge=row.merge,
                label=row.old_label,
                old_parent=row.old_parent,
                via=[row.old_unit.code] if row.old_unit else [],
            )
            for row in rows.filter(new_unit_id=unit.pk).order_by("old_unit__code", "old_label")
        ]
    if unit.level != UnitLevel.PROVINCE:
        return []
    # Old province of each old side: its commune's grandparent, or its district's parent.
    into = rows.filter(new_unit__parent_id=unit.pk)
    province_ids = set(
        into.filter(old_unit__isnull=False).values_list("old_unit__parent__parent_id", flat=True)
    ) | set(into.filter(old_unit__isnull=True).values_list("old_parent__parent_id", flat=True))
    province_ids.discard(None)
    leaving = (
        UnitSuccession.objects.filter(
            Q(old_unit__parent__parent_id__in=province_ids)
            | Q(old_unit__isnull=True, old_parent__parent_id__in=province_ids)
        )
        .exclude(new_unit__parent_id=unit.pk)
        .values_list("old_unit__parent__parent_id", "old_parent__parent_id")
    )
    split = {a or b for a, b in leaving}
    provinces = AdministrativeUnit.objects.filter(id__in=province_ids).only(*UNIT_COLUMNS)
    # Provinces have no parent: nothing to join.
    return [
        Succession(
            unit=province,
            merge=(MergeKind.PARTIAL if province.pk in split else MergeKind.FULL).value,
            via=[province.code],
        )
        for province in provinces.order_by("code")
    ]
