"""The provincial report: owner, source and project rows with subtotals that add up."""

import datetime as dt

import pytest

from tinhso.investment import excel
from tinhso.investment.choices import AssignedBy, FundingSource
from tinhso.investment.tests.factories import BN, make_disbursement, make_line, make_project

pytestmark = pytest.mark.django_db


def test_rows_group_by_owner_and_source_with_subtotals(world):
    a = make_project(world, code="A-1")
    b = make_project(world, code="B-1", owner=world.traffic_board)
    line = make_line(world, a, 10 * BN)
    make_line(
        world, a, 4 * BN, source=FundingSource.CENTRAL_BUDGET, assigned_by=AssignedBy.PROVINCE
    )
    other = make_line(world, b, 20 * BN)
    make_disbursement(world, line, 5 * BN, dt.date(2025, 3, 1))
    make_disbursement(world, other, 2 * BN, dt.date(2025, 3, 1), actor=world.other_owner)
    rows = excel.report_rows(world.leader, year=2025, as_of=dt.date(2025, 12, 31))
    levels = [(r.level, r.number, r.code) for r in rows]
    assert levels == [
        (0, "", ""),
        (1, "I", ""),  # owners in alphabetical order: «… công trình giao thông» first
        (2, "1", ""),
        (3, "1.1", "B-1"),
        (1, "II", ""),
        (2, "1", ""),
        (3, "1.1", "A-1"),
        (2, "2", ""),
        (3, "2.1", "A-1"),
    ]
    total = rows[0]
    assert (total.plan, total.plan_pm, total.disbursed) == (34 * BN, 30 * BN, 7 * BN)
    assert rows[4].plan == 14 * BN and rows[4].plan_pm == 10 * BN and rows[4].disbursed == 5 * BN
    assert excel.millions(1_234_567) == 1.235
    owner_rows = excel.report_rows(world.other_owner, year=2025, as_of=dt.date(2025, 12, 31))
    assert [r.code for r in owner_rows if r.code] == ["B-1"]
