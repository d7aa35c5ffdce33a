"""The whole path of a dossier, with deadlines checked on concrete dates."""

import datetime as dt

import pytest

from tinhso.core.models import AuditEvent
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.models import Dossier, DossierFile, SupplementRequest
from tinhso.dossiers.services import dossier_submit
from tinhso.dossiers.tests.factories import at, pdf_upload

pytestmark = pytest.mark.django_db


def submit_online(world, clock, when, **extra):
    clock.set(when)
    return dossier_submit(
        actor=world.citizen_user,
        procedure=world.procedure,
        applicant=world.citizen,
        channel=Channel.ONLINE,
        unit=world.commune,
        form_data={"address": "Số 1 Lê Lợi"},
        files={"to-khai": [pdf_upload()]},
        idempotency_key=extra.pop("key", "key-00000001"),
        **extra,
    )


def test_online_submission_waits_at_the_centre_with_a_code(world, clock):
    # given a citizen submitting online on Friday 6 March 2026
    dossier = submit_online(world, clock, at(2026, 3, 6, 15, 30))
    # then it waits, new, in the province centre's desk inbox, routed to the justice department
    assert dossier.status == DossierStatus.NEW
    assert dossier.code == "000.00.50.H24-260306-0001"
    assert dossier.receiving_organisation == world.centre
    assert dossier.competent_organisation == world.justice
    assert dossier.current_organisation == world.centre
    assert dossier.due_at is None
    assert DossierFile.objects.filter(dossier=dossier).count() == 1
    assert AuditEvent.objects.filter(action="dossier.submit", object_id=str(dossier.pk)).exists()


def test_full_path_with_supplement_moves_the_deadline_by_the_paused_time(world, clock):
    # given an online dossier received Friday 6 March 2026 16:00 (5 working days)
    dossier = submit_online(world, clock, at(2026, 3, 6, 15, 30))
    clock.set(at(2026, 3, 6, 16))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive", expected_version=1)
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.due_at == at(2026, 3, 13, 16)
    assert dossier.step_code == "tham-dinh"
    assert dossier.current_organisation == world.justice
    assert dossier.step_due_at == at(2026, 3, 11, 10)  # 20 working hours: 1 + 8 + 8 + 3

    # when the head assigns it and the specialist asks for a supplement Monday 09:00
    clock.set(at(2026, 3, 9, 8))
    dossier = dossier_act(
        actor=world.head, dossier=dossier, action="assign", assignee=world.specialist.pk
    )
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.assignee == world.specialist
    clock.set(at(2026, 3, 9, 9))
    dossier = dossier_act(
        actor=world.specialist,
        dossier=dossier,
        action="request_supplement",
        reason="Tờ khai thiếu chữ ký",
        items=["to-khai"],
    )
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert dossier.supplement_count == 1
    assert dossier.paused_since == at(2026, 3, 9, 9)

    # and the citizen answers on Wednesday 09:00 (two working days later)
    clock.set(at(2026, 3, 11, 9))
    dossier = dossier_act(
        actor=world.citizen_user,
        dossier=dossier,
        action="submit_supplement",
        files={"to-khai": [pdf_upload("to-khai-ky.pdf")]},
    )
    # then the due date moves by exactly the 16 paused working hours
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.due_at == at(2026, 3, 17, 16)
    assert dossier.paused_total == dt.timedelta(hours=16)
    assert dossier.paused_since is None
    request = SupplementRequest.objects.get(dossier=dossier)
    assert request.resolved_at == at(2026, 3, 11, 9)
    assert request.files.count() == 1

    # when the specialist forwards and the head approves
    clock.set(at(2026, 3, 12, 10))
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="forward")
    assert dossier.step_code == "phe-duyet"
    assert dossier.current_role == "head"
    clock.set(at(2026, 3, 13, 9))
    dossier = dossier_act(actor=world.head, dossier=dossier, action="approve")
    # then it is processed and waits at the centre's desk for return
    assert dossier.status == DossierStatus.PROCESSED
    assert dossier.finished_at == at(2026, 3, 13, 9)
    assert dossier.step_code == "tra-ket-qua"
    assert dossier.current_organisation == world.centre

    # when the desk returns the result on Monday 16 March (before the moved due date)
    clock.set(at(2026, 3, 16, 10))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="return_result")
    assert dossier.status == DossierStatus.RETURNED
    assert dossier.returned_at == at(2026, 3, 16, 10)
    assert dossier.returned_late is False

    # and the whole history is kept, one row per step, in order
    actions = list(dossier.events.order_by("at", "id").values_list("action", flat=True))
    assert actions == [
        "submit",
        "receive",
        "assign",
        "request_supplement",
        "submit_supplement",
        "forward",
        "approve",
        "return_result",
    ]
    assert dossier.version == 8
    assert (
        AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(dossier.pk)).count()
        == 8
    )


