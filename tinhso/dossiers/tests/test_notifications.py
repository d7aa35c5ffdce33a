"""Applicants hear of every status change, after commit only."""

import pytest
from django.core import mail

from tinhso.core.exceptions import TinhsoError
from tinhso.core.models import Notification
from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.choices import Channel
from tinhso.dossiers.services import dossier_submit
from tinhso.dossiers.tests.factories import at, pdf_upload

pytestmark = pytest.mark.django_db


def _submit(world):
    return dossier_submit(
        actor=world.citizen_user,
        procedure=world.procedure,
        applicant=world.citizen,
        channel=Channel.ONLINE,
        unit=world.commune,
        files={"to-khai": [pdf_upload()]},
        idempotency_key="notify-0001",
    )


def test_status_change_mails_the_applicant_after_commit(
    world, clock, django_capture_on_commit_callbacks
):
    clock.set(at(2026, 3, 6, 9))
    dossier = _submit(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    # nothing is sent before the commit
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["huong@example.vn"]
    assert dossier.code in message.subject
    assert "Đã tiếp nhận" in message.subject
    assert "13/03/2026" in message.body
    assert Notification.objects.filter(channel="sms", recipient_phone="0912345678").exists()
    # the tracking link is absolute, on the platform's public address
    assert f"http://127.0.0.1:8000/tra-cuu-ho-so/?code={dossier.code}" in message.body


def test_supplement_request_tells_the_applicant_what_to_add(
    world, clock, django_capture_on_commit_callbacks
):
    clock.set(at(2026, 3, 6, 9))
    dossier = _submit(world)
    dossier = dossier_act(actor=world.desk, dossier=dossier, action="receive")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_act(
            actor=world.specialist,
            dossier=dossier,
            action="request_supplement",
            reason="Thiếu giấy tờ",
            items=["Bản sao giấy khai sinh"],
        )
    assert "Bản sao giấy khai sinh" in mail.outbox[0].body


def test_refused_action_sends_nothing_and_writes_nothing(
    world, clock, django_capture_on_commit_callbacks
):
    clock.set(at(2026, 3, 6, 9))
    dossier = _submit(world)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TinhsoError):
        dossier_act(actor=world.desk, dossier=dossier, action="return_result")
    assert Notification.objects.count() == before
    assert dossier.events.count() == 1
