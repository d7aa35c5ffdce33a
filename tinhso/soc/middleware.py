"""Enforce active decisions at once and feed the platform's own requests to the engine.

The common case (no decision against the address) costs a dict lookup and no database
query. Requests that score as attacks (request inspection) are refused on the spot when
TINHSO_SOC_BLOCK_ATTACKS is on. Allowlisted addresses are neither checked nor watched.
A challenge decision serves the challenge page (challenge.py) unless the request carries
a valid pass. Paths in TINHSO_SOC_UNINSPECTED_PATHS (the log ingest, whose bodies carry
attacks as data) are enforced but neither inspected nor fed to the engine.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import TinhsoError
from tinhso.core.responses import error_response
from tinhso.soc import challenge, conf
from tinhso.soc.enforcement import DECISIONS
from tinhso.soc.engine import EVENTS
from tinhso.soc.schema import Event


class AccessBlocked(TinhsoError):
    status = 403
    code = "soc_blocked"
    default_message = _(
        "Truy cập từ địa chỉ của bạn đã bị tạm chặn do phát hiện hành vi bất thường. Vui lòng thử lại sau."
    )


class RateLimited(TinhsoError):
    status = 429
    code = "soc_rate_limited"
    default_message = _("Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.")


class RequestRejected(TinhsoError):
    status = 403
    code = "soc_request_rejected"
    default_message = _("Yêu cầu bị từ chối vì chứa nội dung không an toàn.")


def _refusal(request, active) -> object:
    error = RateLimited() if active.kind == "rate_limit" else AccessBlocked()
    response = error_response(request, error)
    retry = max(1, int(active.expires - time.time()))
    response["Retry-After"] = str(retry)
    return response


class SocMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not conf.get("TINHSO_SOC_ENABLED"):
            return self.get_response(request)
        ip = conf.client_ip(request)
        if conf.allowlisted(ip):
            return self.get_response(request)
        DECISIONS.refresh()
        active = DECISIONS.lookup_ip(ip)
        if active is None and DECISIONS.users:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                active = DECISIONS.lookup_user(user.get_username())
        challenged = False
        if active is not None:
            if active.kind != "challenge":
                return _refusal(request, active)
            challenged = not challenge.is_exempt(request.path) and not challenge.has_pass(
                request, ip=ip, decision_id=active.id
            )
        if not challenged and conf.uninspected(request.path):
            return self.get_response(request)
        event = Event(
            time=datetime.now(UTC),
            source_ip=ip,
            host=request.META.get("HTTP_HOST", "")[:255],  # raw: get_host() may raise
            method=request.method or "",
            url=request.get_full_path()[:4096],
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            source="platform",
        )
        verdict = EVENTS.engine.inspector.inspect(
            url=event.url,
            user_agent=event.user_agent,
            method=event.method,
            values=_form_values(request),
        )
        event.extra.update(attack=verdict.is_attack, score=verdict.score, rules=verdict.rule_ids)
        if challenged:  # still watched: attacks and floods behind the challenge count
            response = challenge.challenge_response(request, ip=ip, active=active)
        elif verdict.is_attack and conf.get("TINHSO_SOC_BLOCK_ATTACKS"):
            response = error_response(request, RequestRejected())
        else:
            response = self.get_response(request)
        event.status = response.status_code
        EVENTS.submit(event)
        if conf.get("TINHSO_SOC_MODE") == "inline":
            EVENTS.drain()
        return response


def _form_values(request) -> list[str]:
    """Values of an urlencoded form body already read by Django (never reads a file upload)."""
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return []
    try:
        return [
            v
            for key, values in request.POST.lists()
            if key != "csrfmiddlewaretoken"
            for v in values
        ]
    except Exception:
        return []
