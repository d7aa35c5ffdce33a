"""Incident notices: e-mail and a signed webhook, queued in the alert's transaction and
delivered outside it.

``notices_queue`` writes one ``Notice`` per configured channel when an incident opens
or its severity rises (never for every alert), inside the transaction that stored the
alert, and wakes the delivery thread once that transaction has committed. Neither the
engine nor a web request ever waits for a mail server or a webhook: the thread (or
``tinhso soc_notify``, for cron) claims each due notice with a conditional update, so
two deliverers never send the same one, sends it, and records ``sent``; a failure is
retried after TINHSO_SOC_NOTIFY_RETRY_SECONDS × 4^(attempt−1) until
TINHSO_SOC_NOTIFY_ATTEMPTS, then marked ``failed`` with its error. Nothing raised by a
mail server or a webhook reaches the caller.

The webhook receives ``POST`` with a JSON body and ``X-Tinhso-Signature:
sha256=<hex HMAC-SHA256 of the body with TINHSO_SOC_WEBHOOK_SECRET>``, within 3 s.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import urllib.error
import urllib.request
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.core.links import public_url
from tinhso.soc import conf
from tinhso.soc.choices import NoticeChannel, NoticeStatus, Severity
from tinhso.soc.models import Alert, Incident, Notice

log = logging.getLogger("tinhso.soc.notify")

WEBHOOK_TIMEOUT = 3.0
MAX_ERROR = 2000
SIGNATURE_HEADER = "X-Tinhso-Signature"


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _incident_link(incident: Incident) -> str:
    return public_url(reverse("soc:incident", args=[incident.pk]))


def _payload(incident: Incident, alert: Alert, change: str) -> dict:
    return {
        "event": "incident.opened" if change == "new" else "incident.escalated",
        "incident": {
            "id": incident.pk,
            "title": incident.title,
            "severity": incident.severity,
            "status": incident.status,
            "key_scope": incident.key_scope,
            "key": incident.key,
            "first_seen": incident.first_seen.isoformat(),
            "last_seen": incident.last_seen.isoformat(),
            "alert_count": incident.alert_count,
            "rules": list(incident.rules),
            "url": _incident_link(incident),
        },
        "alert": {
            "id": alert.pk,
            "rule": alert.rule,
            "severity": alert.severity,
            "source_ip": alert.source_ip or "",
            "user": alert.user,
            "summary": alert.summary,
            "created_at": alert.created_at.isoformat(),
        },
    }


def _message(incident: Incident, alert: Alert, change: str) -> tuple[str, str]:
    """Subject and body in Vietnamese (the analysts' language), whatever the caller's."""
    with translation.override("vi"):
        severity = str(Severity(incident.severity).label)
        values = {
            "rule": alert.rule,
            "key": incident.key,
            "severity": severity,
            "count": incident.alert_count,
            "first": timezone.localtime(incident.first_seen).strftime("%d/%m/%Y %H:%M:%S"),
            "last": timezone.localtime(incident.last_seen).strftime("%d/%m/%Y %H:%M:%S"),
            "rules": ", ".join(incident.rules),
            "link": _incident_link(incident),
        }
        if change == "new":
            subject = _("[Tỉnh số] Sự cố an ninh mới (%(severity)s): %(rule)s — %(key)s") % values
            lead = _("Hệ thống giám sát vừa ghi nhận một sự cố an ninh mới.")
        else:
            subject = (
                _("[Tỉnh số] Sự cố an ninh tăng mức độ (%(severity)s): %(rule)s — %(key)s") % values
            )
            lead = _("Một sự cố an ninh đang mở vừa tăng mức độ nghiêm trọng.")
        lines = [
            lead,
            "",
            _("Luật phát hiện: %(rule)s") % values,
            _("Đối tượng (địa chỉ hoặc người dùng): %(key)s") % values,
            _("Mức độ: %(severity)s") % values,
            _("Số cảnh báo: %(count)s (các luật: %(rules)s)") % values,
            _("Lần đầu: %(first)s — lần cuối: %(last)s") % values,
            "",
            _("Xem và xử lý trên trang giám sát: %(link)s") % values,
        ]
    return " ".join(subject.split())[:255], "\n".join(lines)


def notices_queue(*, incident: Incident, alert: Alert, change: str) -> list[Notice]:
    """One notice per configured channel; call inside the alert's transaction."""
    emails = [e.strip() for e in conf.get("TINHSO_SOC_NOTIFY_EMAILS") if e and e.strip()]
    url = (conf.get("TINHSO_SOC_WEBHOOK_URL") or "").strip()
    if not emails and not url:
        return []
    subject, body = _message(incident, alert, change)
    payload = _payload(incident, alert, change)
    rows = []
    if emails:
        rows.append(
            Notice.objects.create(
                incident=incident,
                channel=NoticeChannel.EMAIL,
                recipient=", ".join(emails)[:1000],
                subject=subject,
                body=body,
                payload=payload,
            )
        )
    if url:
        rows.append(
            Notice.objects.create(
                incident=incident,
                channel=NoticeChannel.WEBHOOK,
                recipient=url[:1000],
                subject=subject,
                body=body,
                payload=payload,
            )
        )
    transaction.on_commit(DELIVERER.wake, robust=True)
    return rows


# --- delivery ----------------------------------------------------------------------------


def _send_email(notice: Notice) -> None:
    recipients = [r.strip() for r in notice.recipient.split(",") if r.strip()]
    send_mail(notice.subject, notice.body, None, recipients, fail_silently=False)


def _send_webhook(notice: Notice) -> None:
    body = json.dumps(notice.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "tinhso-soc/1",
        "X-Tinhso-Event": str(notice.payload.get("event", "")),
    }
    secret = conf.get("TINHSO_SOC_WEBHOOK_SECRET") or ""
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    if not notice.recipient.startswith(("https://", "http://")):
        raise ValueError("the webhook address must start with http:// or https://")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        notice.recipient, data=body, headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(
                notice.recipient, response.status, "not 2xx", response.headers, None
            )


def _retry_delay(attempts: int) -> timedelta:
    base = conf.get("TINHSO_SOC_NOTIFY_RETRY_SECONDS")
    return timedelta(seconds=min(base * 4 ** max(0, attempts - 1), 6 * 3600))


def notice_deliver(notice_id: int, *, now=None) -> Notice | None:
    """Claim one due notice, send it, record the outcome. Never raises for a send.

    Returns None when the notice is not pending and due, or another deliverer claimed it.
    """
    now = now or timezone.now()
    notice = Notice.objects.filter(
        pk=notice_id, status=NoticeStatus.PENDING, next_attempt_at__lte=now
    ).first()
    if notice is None:
        return None
    attempt = notice.attempts + 1
    lease = now + timedelta(seconds=60)  # a deliverer that dies leaves it due again
    claimed = Notice.objects.filter(
        pk=notice.pk, status=NoticeStatus.PENDING, attempts=notice.attempts
    ).update(attempts=attempt, next_attempt_at=lease)
    if not claimed:
        return None
    notice.attempts = attempt
    try:
        if notice.channel == NoticeChannel.EMAIL:
            _send_email(notice)
        else:
            _send_webhook(notice)
    except Exception as exc:  # any failure of the far end: recorded, retried
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        notice.last_error = error
        if attempt >= conf.get("TINHSO_SOC_NOTIFY_ATTEMPTS"):
            notice.status = NoticeStatus.FAILED
            log.warning("soc notice %s (%s) failed for good: %s", notice.pk, notice.channel, error)
        else:
            notice.next_attempt_at = timezone.now() + _retry_delay(attempt)
            log.info("soc notice %s (%s) failed, will retry: %s", notice.pk, notice.channel, error)
        notice.save(update_fields=["status", "last_error", "next_attempt_at"])
        return notice
    notice.status = NoticeStatus.SENT
    notice.sent_at = timezone.now()
    notice.last_error = ""
    notice.save(update_fields=["status", "sent_at", "last_error"])
    return notice


def notices_deliver(*, limit: int = 100, now=None) -> dict[str, int]:
    """Deliver the due pending notices, oldest first; counts by outcome."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = Notice.objects.filter(status=NoticeStatus.PENDING, next_attempt_at__lte=now)
    for pk in list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]):
        notice = notice_deliver(pk, now=now)
        if notice is None:
            continue
        if notice.status == NoticeStatus.SENT:
            counts["sent"] += 1
        elif notice.status == NoticeStatus.FAILED:
            counts["failed"] += 1
        else:
            counts["retry"] += 1
    return counts


class Deliverer:
    """A daemon thread delivering notices: woken after each commit that queued some, and
    every TINHSO_SOC_NOTIFY_POLL_SECONDS for retries. TINHSO_SOC_NOTIFY_MODE=command leaves
    delivery to ``tinhso soc_notify`` alone."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def wake(self) -> None:
        if conf.get("TINHSO_SOC_NOTIFY_MODE") != "thread":
            return
        self._ensure()
        self._wake.set()

    def _ensure(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="tinhso-soc-notify", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        from django.db import connection

        while True:
            self._wake.wait(timeout=float(conf.get("TINHSO_SOC_NOTIFY_POLL_SECONDS")))
            self._wake.clear()
            try:
                notices_deliver()
            except Exception:
                log.exception("soc: notice delivery failed")
            finally:
                connection.close()  # idle between rounds: hold no database connection


DELIVERER = Deliverer()
