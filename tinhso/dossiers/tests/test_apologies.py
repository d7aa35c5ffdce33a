"""Apology letters: who may issue, the new date, the PDF, the message, the list of due ones."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.models import AuditEvent, Notification
from tinhso.dossiers.apologies import apologies_due, apology_issue
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.tests.factories import at

_seq = iter(range(1, 10_000))


def open_dossier(world, *, due, status="processing", step_code="tham-dinh") -> Dossier:
    received = at(2026, 1, 5, 8)
    return Dossier.objects.create(
        code=f"A-{next(_seq)}",
        procedure=world.procedure,
        applicant=world.citizen,
        applicant_email="huong@example.vn",
        channel="online",
        receiving_organisation=world.centre,
        competent_organisation=world.justice,
        unit=world.province,
        submitted_at=received,
        received_at=received,
        status=status,
        step_code=step_code,
        due_at=due,
    )


@pytest.fixture
def late(world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    clock.set(at(2026, 1, 14, 9))  # a Wednesday
    world.dossier = open_dossier(world, due=at(2026, 1, 13, 17))
    return world


def test_the_head_issues_a_letter_with_a_date_from_the_calendar(late):
    # when the head of the competent agency apologises with 2 more working days
    letter = apology_issue(
        actor=late.head, dossier=late.dossier, reason="Cần xác minh thêm", extra_days=2
    )
    # then the new date is two working days on (Friday 16 January, 09:00)
    assert letter.new_due_at == at(2026, 1, 16, 9)
    assert letter.previous_due_at == at(2026, 1, 13, 17)
    # and the PDF is stored, the applicant is told, the action is audited
    assert letter.stored_file.size > 1000
    assert Notification.objects.filter(subject__contains=late.dossier.code).exists()
    assert AuditEvent.objects.filter(action="dossier.apology").count() == 1
    # and the dossier keeps its legal deadline (it is still late for the indicators)
    late.dossier.refresh_from_db()
    assert late.dossier.due_at == at(2026, 1, 13, 17)
    assert late.dossier.apologies.count() == 1


def test_a_new_date_in_the_past_or_before_the_promise_is_refused(late):
    with pytest.raises(ValidationError):
        apology_issue(
            actor=late.head, dossier=late.dossier, reason="x", new_due_at=at(2026, 1, 14, 8)
        )
    apology_issue(actor=late.head, dossier=late.dossier, reason="x", extra_days=2)
    # a second letter must promise later than the first
    with pytest.raises(ValidationError):
        apology_issue(
            actor=late.head, dossier=late.dossier, reason="y", new_due_at=at(2026, 1, 15, 9)
        )
    assert late.dossier.apologies.count() == 1


def test_an_empty_reason_or_a_silly_number_of_days_is_refused(late):
    for kwargs in ({"reason": " ", "extra_days": 2}, {"reason": "x", "extra_days": 0}):
        with pytest.raises(ValidationError):
            apology_issue(actor=late.head, dossier=late.dossier, **kwargs)
    assert late.dossier.apologies.count() == 0


def test_a_specialist_or_another_agency_may_not_issue(late):
    for actor in (late.specialist, late.other_specialist, late.citizen_user, late.leader):
        with pytest.raises(PermissionDenied):
            apology_issue(actor=actor, dossier=late.dossier, reason="x", extra_days=2)
    # the desk of the receiving agency may
    apology_issue(actor=late.desk, dossier=late.dossier, reason="x", extra_days=2)


def test_a_finished_dossier_gets_no_letter(late):
    late.dossier.status = "returned"
    late.dossier.save()
    with pytest.raises(ValidationError):
        apology_issue(actor=late.head, dossier=late.dossier, reason="x", extra_days=2)


def test_the_due_list_has_late_and_about_to_miss_dossiers_without_a_letter(late):
    # given: late (fixture), due in 2 working hours at the specialist, due in 2 hours but
    # waiting for return (near completion), due next week, and a late one already apologised
    soon = open_dossier(late, due=at(2026, 1, 14, 11))
    open_dossier(late, due=at(2026, 1, 14, 11), step_code="tra-ket-qua")
    open_dossier(late, due=at(2026, 1, 21, 11))
    apologised = open_dossier(late, due=at(2026, 1, 12, 17))
    apology_issue(actor=late.head, dossier=apologised, reason="x", extra_days=3)
    due = list(apologies_due())
    assert [d.pk for d in due] == [late.dossier.pk, soon.pk]


def test_the_command_lists_them(late):
    out = io.StringIO()
    call_command("apologies_due", stdout=out)
    text = out.getvalue()
    assert late.dossier.code in text
    assert "1 hồ sơ cần phiếu xin lỗi." in text


def test_no_letter_for_a_dossier_that_is_on_time(world, clock, settings, tmp_path):
    from tinhso.dossiers.apologies import ApologyNotDue, is_late_or_will_miss

    settings.MEDIA_ROOT = str(tmp_path)
    clock.set(at(2026, 1, 14, 9))
    on_time = open_dossier(world, due=at(2026, 1, 21, 17))
    paused = open_dossier(world, due=at(2026, 1, 14, 16))
    Dossier.objects.filter(pk=paused.pk).update(paused_since=at(2026, 1, 13, 9))
    paused.refresh_from_db()
    soon = open_dossier(world, due=at(2026, 1, 14, 16))
    # the rule is the due list's: late, or due within its window, running, not near completion
    assert not is_late_or_will_miss(on_time)
    assert not is_late_or_will_miss(paused)
    assert is_late_or_will_miss(soon)
    assert set(apologies_due()) == {soon}
    for dossier in (on_time, paused):
        with pytest.raises(ApologyNotDue) as caught:
            apology_issue(actor=world.head, dossier=dossier, reason="x", extra_days=2)
        assert caught.value.code == "apology_not_due"
    assert not AuditEvent.objects.filter(action="dossier.apology").exists()
    # the one about to miss its date gets its letter
    apology_issue(actor=world.head, dossier=soon, reason="x", extra_days=2)
    assert soon.apologies.count() == 1
