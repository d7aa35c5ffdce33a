"""The rules of Law 58/2024/QH15 on public investment that the app applies.

Each rule names its article; docs/investment.md explains them and marks what
was not checked against the gazetted text. Amounts are whole đồng.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tinhso.investment.choices import ProjectGroup, Sector

BILLION = 1_000_000_000

# The largest amount any service accepts (1,000,000 bn đồng): far above any
# project, far below the 64-bit column's limit, so sums of many rows never overflow.
MAX_AMOUNT = 10**15

# Art. 7 (national important projects): public investment of 30,000 bn đồng or
# more. Not confirmed against the gazetted text; other national-important
# criteria (environment, land, resettlement) are set by the National Assembly
# and are entered as an override.
NATIONAL_THRESHOLD = 30_000 * BILLION

# Art. 8 (group A) and art. 9 (group B): thresholds per band of sectors,
# (group A from, group B from). Group C (art. 10) is below the group B
# threshold. Law 58/2024 doubled the amounts of Law 39/2019 art. 8–10
# (2,300/1,500/1,000/800 and 120/80/60/45 bn); the doubled figures are used
# here and are to be confirmed against the gazetted text.
BAND_THRESHOLDS: dict[int, tuple[int, int]] = {
    1: (4_600 * BILLION, 240 * BILLION),
    2: (3_000 * BILLION, 160 * BILLION),
    3: (2_000 * BILLION, 120 * BILLION),
    4: (1_600 * BILLION, 90 * BILLION),
}

SECTOR_BAND: dict[str, int] = {
    Sector.TRANSPORT_MAJOR: 1,
    Sector.POWER: 1,
    Sector.OIL_GAS: 1,
    Sector.CHEMICALS: 1,
    Sector.MACHINERY: 1,
    Sector.MINING: 1,
    Sector.HOUSING: 1,
    Sector.TRANSPORT_OTHER: 2,
    Sector.IRRIGATION: 2,
    Sector.WATER_INFRASTRUCTURE: 2,
    Sector.ELECTRICAL: 2,
    Sector.ELECTRONICS: 2,
    Sector.PHARMACEUTICAL: 2,
    Sector.MATERIALS: 2,
    Sector.MECHANICAL: 2,
    Sector.POST_TELECOM: 2,
    Sector.AGRICULTURE: 3,
    Sector.NATURE_RESERVES: 3,
    Sector.URBAN_INFRASTRUCTURE: 3,
    Sector.INDUSTRY_OTHER: 3,
    Sector.HEALTH_CULTURE_EDUCATION: 4,
    Sector.SCIENCE_IT_BROADCASTING: 4,
    Sector.WAREHOUSING: 4,
    Sector.TOURISM_SPORT: 4,
    Sector.CIVIL_CONSTRUCTION: 4,
    Sector.DEFENCE_SECURITY: 4,
}

# Art. 57: capital may be allocated to a project for at most 6 (group A),
# 4 (group B) or 3 (group C) years from the start year. National important
# projects follow the National Assembly's resolution (no fixed limit here).
ALLOCATION_YEARS: dict[str, int | None] = {
    ProjectGroup.NATIONAL: None,
    ProjectGroup.A: 6,
    ProjectGroup.B: 4,
    ProjectGroup.C: 3,
}

# The province's 2025 cumulative target curve (percent of the plan at the end
# of each month, then at 31 January 2026), used when no TargetCurve rows are set.
DEFAULT_CURVE: tuple[Decimal, ...] = tuple(
    Decimal(str(p)) for p in (3, 8, 19, 28, 37, 50, 57, 62, 71, 77, 81, 93, 99.7)
)


def project_group(sector: str, total_investment: int) -> str:
    """The group of a project by its sector and total investment (art. 7–10)."""
    if total_investment >= NATIONAL_THRESHOLD:
        return ProjectGroup.NATIONAL
    group_a, group_b = BAND_THRESHOLDS[SECTOR_BAND[sector]]
    if total_investment >= group_a:
        return ProjectGroup.A
    if total_investment >= group_b:
        return ProjectGroup.B
    return ProjectGroup.C


def default_deadline(year: int) -> dt.date:
    """The last day an annual plan's capital may be disbursed: 31 January of the next year (art. 68)."""
    return dt.date(year + 1, 1, 31)


def allocation_overrun_years(group: str, start_year: int | None, year: int) -> int:
    """Years by which allocating capital in ``year`` exceeds art. 57's limit (0 when within)."""
    limit = ALLOCATION_YEARS.get(group)
    if limit is None or start_year is None:
        return 0
    used = year - start_year + 1
    return max(0, used - limit)
