"""Notifications: recorded in the caller's transaction, sent only after it commits."""

from __future__ import annotations

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from tinhso.core.choices import NotificationStatus
from tinhso.core.models import Notification
from tinhso.core.notifications import (
    LoggingSmsGateway,
    LoggingZaloGateway,
    MessageGateway,
    mask_phone,
    notifications_retry_failed,
    notify,
)

pytestmark = pytest.mark.django_db

SUBJECT = "Hồ sơ 000.00.50.H24-261122-0001 đã được tiếp nhận"
BODY = "Kính gửi bà Nguyễn Thị Hương, hồ sơ Đăng ký khai sinh đã được tiếp nhận."
PHONE = "0912345678"


class RecordingGateway:
    sent: list[dict] = []

    def send(self, *, to, text, template=None, params=None):
        RecordingGateway.sent.append(
            {"to": to, "text": text, "template": template, "params": params}
        )
        return f"rec-{len(RecordingGateway.sent)}"


class BrokenGateway:
    def send(self, *, to, text, template=None, params=None):
        raise ConnectionError(f"provider unreachable while sending to {to}")


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server went away")


@pytest.fixture(autouse=True)
def recording(settings):
    RecordingGateway.sent = []
    settings.TINHSO_SMS_GATEWAY = f"{__name__}.RecordingGateway"
    settings.TINHSO_ZALO_GATEWAY = f"{__name__}.RecordingGateway"
    return RecordingGateway.sent


def test_messages_are_sent_only_after_the_transaction_commits(
    django_capture_on_commit_callbacks, recording
):
    # given a service that records a status change and notifies in its transaction
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        rows = notify(subject=SUBJECT, body=BODY, email="huong@example.vn", phone=PHONE)
        # then while the transaction is open nothing has left
        assert [r.channel for r in rows] == ["email", "sms"]
        assert mail.outbox == [] and recording == []
        assert {r.status for r in rows} == {NotificationStatus.PENDING}
    # and after the commit both are sent and marked
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == SUBJECT
    assert message.body == BODY
    assert message.to == ["huong@example.vn"]
    assert recording == [{"to": PHONE, "text": BODY, "template": None, "params": None}]
    for row in Notification.objects.all():
        assert row.status == NotificationStatus.SENT
        assert row.sent_at is not None
    assert Notification.objects.get(channel="sms").provider_message_id == "rec-1"


def test_nothing_is_sent_or_kept_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks, recording
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(subject=SUBJECT, body=BODY, email="huong@example.vn", phone=PHONE)
        raise RuntimeError("the dossier could not be saved")
    assert callbacks == []
    assert mail.outbox == [] and recording == []
    assert Notification.objects.count() == 0


def test_a_failed_send_is_recorded_and_never_reaches_the_caller(
    settings, django_capture_on_commit_callbacks, caplog
):
    # given an SMS provider that is down
    settings.TINHSO_SMS_GATEWAY = f"{__name__}.BrokenGateway"
    # when a notification is sent after commit
    with (
        caplog.at_level(logging.WARNING, logger="tinhso.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (row,) = notify(subject=SUBJECT, body=BODY, phone=PHONE, channels=("sms",))
    # then the caller got its row, and the row says what went wrong, phone masked
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "ConnectionError: provider unreachable" in row.error
    assert PHONE not in row.error and "091****678" in row.error
    assert row.sent_at is None
    assert PHONE not in caplog.text and "091****678" in caplog.text


def test_a_mail_server_failure_is_recorded(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify(subject=SUBJECT, body=BODY, email="huong@example.vn", channels=("email",))
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "mail server went away" in row.error


def test_failed_notifications_can_be_sent_again(settings, django_capture_on_commit_callbacks):
    settings.TINHSO_SMS_GATEWAY = f"{__name__}.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        notify(subject=SUBJECT, body=BODY, phone=PHONE, channels=("sms",))
    # when the provider is back
    settings.TINHSO_SMS_GATEWAY = f"{__name__}.RecordingGateway"
    assert notifications_retry_failed() == 1
    row = Notification.objects.get()
    assert row.status == NotificationStatus.SENT and row.error == ""
    # and a sent row is not sent twice
    assert notifications_retry_failed() == 0
    assert len(RecordingGateway.sent) == 1


def test_the_gateway_comes_from_the_setting_and_zalo_gets_its_template(
    settings, django_capture_on_commit_callbacks, recording
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            subject=SUBJECT,
            body=BODY,
            phone=PHONE,
            channels=("zalo",),
            template="dossier_received",
            params={"code": "000.00.50.H24-261122-0001"},
        )
    assert recording == [
        {
            "to": PHONE,
            "text": BODY,
            "template": "dossier_received",
            "params": {"code": "000.00.50.H24-261122-0001"},
        }
    ]


def test_channels_without_an_address_are_skipped(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            subject=SUBJECT, body=BODY, email="huong@example.vn", channels=("email", "sms")
        )
    assert [r.channel for r in rows] == ["email"]
    assert notify(subject=SUBJECT, body=BODY, channels=("email", "sms")) == []


def test_the_users_email_is_used_and_the_related_object_named(
    django_user_model, django_capture_on_commit_callbacks
):
    user = django_user_model.objects.create_user(
        username="huong", email="huong@example.vn", password="x" * 12
    )
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify(subject=SUBJECT, body=BODY, user=user, related=("dossiers.dossier", 42))
    assert row.recipient_user_id == user.pk
    assert row.related_type == "dossiers.dossier" and row.related_id == "42"
    assert mail.outbox[0].to == ["huong@example.vn"]


def test_a_subject_with_a_line_break_is_flattened(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            subject="Hồ sơ\r\nBcc: x@y", body=BODY, email="huong@example.vn", channels=("email",)
        )
    assert mail.outbox[0].subject == "Hồ sơ Bcc: x@y"


def test_an_unknown_channel_is_a_programming_error():
    with pytest.raises(ValueError, match="fax"):
        notify(subject=SUBJECT, body=BODY, email="a@b.vn", channels=("fax",))


def test_the_logging_gateways_mask_the_phone_number(caplog):
    assert isinstance(LoggingSmsGateway(), MessageGateway)
    assert isinstance(LoggingZaloGateway(), MessageGateway)
    with caplog.at_level(logging.INFO, logger="tinhso.notifications"):
        sms_id = LoggingSmsGateway().send(to=PHONE, text=f"Mã hồ sơ, gọi {PHONE}")
        zalo_id = LoggingZaloGateway().send(
            to="+84912345678", text=BODY, template="t1", params={"phone": PHONE}
        )
    assert sms_id.startswith("log-") and zalo_id != sms_id
    assert "912345678" not in caplog.text
    assert "091****678" in caplog.text and "+8491****678" in caplog.text


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("0912345678", "091****678"),
        ("+84912345678", "+8491****678"),
        ("gọi 02253123456 nhé", "gọi 022****456 nhé"),
        ("mã 123", "mã 123"),
    ],
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked
