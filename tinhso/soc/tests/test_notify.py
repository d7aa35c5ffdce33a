"""Incident notices: queued with the alert, delivered outside it, by e-mail and a signed
webhook; on a new incident and on a severity rise only; failures retried then failed."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from tinhso.core.links import public_url
from tinhso.soc import notify, services
from tinhso.soc.choices import NoticeStatus
from tinhso.soc.models import Notice

pytestmark = pytest.mark.django_db

SECRET = "khoa-bi-mat-cho-webhook"


def _alert(ip="203.0.113.70", rule="scan-404", severity="medium"):
    return services.alert_create(
        rule=rule,
        severity=severity,
        summary=f"{rule}: {ip}",
        source_ip=ip,
        evidence=[{"url": "/.env", "status": 404, "source_ip": ip}],
    )


class _Receiver(BaseHTTPRequestHandler):
    received: list
    answer = 204

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    server.answer = 204
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


EMAILS = ["an-ninh@haiphong.gov.vn", "truc-ca@haiphong.gov.vn"]


@override_settings(TINHSO_SOC_NOTIFY_EMAILS=EMAILS, TINHSO_SOC_NOTIFY_MODE="command")
def test_a_new_incident_is_mailed_after_the_transaction_not_in_it():
    alert = _alert()
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.PENDING and notice.incident_id == alert.incident_id
    assert mail.outbox == []  # nothing sent inside the alert's transaction
    assert notify.notices_deliver() == {"sent": 1, "retry": 0, "failed": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == EMAILS
    assert "Sự cố an ninh mới" in message.subject and "scan-404" in message.subject
    assert "203.0.113.70" in message.subject and "Trung bình" in message.subject
    assert public_url(f"/quan-tri/an-ninh/su-co/{alert.incident_id}/") in message.body
    assert message.body.count("http") == 1
    assert "Luật phát hiện: scan-404" in message.body
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.sent_at and notice.attempts == 1
    assert notify.notices_deliver() == {"sent": 0, "retry": 0, "failed": 0}  # sent once


@override_settings(TINHSO_SOC_NOTIFY_EMAILS=EMAILS, TINHSO_SOC_NOTIFY_MODE="command")
def test_only_new_incidents_and_severity_rises_are_notified():
    _alert(severity="medium")
    _alert(severity="medium")
    _alert(severity="low")
    assert Notice.objects.count() == 1
    _alert(rule="web-attack", severity="high")
    assert Notice.objects.count() == 2
    assert "tăng mức độ" in Notice.objects.order_by("-pk").first().subject
    _alert(rule="web-attack", severity="high")
    assert Notice.objects.count() == 2


def test_nothing_is_queued_when_nothing_is_configured():
    _alert()
    assert not Notice.objects.exists()


def test_the_webhook_gets_json_signed_with_hmac(receiver):
    url = f"http://127.0.0.1:{receiver.server_port}/hook"
    with override_settings(
        TINHSO_SOC_WEBHOOK_URL=url,
        TINHSO_SOC_WEBHOOK_SECRET=SECRET,
        TINHSO_SOC_NOTIFY_MODE="command",
    ):
        alert = _alert(severity="high")
        assert notify.notices_deliver()["sent"] == 1
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Tinhso-Signature"] == expected
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["event"] == "incident.opened"
    assert payload["incident"]["id"] == alert.incident_id
    assert payload["incident"]["key"] == "203.0.113.70"
    assert payload["incident"]["severity"] == "high"
    assert payload["alert"]["rule"] == "scan-404"
    # A tampered body would not verify.
    assert not hmac.compare_digest(
        expected, notify.sign(body.replace(b"203.0.113.70", b"203.0.113.71"), SECRET)
    )


def test_a_failing_webhook_is_retried_then_marked_failed(receiver):
    receiver.answer = 500
    url = f"http://127.0.0.1:{receiver.server_port}/hook"
    with override_settings(
        TINHSO_SOC_WEBHOOK_URL=url,
        TINHSO_SOC_WEBHOOK_SECRET=SECRET,
        TINHSO_SOC_NOTIFY_MODE="command",
        TINHSO_SOC_NOTIFY_ATTEMPTS=3,
        TINHSO_SOC_NOTIFY_RETRY_SECONDS=0,
    ):
        _alert()
        assert notify.notices_deliver() == {"sent": 0, "retry": 1, "failed": 0}
        notice = Notice.objects.get()
        assert notice.status == NoticeStatus.PENDING and notice.attempts == 1
        assert "500" in notice.last_error
        assert notify.notices_deliver() == {"sent": 0, "retry": 1, "failed": 0}
        assert notify.notices_deliver() == {"sent": 0, "retry": 0, "failed": 1}
        assert notify.notices_deliver() == {"sent": 0, "retry": 0, "failed": 0}
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and notice.attempts == 3
    assert len(receiver.received) == 3


@override_settings(
    TINHSO_SOC_WEBHOOK_URL="http://127.0.0.1:9/nobody-listens",
    TINHSO_SOC_NOTIFY_MODE="command",
    TINHSO_SOC_NOTIFY_RETRY_SECONDS=600,
)
def test_an_unreachable_webhook_waits_for_its_retry_and_raises_nothing():
    _alert()
    assert notify.notices_deliver()["retry"] == 1
    assert notify.notices_deliver() == {"sent": 0, "retry": 0, "failed": 0}  # not yet due
    notice = Notice.objects.get()
    assert notice.last_error and notice.next_attempt_at > notice.created_at


@override_settings(TINHSO_SOC_NOTIFY_EMAILS=EMAILS, TINHSO_SOC_NOTIFY_MODE="command")
def test_the_command_delivers_pending_notices():
    _alert()
    out = StringIO()
    call_command("soc_notify", stdout=out)
    assert "Đã gửi 1" in out.getvalue()
    assert len(mail.outbox) == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        call_command("soc_notify", "--limit", "0")
    assert "soc_bad_limit" in str(error.value) and "Traceback" not in str(error.value)


@override_settings(TINHSO_SOC_NOTIFY_EMAILS=EMAILS, TINHSO_SOC_NOTIFY_MODE="command")
def test_a_notice_claimed_by_another_deliverer_is_not_sent_twice():
    _alert()
    notice = Notice.objects.get()
    # Another deliverer's claim: one more attempt and a lease in the future.
    Notice.objects.filter(pk=notice.pk).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=60)
    )
    assert notify.notice_deliver(notice.pk) is None
    assert notify.notices_deliver()["sent"] == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@override_settings(TINHSO_SOC_NOTIFY_EMAILS=EMAILS, TINHSO_SOC_NOTIFY_MODE="thread")
def test_the_background_thread_delivers_after_commit():
    import time

    _alert()
    deadline = time.monotonic() + 10
    sent = lambda: Notice.objects.filter(status=NoticeStatus.SENT).exists()  # noqa: E731
    while time.monotonic() < deadline and not sent():
        time.sleep(0.05)
    assert sent()  # marked after the mail went out
    assert len(mail.outbox) == 1
