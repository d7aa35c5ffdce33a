"""The bulk path: the single path's rules and refusals, a bounded number of queries, all or nothing."""

import datetime as dt
import hashlib
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tinhso.core.audit import audit_verify
from tinhso.core.exceptions import PermissionDenied, TinhsoError
from tinhso.core.models import AuditEvent
from tinhso.investment import bulk, excel, services, summaries
from tinhso.investment.choices import (
    AssignedBy,
    DisbursementKind,
    FundingSource,
    PlanKind,
    PlanLineKind,
)
from tinhso.investment.models import Disbursement, Project
from tinhso.investment.tests.factories import BN, make_disbursement, make_line, make_project
from tinhso.investment.tests.test_excel_upload import row as sheet_row
from tinhso.investment.tests.test_excel_upload import workbook

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 2, 28)
FIELDS = (
    "plan_line_id",
    "project_id",
    "date",
    "amount",
    "kind",
    "treasury_reference",
    "note",
    "status",
    "reported_by_id",
)


class _RollBack(Exception):
    pass


def shape(row: Disbursement) -> tuple:
    return tuple(getattr(row, name) for name in FIELDS)


def refusal(error: TinhsoError) -> tuple:
    return (error.code, str(error.message), error.details)


def single_outcome(actor, rows, today=TODAY):
    """Each row through ``services.disbursement_record`` in order, then rolled back."""
    stored, refused = [], []
    try:
        with transaction.atomic():
            for index, values in enumerate(rows):
                try:
                    made = services.disbursement_record(actor=actor, today=today, **values)
                except TinhsoError as error:
                    refused.append((index, *refusal(error)))
                else:
                    stored.append(shape(made))
            raise _RollBack
    except _RollBack:
        pass
    return stored, refused


def bulk_refusals(actor, rows, today=TODAY):
    with pytest.raises(bulk.DisbursementsRefused) as caught:
        bulk.disbursements_record_bulk(actor=actor, rows=rows, today=today)
    return [(index, *refusal(error)) for index, error in caught.value.refusals]


def snapshot():
    """What a refused batch must leave as it was."""
    return (
        sorted(Disbursement.objects.values_list("pk", flat=True)),
        AuditEvent.objects.count(),
        sorted(Project.objects.values_list("pk", "version", "last_reported_at")),
    )


@pytest.fixture
def plans(world):
    """One project with lines that exercise every rule, another owner's project."""
    project = make_project(world, code="BK-1")
    main = make_line(world, project, 10 * BN)
    # A negative adjustment of the same year and source: the project's plan is 6 bn.
    make_line(world, project, -4 * BN, kind=PlanLineKind.ADJUSTMENT)
    central = make_line(
        world,
        project,
        5 * BN,
        source=FundingSource.CENTRAL_BUDGET,
        assigned_by=AssignedBy.PROVINCE,
    )
    carried = make_line(
        world,
        project,
        3 * BN,
        source=FundingSource.CENTRAL_BUDGET,
        kind=PlanLineKind.CARRIED_OVER,
        deadline=D(2026, 12, 31),
        extension_decision_number="12/QĐ-UBND",
    )
    medium_plan = services.capital_plan_get_or_create(
        actor=world.leader,
        kind=PlanKind.MEDIUM_TERM,
        year_from=2021,
        year_to=2025,
        unit=world.province,
    )
    medium = services.plan_line_add(
        actor=world.leader,
        plan=medium_plan,
        project_id=project.pk,
        source=FundingSource.CENTRAL_BUDGET,
        assigned_by=AssignedBy.PRIME_MINISTER,
        amount=50 * BN,
    )
    theirs = make_project(world, code="BK-2", owner=world.traffic_board)
    other_line = make_line(world, theirs, 10 * BN)
    make_disbursement(world, main, 1 * BN, D(2025, 3, 1))
    rejected = make_disbursement(world, central, 4 * BN, D(2025, 3, 2))
    services.disbursement_confirm(actor=world.leader, disbursement_id=rejected.pk, confirmed=False)
    return {
        "project": project,
        "main": main,
        "central": central,
        "carried": carried,
        "medium": medium,
        "other": other_line,
    }


JUNE = D(2025, 6, 1)


def payment(line, amount, on=JUNE, **extra):
    return {
        "plan_line_id": line.pk if hasattr(line, "pk") else line,
        "date": on,
        "amount": amount,
        "kind": extra.pop("kind", DisbursementKind.PAYMENT),
        **extra,
    }


