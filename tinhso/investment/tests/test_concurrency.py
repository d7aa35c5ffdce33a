"""Two people updating one project at once on PostgreSQL: no lost update, no plan overrun."""

import datetime as dt

import pytest
from django.db import connection

from tinhso.dossiers.tests.test_concurrency import (
    _ensure_units,
    run_threads,
    units_back_afterwards,  # noqa: F401 (the module fixture puts the units back)
)
from tinhso.investment import errors, services
from tinhso.investment.models import Disbursement, Project
from tinhso.investment.tests.factories import BN, make_line, make_project, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real threads"
    ),
]


def test_two_updates_with_the_same_version_one_wins_the_other_is_told():
    _ensure_units()
    world = make_world()
    project = make_project(world, code="CC-1")
    version = project.version
    names = ["Tên của người thứ nhất", "Tên của người thứ hai"]

    def work(index):
        return services.project_update(
            actor=world.owner,
            project_id=project.pk,
            expected_version=version,
            changes={"name": names[index]},
        ).name

    results, failures = run_threads(2, work)
    won = [r for r in results if r]
    assert len(won) == 1
    assert sum(isinstance(f, errors.StaleVersion) for f in failures) == 1
    project.refresh_from_db()
    assert project.name == won[0]
    assert project.version == version + 1


def test_concurrent_disbursements_never_exceed_the_plan_line():
    _ensure_units()
    world = make_world()
    project = make_project(world, code="CC-2")
    line = make_line(world, project, 10 * BN)
    count = 4

    def work(index):
        return services.disbursement_record(
            actor=world.owner,
            plan_line_id=line.pk,
            date=dt.date(2025, 5, 1),
            amount=3 * BN,
            today=dt.date(2025, 6, 1),
        ).pk

    results, failures = run_threads(count, work)
    assert sum(r is not None for r in results) == 3
    assert sum(isinstance(f, errors.AbovePlan) for f in failures) == 1
    assert Disbursement.objects.filter(plan_line=line).count() == 3
    # Every accepted write bumped the version once: no update was lost.
    assert Project.objects.get(pk=project.pk).version == project.version + 1 + 3
