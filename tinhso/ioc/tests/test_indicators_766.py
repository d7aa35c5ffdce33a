"""Decision 766 indicators: each on-time rule changes the answer; scope, drill-down, API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.tests.factories import at
from tinhso.ioc import indicators
from tinhso.ioc.indicators import BY_CODE, compute, drill_down, make_period, points_for

JANUARY = make_period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
_seq = iter(range(1, 10_000))


def dossier(
    world,
    *,
    status="returned",
    channel="in_person",
    received=None,
    due=None,
    finished=None,
    supplements=0,
    unit=None,
    organisation=None,
) -> Dossier:
    received = received or at(2026, 1, 5, 8)
    return Dossier.objects.create(
        code=f"T-{next(_seq)}",
        procedure=world.procedure,
        applicant=world.citizen,
        channel=channel,
        receiving_organisation=world.centre,
        competent_organisation=organisation or world.justice,
        unit=unit or world.province,
        submitted_at=received,
        received_at=received,
        status=status,
        due_at=due,
        finished_at=finished,
        supplement_count=supplements,
    )


def result(report, code):
    return next(r for r in report.results if r.definition.code == code)


def test_finished_before_the_due_moment_is_on_time_and_after_it_is_late(world):
    # given one dossier finished before its due moment and one after
    dossier(world, due=at(2026, 1, 10, 17), finished=at(2026, 1, 9, 10))
    dossier(world, due=at(2026, 1, 10, 17), finished=at(2026, 1, 12, 10))
    # when the leader computes January
    on_time = result(compute(world.leader, JANUARY), "progress_on_time")
    # then one of two is on time
    assert (on_time.numerator, on_time.denominator) == (1, 2)
    assert on_time.rate == Decimal("0.5")


def test_a_dossier_whose_due_moment_moved_by_a_supplement_pause_is_on_time(world):
    # given a dossier finished after its first due moment, but within the moment
    # moved forward by the time with the citizen (the workflow moves due_at on resume)
    dossier(world, due=at(2026, 1, 14, 17), finished=at(2026, 1, 13, 10), supplements=1)
    on_time = result(compute(world.leader, JANUARY), "progress_on_time")
    # then it is on time: supplement time is excluded, and one request is allowed
    assert (on_time.numerator, on_time.denominator) == (1, 1)


def test_a_second_supplement_request_makes_an_otherwise_timely_dossier_late(world):
    # given a dossier finished in time but after two supplement requests
    dossier(world, due=at(2026, 1, 14, 17), finished=at(2026, 1, 9, 10), supplements=2)
    on_time = result(compute(world.leader, JANUARY), "progress_on_time")
    # then it counts as late
    assert (on_time.numerator, on_time.denominator) == (0, 1)


def test_open_dossiers_are_measured_at_the_end_of_the_period(world):
    # given two dossiers still open on 31 January: one due in February, one due on 20 January
    dossier(world, status="processing", due=at(2026, 2, 3, 17))
    dossier(world, status="processing", due=at(2026, 1, 20, 17))
    # and one finished in February, after its due moment of 30 January
    dossier(world, due=at(2026, 1, 30, 17), finished=at(2026, 2, 2, 9))
    on_time = result(compute(world.leader, JANUARY), "progress_on_time")
    # then all three count in January and only the one not yet due is on time
    assert (on_time.numerator, on_time.denominator) == (1, 3)
    # and in a period ending on 25 January the one due on 30 January was still on time
    period = make_period(dt.date(2026, 1, 1), dt.date(2026, 1, 25))
    on_time = result(compute(world.leader, period), "progress_on_time")
    assert (on_time.numerator, on_time.denominator) == (2, 3)


def test_refused_and_withdrawn_dossiers_are_not_counted_for_progress(world):
    dossier(world, status="refused", finished=at(2026, 1, 6, 9))
    dossier(world, status="withdrawn")
    on_time = result(compute(world.leader, JANUARY), "progress_on_time")
    assert on_time.denominator == 0
    assert on_time.rate is None and on_time.points is None


def test_online_submission_rate_reaches_full_points_at_half(world):
    # given two online and two in-person dossiers submitted in January
    for channel in ("online", "online", "in_person", "post"):
        dossier(world, channel=channel, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    online = result(compute(world.leader, JANUARY), "online_submitted")
    # then the rate is 50% and the points are full (threshold 50%)
    assert online.rate == Decimal("0.5")
    assert online.points == BY_CODE["online_submitted"].max_points


def test_points_below_the_threshold_are_rate_times_max_over_threshold():
    definition = BY_CODE["progress_on_time"]  # 20 points, full at 80%
    assert points_for(Decimal("0.4"), definition) == Decimal("10.00")
    assert points_for(Decimal("0.8"), definition) == Decimal("20.00")
    assert points_for(Decimal("1"), definition) == Decimal("20.00")


def test_online_payment_without_any_fee_request_has_no_rate_and_says_so(world):
    # a dossier with no fees asked: nothing to measure (test_indicators_766_payments.py has more)
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    paid = result(compute(world.leader, JANUARY), "online_paid")
    assert paid.denominator == 0 and paid.rate is None and paid.points is None
    assert paid.note


def test_indicators_without_data_are_not_measured_and_say_why(world):
    report = compute(world.leader, JANUARY)
    satisfaction = result(report, "satisfaction_procedures")
    assert satisfaction.points is None and satisfaction.rate is None
    assert satisfaction.note
    # the groups carry the official maxima (100 in all)
    assert sum(g["max_points"] for g in report.groups()) == 100


def test_the_indicators_of_each_group_share_exactly_its_points(world):
    for group in compute(world.leader, JANUARY).groups():
        shares = sum(item.definition.max_points for item in group["indicators"])
        assert shares == group["max_points"], group["code"]


def test_an_agency_head_sees_only_their_agency(world):
    # given a dossier of the justice department and one of the construction department
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), organisation=world.construction)
    # then the justice head counts one, the city leader two
    assert result(compute(world.head, JANUARY), "progress_on_time").denominator == 1
    assert result(compute(world.leader, JANUARY), "progress_on_time").denominator == 2


def test_a_unit_filter_keeps_the_unit_and_below(world):
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), unit=world.commune)
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), unit=world.other_commune)
    report = compute(world.leader, JANUARY, unit=world.commune)
    assert result(report, "progress_on_time").denominator == 1
    report = compute(world.leader, JANUARY, unit=world.province)
    assert result(report, "progress_on_time").denominator == 2


def test_citizens_and_specialists_may_not_read_the_indicators(world):
    for user in (world.citizen_user, world.specialist, world.desk):
        with pytest.raises(PermissionDenied):
            compute(user, JANUARY)


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValidationError) as error:
        make_period(dt.date(2026, 2, 1), dt.date(2026, 1, 1))
    assert error.value.code == "bad_period"


def test_drill_down_lists_exactly_the_dossiers_behind_the_number(world):
    timely = dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    late = dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), supplements=2)
    on_time = drill_down(world.leader, JANUARY, "progress_on_time", "numerator")
    assert [d.pk for d in on_time] == [timely.pk]
    assert [d.pk for d in drill_down(world.leader, JANUARY, "progress_on_time", "late")] == [
        late.pk
    ]
    assert drill_down(world.leader, JANUARY, "progress_on_time", "denominator").count() == 2


def test_drill_down_of_an_unmeasured_indicator_is_not_found(world):
    from tinhso.core.exceptions import NotFound

    with pytest.raises(NotFound):
        drill_down(world.leader, JANUARY, "satisfaction_procedures", "numerator")
    with pytest.raises(ValidationError):
        drill_down(world.leader, JANUARY, "progress_on_time", "everything")


def test_the_indicators_are_one_aggregate_query(world, django_assert_max_num_queries):
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    world.leader.refresh_from_db()
    indicators.compute(world.leader, JANUARY)  # warms the user's scope cache
    # the aggregate, the scope's size (capped), the procedures, the apology letters, and
    # on PostgreSQL the aggregate's savepoint, work_mem set and restored, and release
    # (docs/performance.md)
    with django_assert_max_num_queries(10):
        indicators.compute(world.leader, JANUARY)


def test_a_dossier_with_a_stored_file_counts_as_digitised(world, settings, tmp_path):
    from tinhso.core.files import file_store
    from tinhso.dossiers.models import DossierFile
    from tinhso.dossiers.tests.factories import pdf_upload

    settings.MEDIA_ROOT = str(tmp_path)
    with_file = dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    stored = file_store(actor=None, uploaded_file=pdf_upload(), purpose="dossier")
    DossierFile.objects.create(
        dossier=with_file,
        component=world.procedure.components.get(code="to-khai"),
        stored_file=stored,
    )
    digitised = result(compute(world.leader, JANUARY), "digitisation_dossiers")
    assert (digitised.numerator, digitised.denominator) == (1, 2)
    listed = drill_down(world.leader, JANUARY, "digitisation_dossiers", "numerator")
    assert [d.pk for d in listed] == [with_file.pk]


def test_online_services_counts_the_procedures_used_in_the_period(world):
    # given dossiers of a fully online procedure and of an information-only one
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    information_only = dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    information_only.procedure = world.info_procedure
    information_only.save()
    services = result(compute(world.leader, JANUARY), "online_services")
    # then one of the two procedures used is offered online
    assert (services.numerator, services.denominator) == (1, 2)


def test_apology_letters_issued_in_the_period_are_counted(world):
    from tinhso.dossiers.models import ApologyLetter

    late = dossier(world, status="processing", due=at(2026, 1, 10, 17))
    other = dossier(
        world, status="processing", due=at(2026, 1, 10, 17), organisation=world.construction
    )
    for target in (late, other):
        ApologyLetter.objects.create(
            dossier=target,
            reason="x",
            new_due_at=at(2026, 1, 20, 17),
            issued_at=at(2026, 1, 12, 9),
            issued_by=world.head,
        )
    # the city leader sees both, the justice head only theirs, February none
    assert compute(world.leader, JANUARY).apologies == 2
    assert compute(world.head, JANUARY).apologies == 1
    february = make_period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert compute(world.leader, february).apologies == 0