def test_returned_after_the_due_moment_is_marked_late(world, clock):
    dossier = submit_online(world, clock, at(2026, 3, 6, 15, 30))
    clock.set(at(2026, 3, 6, 16))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    clock.set(at(2026, 3, 9, 8))
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="forward")
    dossier = dossier_act(actor=world.head, dossier=dossier, action="approve")
    clock.set(at(2026, 3, 16, 8))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="return_result")
    assert dossier.returned_late is True


def test_desk_submission_is_received_at_once(world, clock):
    # given a desk officer of a commune committee receiving a province dossier ("phi địa giới")
    clock.set(at(2026, 3, 6, 18))
    dossier = dossier_submit(
        actor=world.commune_desk,
        procedure=world.procedure,
        applicant=world.other_citizen,
        channel=Channel.IN_PERSON,
        unit=world.other_commune,
        files={"to-khai": [pdf_upload()]},
        idempotency_key="desk-0000001",
    )
    # then it is received by that committee, routed to the department, clock from Monday 07:00
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.code.startswith("000.01.90.H24-260306-")
    assert dossier.receiving_organisation == world.commune_committee
    assert dossier.competent_organisation == world.justice
    assert dossier.due_at == at(2026, 3, 13, 17)
    assert dossier.received_by == world.commune_desk


def test_commune_procedure_goes_to_the_commune_committee(world, clock):
    clock.set(at(2026, 3, 6, 9))
    dossier = dossier_submit(
        actor=world.citizen_user,
        procedure=world.commune_procedure,
        applicant=world.citizen,
        channel=Channel.ONLINE,
        unit=world.commune,
        files={"to-khai": [pdf_upload()]},
        idempotency_key="commune-0001",
    )
    assert dossier.competent_organisation == world.commune_committee
    assert dossier.receiving_organisation == world.commune_committee


def test_refusal_during_processing_ends_the_dossier_with_the_reason(world, clock):
    dossier = submit_online(world, clock, at(2026, 3, 6, 9))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="forward")
    dossier = dossier_act(
        actor=world.head, dossier=dossier, action="refuse", reason="Không đủ điều kiện"
    )
    assert dossier.status == DossierStatus.REFUSED
    assert dossier.refusal_reason == "Không đủ điều kiện"
    assert dossier.finished_at is not None


def test_send_back_returns_the_dossier_to_the_specialist_who_forwarded_it(world, clock):
    dossier = submit_online(world, clock, at(2026, 3, 6, 9))
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    dossier = dossier_act(actor=world.specialist2, dossier=dossier, action="forward")
    dossier = dossier_act(
        actor=world.head, dossier=dossier, action="send_back", note="Xem lại mục 3"
    )
    assert dossier.step_code == "tham-dinh"
    assert dossier.assignee == world.specialist2


def test_citizen_withdraws_before_processed(world, clock):
    dossier = submit_online(world, clock, at(2026, 3, 6, 9))
    dossier = dossier_act(actor=world.citizen_user, dossier=dossier, action="withdraw")
    assert dossier.status == DossierStatus.WITHDRAWN


def test_refusal_at_receipt_needs_a_reason(world, clock):
    from tinhso.core.exceptions import ValidationError

    dossier = submit_online(world, clock, at(2026, 3, 6, 9))
    with pytest.raises(ValidationError) as error:
        dossier_act(actor=world.desk, dossier=dossier, action="refuse_receipt", reason="  ")
    assert error.value.code == "reason_required"
    dossier = dossier_act(
        actor=world.desk, dossier=dossier, action="refuse_receipt", reason="Sai thẩm quyền"
    )
    assert dossier.status == DossierStatus.REFUSED
    assert Dossier.objects.get(pk=dossier.pk).refusal_reason == "Sai thẩm quyền"
