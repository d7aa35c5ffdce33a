"""Decision 766, online payment: dossiers with fees paid online among those asked to pay fees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tinhso.dossiers.tests.factories import at
from tinhso.ioc.indicators import BY_CODE, compute, drill_down, make_period
from tinhso.ioc.tests.test_indicators_766 import JANUARY, dossier, result
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.models import PaymentRequest

pytestmark = pytest.mark.django_db
_refs = iter(range(1, 10_000))


def fee_request(target, status, *, amount=50_000):
    return PaymentRequest.objects.create(
        dossier=target,
        reference=f"TSTEST{next(_refs):06d}",
        amount=amount,
        items=[{"name": "Lệ phí", "kind": "charge", "amount": amount}],
        status=status,
        status_before="processing",
        requested_at=at(2026, 1, 6, 9),
        expires_at=at(2026, 1, 9, 9),
        paid_at=at(2026, 1, 6, 10) if status == PaymentStatus.PAID else None,
    )


@pytest.fixture
def january_mix(world):
    """Paid online; paid at the desk (request cancelled); lapsed then renewed and paid;
    lapsed and never paid; no fees at all; paid online but submitted in February."""
    done = at(2026, 1, 20)
    paid = dossier(world, finished=done)
    fee_request(paid, PaymentStatus.PAID)
    desk = dossier(world, finished=done)
    fee_request(desk, PaymentStatus.CANCELLED)
    renewed = dossier(world, finished=done)
    fee_request(renewed, PaymentStatus.EXPIRED)
    fee_request(renewed, PaymentStatus.PAID)
    lapsed = dossier(world, status="financial_obligation")
    fee_request(lapsed, PaymentStatus.EXPIRED)
    free = dossier(world, finished=done)
    february = dossier(world, received=at(2026, 2, 2, 8), finished=at(2026, 2, 20))
    fee_request(february, PaymentStatus.PAID)
    return {
        "paid": paid,
        "desk": desk,
        "renewed": renewed,
        "lapsed": lapsed,
        "free": free,
        "february": february,
    }


def test_rate_counts_dossiers_paid_online_among_those_asked_to_pay(world, january_mix):
    paid = result(compute(world.leader, JANUARY), "online_paid")
    # then two (paid, renewed-and-paid) of four (not the one without fees, not February's)
    assert (paid.numerator, paid.denominator) == (2, 4)
    assert paid.rate == Decimal("0.5")
    # 6 points at 80 %: 0.5 × 6 ÷ 0.8
    assert paid.points == Decimal("3.75")
    assert BY_CODE["online_paid"].max_points == Decimal(6)


def test_a_dossier_with_two_requests_counts_once(world, january_mix):
    listed = drill_down(world.leader, JANUARY, "online_paid", "denominator")
    pks = [d.pk for d in listed]
    assert len(pks) == len(set(pks)) == 4


def test_drill_down_lists_the_dossiers_behind_both_numbers(world, january_mix):
    numerator = {d.pk for d in drill_down(world.leader, JANUARY, "online_paid", "numerator")}
    denominator = {d.pk for d in drill_down(world.leader, JANUARY, "online_paid", "denominator")}
    assert numerator == {january_mix["paid"].pk, january_mix["renewed"].pk}
    assert denominator == numerator | {january_mix["desk"].pk, january_mix["lapsed"].pk}


def test_february_alone_is_fully_paid_online(world, january_mix):
    february = make_period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    paid = result(compute(world.leader, february), "online_paid")
    assert (paid.numerator, paid.denominator) == (1, 1)
    assert paid.points == BY_CODE["online_paid"].max_points


def test_other_agencies_payments_are_out_of_a_heads_scope(world, january_mix):
    # the justice department's head sees its dossiers; another agency's are not counted
    other = dossier(world, organisation=world.centre, finished=at(2026, 1, 20))
    fee_request(other, PaymentStatus.PAID)
    assert result(compute(world.leader, JANUARY), "online_paid").numerator == 3
    paid = result(compute(world.head, JANUARY), "online_paid")
    assert (paid.numerator, paid.denominator) == (2, 4)