def mixed_rows(p):
    return [
        payment(p["main"], 2 * BN, treasury_reference=" KB-1 ", note="đợt 1"),  # 0 ok: 3 of 6
        payment(p["main"], 2 * BN, on="2025-07-01", kind=DisbursementKind.ADVANCE),  # 1 ok: 5
        payment(p["main"], 2 * BN),  # 2 above the project's 6 bn (the line's 10 bn is fine)
        payment(p["main"], 1 * BN, kind=DisbursementKind.RECOVERY),  # 3 ok, stored −1: 4
        payment(p["main"], 5 * BN, kind=DisbursementKind.RECOVERY),  # 4 beyond what was paid
        payment(p["main"], 2 * BN),  # 5 ok again after the recovery: 6 of 6
        payment(p["central"], 5 * BN),  # 6 ok: the rejected 4 bn counts nowhere
        payment(p["central"], 1),  # 7 above the line
        payment(p["carried"], 2 * BN, on=D(2026, 2, 15)),  # 8 ok: extended deadline
        payment(p["central"], BN, on=D(2026, 2, 15)),  # 9 after 31 January
        payment(p["main"], BN, on=D(2024, 12, 31)),  # 10 before the year
        payment(p["carried"], BN, on=D(2026, 3, 1)),  # 11 in the future
        payment(p["medium"], BN),  # 12 medium-term line
        payment(p["other"], BN),  # 13 another owner's line
        payment(987654, BN),  # 14 unknown line
        payment("abc", BN),  # 15 not a line number
        payment(p["main"], 0),  # 16 zero
        payment(p["main"], -5),  # 17 negative payment
        payment(p["main"], 1.5),  # 18 fractional
        payment(p["main"], 10**16),  # 19 too large
        payment(p["main"], BN, kind="bogus"),  # 20 unknown kind
        payment(p["main"], BN, on="31/02/2025"),  # 21 not a date
        payment(p["carried"], 1 * BN + 1, on=D(2026, 2, 16)),  # 22 above the carried-over line
        payment(p["carried"], 1 * BN, on=D(2026, 2, 16)),  # 23 ok: 3 of 3
    ]


def test_bulk_refuses_the_rows_the_single_path_refuses_with_the_same_errors(world, plans):
    rows = mixed_rows(plans)
    stored, single_refused = single_outcome(world.owner, rows)
    before = snapshot()
    assert bulk_refusals(world.owner, rows) == single_refused
    assert snapshot() == before
    codes = {index: code for index, code, _message, _details in single_refused}
    assert codes == {
        2: "disbursement_above_plan",
        4: "invalid_amount",
        7: "disbursement_above_plan",
        9: "date_outside_plan",
        10: "date_outside_plan",
        11: "date_outside_plan",
        12: "plan_line_not_annual",
        13: "plan_line_not_found",
        14: "plan_line_not_found",
        15: "plan_line_not_found",
        16: "invalid_amount",
        17: "invalid_amount",
        18: "invalid_amount",
        19: "invalid_amount",
        20: "invalid_project",
        21: "date_outside_plan",
        22: "disbursement_above_plan",
    }
    # The accepted rows alone: the same rows stored, in the same order.
    accepted = [r for index, r in enumerate(rows) if index not in codes]
    stored_again, refused_again = single_outcome(world.owner, accepted)
    assert refused_again == [] and stored_again == stored
    result = bulk.disbursements_record_bulk(actor=world.owner, rows=accepted, today=TODAY)
    assert [shape(row) for row in result.disbursements] == stored
    made = Disbursement.objects.filter(pk__in=[row.pk for row in result.disbursements])
    assert sorted(shape(row) for row in made) == sorted(stored)
    assert result.amount == sum(values[3] for values in stored)
    assert result.projects == 1
    # The monthly summary follows in the same transaction.
    touched = {row.plan_line_id for row in result.disbursements}
    assert summaries.stored(touched) == summaries.recomputed(touched)
    assert summaries.stored(touched)
    assert stored[2][3] == -1 * BN and stored[0][5] == "KB-1"


def test_two_rows_of_one_line_together_above_the_plan(world, plans):
    main = plans["main"]  # 1 bn of 6 (project) already disbursed
    rows = [payment(main, 3 * BN), payment(main, 3 * BN)]
    refused = bulk_refusals(world.owner, rows)
    assert [(index, code) for index, code, _m, _d in refused] == [(1, "disbursement_above_plan")]
    assert refused[0][3] == {"plan": 6 * BN, "disbursed": 4 * BN, "amount": 3 * BN}
    assert refused == single_outcome(world.owner, rows)[1]
    assert Disbursement.objects.filter(plan_line=main).count() == 1


def test_an_owner_cannot_record_on_another_owners_project(world, plans):
    before = snapshot()
    rows = [payment(plans["main"], BN)]
    refused = bulk_refusals(world.other_owner, rows)
    assert [code for _i, code, _m, _d in refused] == ["plan_line_not_found"]
    # Mixed with their own good rows: still nothing is written.
    rows = [payment(plans["other"], BN), payment(plans["main"], BN)]
    refused = bulk_refusals(world.other_owner, rows)
    assert [(i, code) for i, code, _m, _d in refused] == [(1, "plan_line_not_found")]
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        bulk.disbursements_record_bulk(actor=world.leader, rows=rows, today=TODAY)
    assert snapshot() == before


def test_upload_of_another_owners_rows_reports_the_row(world, plans):
    data = workbook([sheet_row("BK-2", plans["other"], BN), sheet_row("BK-1", plans["main"], BN)])
    before = snapshot()
    with pytest.raises(excel.UploadInvalid) as caught:
        excel.disbursement_upload(actor=world.owner, data=data, today=TODAY)
    assert {(e["row"], e["column"]) for e in caught.value.details["errors"]} == {
        (2, "Mã dự án"),
        (2, "Mã dòng kế hoạch"),
    }
    assert snapshot() == before


def test_bad_cells_and_rule_breaks_are_reported_together_and_nothing_is_written(world, plans):
    main = plans["main"]
    data = workbook(
        [
            sheet_row("BK-1", main, 3 * BN),
            sheet_row("BK-1", main, "nhiều"),  # a bad cell
            sheet_row("BK-1", main, 3 * BN),  # above the plan with the first row
        ]
    )
    before = snapshot()
    with pytest.raises(excel.UploadInvalid) as caught:
        excel.disbursement_upload(actor=world.owner, data=data, today=TODAY)
    found = [(e["row"], e["column"]) for e in caught.value.details["errors"]]
    assert found == [(3, "Số tiền (đồng)"), (4, "Số tiền (đồng)")]
    assert "vượt kế hoạch" in caught.value.details["errors"][1]["message"]
    assert snapshot() == before


def test_a_stale_expected_version_refuses_its_row(world, plans):
    version = Project.objects.get(pk=plans["project"].pk).version
    rows = [
        payment(plans["main"], BN, expected_version=version),
        payment(plans["main"], BN, expected_version=version - 1),
    ]
    refused = bulk_refusals(world.owner, rows)
    assert [(i, code) for i, code, _m, _d in refused] == [(1, "stale_version")]


def test_upload_bumps_each_project_once_and_writes_one_chained_audit_event(world, plans):
    project = plans["project"]
    version = Project.objects.get(pk=project.pk).version
    events = AuditEvent.objects.count()
    data = workbook(
        [
            sheet_row("BK-1", plans["main"], BN, treasury_reference="KB-9"),
            sheet_row("BK-1", plans["central"], 2 * BN),
        ]
    )
    result = excel.disbursement_upload(
        actor=world.owner, data=data, name="giai-ngan.xlsx", today=TODAY
    )
    assert (result.rows, result.amount, result.projects) == (2, 3 * BN, 1)
    project.refresh_from_db()
    assert project.version == version + 1
    assert project.last_reported_at is not None
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == "investment.disbursement_upload"
    assert event.object_repr == "giai-ngan.xlsx"
    changes = event.changes
    assert changes["sha256"] == hashlib.sha256(data).hexdigest()
    assert changes["rows"] == 2 and changes["amount"] == 3 * BN
    assert changes["project_columns"] == [
        "code",
        "rows",
        "amount",
        "version_before",
        "version_after",
    ]
    assert changes["projects"] == [["BK-1", 2, 3 * BN, version, version + 1]]
    assert changes["disbursement_columns"][5] == "treasury_reference"
    made = Disbursement.objects.filter(plan_line__in=[plans["main"], plans["central"]]).order_by(
        "-pk"
    )[:2]
    assert sorted(r[0] for r in changes["disbursements"]) == sorted(r.pk for r in made)
    assert [r[5] for r in changes["disbursements"]] == ["KB-9", ""]
    assert audit_verify().ok


def _many_lines(world, count):
    lines = []
    for n in range(count):
        project = make_project(world, code=f"QC-{n:03d}")
        lines.append(make_line(world, project, 10 * BN))
    return lines


def _queries(actor, rows):
    with CaptureQueriesContext(connection) as context:
        bulk.disbursements_record_bulk(actor=actor, rows=rows, today=TODAY)
    return len(context.captured_queries)


def test_queries_do_not_grow_with_the_rows(world):
    lines = _many_lines(world, 20)
    few = [payment(lines[n % 20], 1_000_000 + n) for n in range(10)]
    many = [payment(lines[n % 20], 1_000_000 + n, on=D(2025, 7, 1)) for n in range(200)]
    small, large = _queries(world.owner, few), _queries(world.owner, many)
    # Only the insert may take a few statements more (SQLite's bound-parameter limit).
    assert small <= 25
    assert large - small <= 3, (small, large)
    assert Disbursement.objects.count() == 210


# --- concurrency (PostgreSQL) -------------------------------------------------------------------

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real threads"
)


def _waiting_on_a_lock(timeout=20.0) -> bool:
    """Whether another backend of this database waits on a lock (polled, not timed)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pg_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("single_amount", [5 * BN, 2 * BN])
@pytest.mark.usefixtures("units_back_afterwards")
def test_upload_waits_for_a_single_update_and_sees_it(single_amount, pg_world):
    from django.db import connections

    world = pg_world
    project = make_project(world, code="CC-B1")
    line = make_line(world, project, 10 * BN)
    version = Project.objects.get(pk=project.pk).version
    data = workbook([sheet_row("CC-B1", line, 3 * BN), sheet_row("CC-B1", line, 3 * BN)])
    written, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def single():
        try:
            with transaction.atomic():
                services.disbursement_record(
                    actor=world.owner,
                    plan_line_id=line.pk,
                    date=D(2025, 5, 1),
                    amount=single_amount,
                    today=TODAY,
                )
                written.set()
                release.wait(30)
        finally:
            connections.close_all()

    def upload():
        try:
            outcome["result"] = excel.disbursement_upload(actor=world.owner, data=data, today=TODAY)
        except TinhsoError as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=single)
    first.start()
    assert written.wait(30)
    second = threading.Thread(target=upload)
    second.start()
    try:
        # The upload is blocked on the project's row lock held by the single update.
        assert _waiting_on_a_lock()
    finally:
        release.set()
        first.join(60)
        second.join(60)
    disbursed = sum(Disbursement.objects.filter(plan_line=line).values_list("amount", flat=True))
    if single_amount == 5 * BN:
        # 5 + 3 + 3 > 10: the upload saw the committed 5 bn and refused its second row.
        error = outcome["error"]
        assert error.code == "investment_upload_invalid"
        assert [e["row"] for e in error.details["errors"]] == [3]
        assert disbursed == 5 * BN
        assert Project.objects.get(pk=project.pk).version == version + 1
    else:
        assert outcome["result"].rows == 2
        assert disbursed == 8 * BN
        # Both writes bumped the version: neither was lost.
        assert Project.objects.get(pk=project.pk).version == version + 2


@pytest.fixture
def pg_world():
    from tinhso.dossiers.tests.test_concurrency import _ensure_units
    from tinhso.investment.tests.factories import make_world

    _ensure_units()
    return make_world()


@pytest.fixture(scope="module")
def units_back_afterwards(django_db_blocker):
    """The flush after a transactional test empties the units: put them back for the tests after."""
    yield
    from tinhso.dossiers.tests.test_concurrency import _ensure_units

    with django_db_blocker.unblock():
        _ensure_units()


@pg_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("units_back_afterwards")
def test_upload_and_single_update_race_never_overrun_the_line(pg_world):
    from tinhso.dossiers.tests.test_concurrency import run_threads

    world = pg_world
    project = make_project(world, code="CC-B2")
    line = make_line(world, project, 10 * BN)
    data = workbook([sheet_row("CC-B2", line, 3 * BN), sheet_row("CC-B2", line, 3 * BN)])

    def work(index):
        if index == 0:
            return excel.disbursement_upload(actor=world.owner, data=data, today=TODAY).rows
        return services.disbursement_record(
            actor=world.owner, plan_line_id=line.pk, date=D(2025, 5, 1), amount=5 * BN, today=TODAY
        ).pk

    results, failures = run_threads(2, work)
    assert sum(r is not None for r in results) == 1
    assert sum(f is not None for f in failures) == 1
    disbursed = sum(Disbursement.objects.filter(plan_line=line).values_list("amount", flat=True))
    assert disbursed in (5 * BN, 6 * BN)
