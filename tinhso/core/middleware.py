from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings

from tinhso.core.context import client_ip_var, current_request_id, request_id_var
from tinhso.core.exceptions import PayloadTooLarge
from tinhso.core.responses import error_response

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed one from the proxy) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(request.META.get("REMOTE_ADDR") or None)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(id_token)
            client_ip_var.reset(ip_token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class BodyLimitMiddleware:
    """Refuse an oversized body from its Content-Length, before anything reads it.

    Uploads get their own, larger limit; everything else gets
    DATA_UPLOAD_MAX_MEMORY_SIZE. Django would otherwise raise RequestDataTooBig
    deep inside a view, which surfaces as a generic 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = (
            settings.TINHSO_MAX_UPLOAD_BYTES
            if content_type.startswith("multipart/form-data")
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if limit and length > limit:
            return error_response(
                request,
                PayloadTooLarge(details={"max_bytes": limit, "content_length": length}),
            )
        return self.get_response(request)
