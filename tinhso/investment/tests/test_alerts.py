"""The alert engine: each kind, idempotence, closing, routing to the owner, acknowledging."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tinhso.core.exceptions import NotFound
from tinhso.core.models import Notification
from tinhso.investment import services
from tinhso.investment.alerts import alerts_evaluate
from tinhso.investment.choices import AlertKind
from tinhso.investment.models import Alert, BidPackage, Contract, ContractModification, Project
from tinhso.investment.tests.factories import BN, make_disbursement, make_line, make_project

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2025, 7, 5)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


@pytest.fixture
def projects(world):
    """P1 at 60% of its 10 bn plan, P2 at 10% of its 10 bn plan; both updated on 1 July."""
    p1 = make_project(world, code="P1")
    p2 = make_project(world, code="P2", owner=world.traffic_board)
    make_disbursement(world, make_line(world, p1, 10 * BN), 6 * BN, D(2025, 6, 1))
    line2 = make_line(world, p2, 10 * BN)
    make_disbursement(world, line2, BN, D(2025, 6, 1), actor=world.other_owner)
    Project.objects.update(created_at=_aware(D(2025, 1, 2)), last_reported_at=_aware(D(2025, 7, 1)))
    return p1, p2, line2


def kinds(project):
    return sorted(
        (a.kind, a.period) for a in Alert.objects.filter(project=project, closed_at__isnull=True)
    )


def test_below_month_target_and_threshold_by_date(world, projects):
    p1, p2, _ = projects
    report = alerts_evaluate(today=TODAY)
    assert kinds(p1) == []
    assert kinds(p2) == [
        (AlertKind.BELOW_MONTH_TARGET, "2025-06"),
        (AlertKind.BELOW_THRESHOLD_BY_DATE, "2025-06-30"),
    ]
    alert = Alert.objects.get(project=p2, kind=AlertKind.BELOW_MONTH_TARGET)
    assert alert.severity == "critical"  # 10% against 50%
    assert alert.evidence["target"] == "50.00"
    assert "P2" in alert.message
    assert report.created == 2


def test_evaluating_twice_changes_nothing(world, projects):
    alerts_evaluate(today=TODAY)
    count = Alert.objects.count()
    report = alerts_evaluate(today=TODAY)
    assert (report.created, report.closed, report.kept) == (0, 0, count)
    assert Alert.objects.count() == count


def test_alert_closes_when_the_project_catches_up(world, projects):
    _, p2, line2 = projects
    alerts_evaluate(today=TODAY)
    make_disbursement(world, line2, 5 * BN, D(2025, 7, 3), actor=world.other_owner)
    report = alerts_evaluate(today=TODAY)
    assert report.closed == 2
    assert kinds(p2) == []


def test_only_one_open_alert_per_project_kind_and_period(world, projects):
    _, p2, _ = projects
    alerts_evaluate(today=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            project=p2, kind=AlertKind.BELOW_MONTH_TARGET, period="2025-06", message="x"
        )


def test_owner_is_notified_once(world, projects):
    alerts_evaluate(today=TODAY)
    alerts_evaluate(today=TODAY)
    sent = Notification.objects.filter(recipient_user_id=world.other_owner.pk)
    assert sent.count() == 2
    assert not Notification.objects.filter(recipient_user_id=world.owner.pk).exists()


def test_no_update(world, projects):
    p1, _, _ = projects
    Project.objects.filter(pk=p1.pk).update(last_reported_at=_aware(D(2025, 6, 20)))
    alerts_evaluate(today=TODAY)
    assert (AlertKind.NO_UPDATE, "2025-06-20") in kinds(p1)
    services.progress_snapshot_add(
        actor=world.owner, project_id=p1.pk, date=D(2025, 7, 4), physical_percent=60
    )
    Project.objects.filter(pk=p1.pk).update(last_reported_at=_aware(D(2025, 7, 4)))
    alerts_evaluate(today=TODAY)
    assert AlertKind.NO_UPDATE not in {k for k, _ in kinds(p1)}


def test_physical_financial_gap(world, projects):
    p1, _, _ = projects
    # 6 bn of 100 bn total investment is 6% financial; 40% physical is 34 points apart.
    services.progress_snapshot_add(
        actor=world.owner, project_id=p1.pk, date=D(2025, 7, 1), physical_percent=40
    )
    alerts_evaluate(today=TODAY)
    assert (AlertKind.PHYSICAL_FINANCIAL_GAP, "2025") in kinds(p1)
    gap = Alert.objects.get(project=p1, kind=AlertKind.PHYSICAL_FINANCIAL_GAP)
    # Percentages read the Vietnamese way with one decimal, not as raw decimals.
    assert "40,0%" in gap.message and "6,0%" in gap.message, gap.message
    services.progress_snapshot_add(
        actor=world.owner, project_id=p1.pk, date=D(2025, 7, 2), physical_percent=10
    )
    alerts_evaluate(today=TODAY)
    assert AlertKind.PHYSICAL_FINANCIAL_GAP not in {k for k, _ in kinds(p1)}


def test_contract_ending_with_low_progress(world, projects):
    p1, _, _ = projects
    package = BidPackage.objects.create(project=p1, name="Xây lắp", value=BN, method="open")
    contract = Contract.objects.create(
        project=p1,
        bid_package=package,
        number="01/2025/HĐXD",
        contractor="Công ty CP Xây dựng số 1",
        value=BN,
        signed_on=D(2025, 1, 10),
        end_date=D(2025, 7, 20),
    )
    services.progress_snapshot_add(
        actor=world.owner, project_id=p1.pk, date=D(2025, 7, 1), physical_percent=55
    )
    alerts_evaluate(today=TODAY)
    assert (AlertKind.CONTRACT_ENDING_LOW_PROGRESS, f"C{contract.pk}") in kinds(p1)
    # An appendix moving the end date beyond the horizon closes it.
    ContractModification.objects.create(
        project=p1,
        contract=contract,
        date=D(2025, 7, 4),
        description="Gia hạn",
        new_end_date=D(2025, 12, 31),
    )
    alerts_evaluate(today=TODAY)
    assert AlertKind.CONTRACT_ENDING_LOW_PROGRESS not in {k for k, _ in kinds(p1)}


def test_acknowledge_is_for_those_in_scope(world, projects):
    _, p2, _ = projects
    alerts_evaluate(today=TODAY)
    alert = Alert.objects.filter(project=p2).first()
    with pytest.raises(NotFound):
        services.alert_acknowledge(actor=world.owner, alert_id=alert.pk)
    alert = services.alert_acknowledge(actor=world.other_owner, alert_id=alert.pk)
    assert alert.acknowledged_by == world.other_owner
    assert alert.closed_at is None
    # Acknowledged alerts stay open and are not raised again.
    assert alerts_evaluate(today=TODAY).created == 0
    services.alert_acknowledge(actor=world.leader, alert_id=alert.pk)


def test_command_is_idempotent_and_refuses_a_bad_date(world, projects):
    out = StringIO()
    call_command("investment_alerts", "--date", "2025-07-05", stdout=out)
    assert "2 cảnh báo mới" in out.getvalue()
    out = StringIO()
    call_command("investment_alerts", "--date", "2025-07-05", stdout=out)
    assert "0 cảnh báo mới" in out.getvalue()
    from tinhso.core.management.base import TinhsoCommandError

    with pytest.raises(TinhsoCommandError):
        call_command("investment_alerts", "--date", "05/07/2025")
