"""Turning a TinhsoError into a response: JSON for the API, a page for people."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from tinhso.core.exceptions import TinhsoError


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


def error_response(request, error: TinhsoError):
    if wants_json(request):
        return JsonResponse(error_body(request, error), status=error.status)
    return render(
        request,
        "core/error.html",
        {"error": error, "request_id": getattr(request, "request_id", "")},
        status=error.status,
    )
