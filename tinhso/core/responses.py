"""Turning a TinhsoError into a response: JSON for the API, a page for people.

Every error response carries ``{"error": {"code", "message", "details"?,
"request_id"}}`` (JSON) or the Vietnamese error page ``core/error.html`` with
the same code and request id. See docs/errors.md.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from tinhso.core.exceptions import CsrfFailed, TinhsoError

log = logging.getLogger(__name__)


def wants_json(request) -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_body(request, error: TinhsoError) -> dict:
    body = {"error": error.as_dict()}
    request_id = getattr(request, "request_id", "")
    if request_id:
        body["error"]["request_id"] = request_id
    return body


def _render_page(request, error: TinhsoError) -> HttpResponse:
    context = {"error": error, "request_id": getattr(request, "request_id", "")}
    try:
        html = render_to_string("core/error.html", context, request=request)
    except Exception:
        # An error page must not fail in turn (a broken template, a host Django
        # refuses, a database that is down): fall back to a bare page.
        log.exception("error page could not be rendered")
        html = (
            '<!doctype html><html lang="vi"><meta charset="utf-8">'
            f"<title>{escape(error.message)}</title><h1>{escape(error.message)}</h1>"
            f"<p>Mã lỗi: <code>{escape(error.code)}</code></p></html>"
        )
    return HttpResponse(html, status=error.status)


def error_response(request, error: TinhsoError):
    if wants_json(request):
        return JsonResponse(
            error_body(request, error),
            status=error.status,
            json_dumps_params={"ensure_ascii": False},
        )
    return _render_page(request, error)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a Vietnamese 403 instead of Django's English page."""
    log.warning("CSRF failure: %s", reason)
    return error_response(request, CsrfFailed())
