"""Notifications by email, SMS and Zalo: recorded in the caller's transaction, sent after it.

``notify(subject=..., body=..., user=..., channels=("email", "sms"), related=dossier)``
creates one ``Notification`` row per channel that has an address, inside the
caller's transaction, and asks ``transaction.on_commit`` to send them. So a
request that rolls back sends nothing, and a message never announces a change
that was not saved. Sending happens once the transaction has committed:

- email through Django's ``send_mail`` (``EMAIL_BACKEND``, ``DEFAULT_FROM_EMAIL``);
- SMS through the gateway named by ``settings.TINHSO_SMS_GATEWAY``;
- Zalo (ZNS: an approved template id and its parameters sent to a phone
  number) through ``settings.TINHSO_ZALO_GATEWAY``.

Both gateways are dotted paths to a class implementing ``MessageGateway``; the
defaults only log. A failed send marks the row ``failed`` with the error, is
logged, and never reaches the caller: the citizen's request has succeeded and
stays successful. ``notification_send`` sends (or re-sends) one row, for a
retry job. Phone numbers are masked in logs and stored errors (``091****678``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tinhso.core.choices import NotificationChannel, NotificationStatus
from tinhso.core.logging import mask_text
from tinhso.core.models import Notification

logger = logging.getLogger("tinhso.notifications")

DEFAULT_SMS_GATEWAY = "tinhso.core.notifications.LoggingSmsGateway"
DEFAULT_ZALO_GATEWAY = "tinhso.core.notifications.LoggingZaloGateway"
MAX_ERROR = 2000


@runtime_checkable
class MessageGateway(Protocol):
    """What an SMS or Zalo provider adapter implements.

    ``send`` delivers one message to one phone number and returns the
    provider's message id; it raises on failure (any exception: the caller
    records it). ``template`` and ``params`` are for template-based channels
    (Zalo ZNS, brand-name SMS with registered templates); ``text`` is always
    given too, as the message rendered in full.
    """

    def send(
        self, *, to: str, text: str, template: str | None = None, params: dict | None = None
    ) -> str: ...


_PHONE = re.compile(r"(?<!\d)(\+?84|0)(\d{2})\d{3,5}(\d{3})(?!\d)")


def mask_phone(text: str) -> str:
    """Phone numbers in ``text`` with their middle digits hidden: ``0912345678`` → ``091****678``."""
    return _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text or "")


def _safe(text: str) -> str:
    return mask_text(mask_phone(text))


class LoggingSmsGateway:
    """Writes the SMS to the log instead of sending it (development, tests, closed networks)."""

    def send(
        self, *, to: str, text: str, template: str | None = None, params: dict | None = None
    ) -> str:
        message_id = f"log-{uuid.uuid4().hex[:16]}"
        logger.info("SMS to %s (%s): %s", mask_phone(to), message_id, _safe(text))
        return message_id


class LoggingZaloGateway:
    """Writes the Zalo ZNS message (template and parameters) to the log instead of sending it."""

    def send(
        self, *, to: str, text: str, template: str | None = None, params: dict | None = None
    ) -> str:
        message_id = f"log-{uuid.uuid4().hex[:16]}"
        logger.info(
            "Zalo ZNS to %s (%s): template=%s params=%s",
            mask_phone(to),
            message_id,
            template or "-",
            _safe(repr(params or {})),
        )
        return message_id


def gateway_for(channel: str) -> MessageGateway:
    """The gateway configured for ``sms`` or ``zalo`` (read from the settings on each call)."""
    if channel == NotificationChannel.SMS:
        path = getattr(settings, "TINHSO_SMS_GATEWAY", DEFAULT_SMS_GATEWAY)
    elif channel == NotificationChannel.ZALO:
        path = getattr(settings, "TINHSO_ZALO_GATEWAY", DEFAULT_ZALO_GATEWAY)
    else:
        raise ValueError(f"no gateway for channel {channel!r}")
    return import_string(path)()


def _related(related: Any) -> tuple[str, str]:
    if related is None:
        return "", ""
    if isinstance(related, tuple):
        kind, pk = related
        return str(kind)[:64], str(pk)[:64]
    return related._meta.label_lower[:64], str(related.pk)[:64]


def _user_addresses(user) -> tuple[str, str]:
    email = getattr(user, "email", "") or ""
    phone = ""
    citizen = getattr(user, "citizen", None) if getattr(user, "citizen_id", None) else None
    if citizen is not None:
        email = email or citizen.email or ""
        phone = citizen.phone or ""
    return email, phone


def notify(
    *,
    subject: str,
    body: str,
    user=None,
    email: str = "",
    phone: str = "",
    channels: Iterable[str] = ("email", "sms"),
    related: Any = None,
    template: str = "",
    params: dict | None = None,
) -> list[Notification]:
    """Record one notification per channel that has an address and send them after commit.

    ``user`` supplies the addresses not given (their email, their citizen
    record's phone). A channel without an address is skipped, so the list may be
    shorter than ``channels`` or empty. ``related`` is a model instance or a
    ``(type, id)`` pair. ``template`` and ``params`` go to template-based
    gateways (Zalo ZNS). Never raises because of a send: see the module docstring.
    """
    channels = tuple(dict.fromkeys(channels))
    unknown = [c for c in channels if c not in NotificationChannel.values]
    if unknown:
        raise ValueError(f"unknown channels: {unknown}")
    if user is not None:
        user_email, user_phone = _user_addresses(user)
        email = email or user_email
        phone = phone or user_phone
    related_type, related_id = _related(related)
    # A header may not span lines: a subject with a newline would be refused by the mailer.
    subject = " ".join(str(subject).split())[:255]
    rows = []
    for channel in channels:
        if channel == NotificationChannel.EMAIL and not email:
            continue
        if channel in (NotificationChannel.SMS, NotificationChannel.ZALO) and not phone:
            continue
        rows.append(
            Notification.objects.create(
                recipient_user_id=getattr(user, "pk", None),
                recipient_email=email if channel == NotificationChannel.EMAIL else "",
                recipient_phone=phone if channel != NotificationChannel.EMAIL else "",
                channel=channel,
                subject=subject,
                body=str(body),
                template=template if channel == NotificationChannel.ZALO else "",
                params=(params or {}) if channel == NotificationChannel.ZALO else {},
                related_type=related_type,
                related_id=related_id,
            )
        )
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _send_all(ids), robust=True)
    return rows


def _send_all(ids: list[int]) -> None:
    for pk in ids:
        notification_send(pk)


def _deliver(notification: Notification) -> str:
    if notification.channel == NotificationChannel.EMAIL:
        send_mail(
            notification.subject,
            notification.body,
            None,  # DEFAULT_FROM_EMAIL
            [notification.recipient_email],
            fail_silently=False,
        )
        return ""
    gateway = gateway_for(notification.channel)
    return str(
        gateway.send(
            to=notification.recipient_phone,
            text=notification.body,
            template=notification.template or None,
            params=notification.params or None,
        )
        or ""
    )


def notification_send(notification_id: int) -> Notification | None:
    """Send one recorded notification now; record ``sent`` or ``failed``. Never raises.

    Skips a row already sent. Used after commit by ``notify`` and by retries.
    """
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.status == NotificationStatus.SENT:
        return notification
    try:
        provider_id = _deliver(notification)
    except Exception as exc:
        error = _safe(f"{type(exc).__name__}: {exc}")[:MAX_ERROR]
        logger.warning(
            "Notification %s by %s to %s failed: %s",
            notification.pk,
            notification.channel,
            mask_phone(notification.recipient_phone) or "email",
            error,
        )
        notification.status = NotificationStatus.FAILED
        notification.error = error
        try:
            notification.save(update_fields=["status", "error"])
        except Exception:  # the database itself failing: logged above, nothing more to do
            logger.exception("Notification %s: could not record the failure", notification.pk)
        return notification
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.error = ""
    notification.provider_message_id = provider_id[:128]
    try:
        notification.save(update_fields=["status", "sent_at", "error", "provider_message_id"])
    except Exception:
        logger.exception("Notification %s was sent but could not be marked", notification.pk)
    return notification


def notifications_retry_failed(*, limit: int = 100) -> int:
    """Send failed notifications again (oldest first); returns how many are now sent."""
    sent = 0
    failed = Notification.objects.filter(status=NotificationStatus.FAILED).order_by("created_at")
    for pk in failed.values_list("pk", flat=True)[:limit]:
        result = notification_send(pk)
        if result is not None and result.status == NotificationStatus.SENT:
            sent += 1
    return sent
