"""Sign-in outcomes feed the engine (brute force, credential stuffing)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from tinhso.soc import conf
from tinhso.soc.engine import EVENTS
from tinhso.soc.schema import Event


def _submit(request, username: str, outcome: str) -> None:
    if request is None or not conf.get("TINHSO_SOC_ENABLED"):
        return
    ip = conf.client_ip(request)
    if conf.allowlisted(ip):
        return
    EVENTS.submit(
        Event(
            time=datetime.now(UTC),
            source_ip=ip,
            user=(username or "")[:150],
            outcome=outcome,
            source="platform",
            url="",
        )
    )


@receiver(user_login_failed, dispatch_uid="tinhso_soc_login_failed")
def on_login_failed(sender, credentials=None, request=None, **kwargs):
    credentials = credentials or {}
    _submit(request, str(credentials.get("username", "")), "login_failed")


@receiver(user_logged_in, dispatch_uid="tinhso_soc_logged_in")
def on_logged_in(sender, request=None, user=None, **kwargs):
    _submit(request, user.get_username() if user is not None else "", "login_ok")
