import datetime as dt

import pytest

from tinhso.investment.choices import ProjectGroup, Sector
from tinhso.investment.rules import (
    BILLION,
    DEFAULT_CURVE,
    allocation_overrun_years,
    default_deadline,
    project_group,
)


@pytest.mark.parametrize(
    ("sector", "amount_bn", "group"),
    [
        (Sector.HEALTH_CULTURE_EDUCATION, 1_600, ProjectGroup.A),
        (Sector.HEALTH_CULTURE_EDUCATION, 1_599, ProjectGroup.B),
        (Sector.HEALTH_CULTURE_EDUCATION, 90, ProjectGroup.B),
        (Sector.HEALTH_CULTURE_EDUCATION, 89, ProjectGroup.C),
        (Sector.SCIENCE_IT_BROADCASTING, 1_600, ProjectGroup.A),
        (Sector.TRANSPORT_MAJOR, 4_600, ProjectGroup.A),
        (Sector.TRANSPORT_MAJOR, 4_599, ProjectGroup.B),
        (Sector.TRANSPORT_MAJOR, 239, ProjectGroup.C),
        (Sector.IRRIGATION, 3_000, ProjectGroup.A),
        (Sector.IRRIGATION, 160, ProjectGroup.B),
        (Sector.IRRIGATION, 159, ProjectGroup.C),
        (Sector.AGRICULTURE, 2_000, ProjectGroup.A),
        (Sector.AGRICULTURE, 120, ProjectGroup.B),
        (Sector.AGRICULTURE, 119, ProjectGroup.C),
        (Sector.CIVIL_CONSTRUCTION, 30_000, ProjectGroup.NATIONAL),
    ],
)
def test_project_group_follows_sector_band_and_amount(sector, amount_bn, group):
    assert project_group(sector, amount_bn * BILLION) == group


def test_every_sector_has_a_band():
    for sector in Sector.values:
        project_group(sector, 0)


def test_deadline_is_31_january_next_year():
    assert default_deadline(2025) == dt.date(2026, 1, 31)


@pytest.mark.parametrize(
    ("group", "start", "year", "over"),
    [
        (ProjectGroup.C, 2023, 2025, 0),
        (ProjectGroup.C, 2022, 2025, 1),
        (ProjectGroup.B, 2022, 2025, 0),
        (ProjectGroup.B, 2021, 2025, 1),
        (ProjectGroup.A, 2020, 2025, 0),
        (ProjectGroup.A, 2018, 2025, 2),
        (ProjectGroup.NATIONAL, 2010, 2025, 0),
        (ProjectGroup.C, None, 2025, 0),
    ],
)
def test_allocation_period_overrun(group, start, year, over):
    assert allocation_overrun_years(group, start, year) == over


def test_default_curve_is_the_province_2025_curve():
    assert [float(p) for p in DEFAULT_CURVE] == [
        3, 8, 19, 28, 37, 50, 57, 62, 71, 77, 81, 93, 99.7,
    ]  # fmt: skip
