"""Request-level guards: a request id on everything, body size and type, API error shapes.

Order in ``MIDDLEWARE`` (outermost first): ``RequestIdMiddleware``,
``BodyLimitMiddleware``, ``ApiRequestMiddleware``, then Django's. The body is
checked before anything else reads it (the CSRF middleware reads form bodies),
so an oversized or badly typed body never reaches a view and never becomes a
generic 400 or a 500.
"""

from __future__ import annotations

import logging
import os
import re
import uuid

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tinhso.core.context import client_ip_var, current_request_id, request_id_var
from tinhso.core.exceptions import (
    MethodNotAllowed,
    PayloadTooLarge,
    TinhsoError,
    UnsupportedMediaType,
)
from tinhso.core.net import client_ip
from tinhso.core.responses import error_response

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
API_PREFIX = "/api/"
_JSON_TYPES = ("application/json",)
_MULTIPART = "multipart/form-data"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed one from the proxy) for logs and audit,
    and compute the client's address once (``request.client_ip``, ``current_client_ip()``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        # The real client behind a trusted proxy (tinhso.core.net), for audit and limits.
        request.client_ip = client_ip(request)
        ip_token = client_ip_var.set(request.client_ip or None)
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


def _content_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _media_type(request) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()


def _has_body(request) -> bool:
    length = _content_length(request)
    if length is not None:
        return length > 0
    # No Content-Length: a chunked body (ASGI buffers it before the view runs).
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _buffered_size(request) -> int | None:
    """Size of a body already buffered by the server (ASGI), without reading it."""
    stream = getattr(request, "_stream", None)
    if stream is None or not getattr(stream, "seekable", lambda: False)():
        return None
    position = stream.tell()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(position)
    return size - position


class BodyLimitMiddleware:
    """Refuse an oversized body with 413, before anything reads it.

    Uploads (``multipart/form-data``) get their own, larger limit; everything
    else gets DATA_UPLOAD_MAX_MEMORY_SIZE. The declared Content-Length is
    checked first; a body without one (``Transfer-Encoding: chunked``) is
    checked by reading it here, at most one byte past the limit, so Django's
    ``RequestDataTooBig`` (and form-field limits) surface as 413/400 with our
    error body instead of a generic 400 from deep inside the CSRF middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in BODY_METHODS and not _has_body(request):
            return self.get_response(request)
        multipart = _media_type(request) == _MULTIPART
        limit = (
            settings.TINHSO_MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        length = _content_length(request)
        if length is None:
            length = _buffered_size(request)
        if limit and length is not None and length > limit:
            return self._too_large(request, limit, length)
        try:
            if multipart:
                # Parse now: field and file-count limits raise here, not in a view.
                request.POST  # noqa: B018
            else:
                request.body  # noqa: B018
                if _media_type(request) == "application/x-www-form-urlencoded":
                    request.POST  # noqa: B018
        except RequestDataTooBig:
            return self._too_large(request, limit, length)
        except (TooManyFieldsSent, TooManyFilesSent):
            return error_response(
                request,
                TinhsoError(_("Biểu mẫu gửi lên có quá nhiều trường."), code="too_many_fields"),
            )
        except (MultiPartParserError, SuspiciousOperation):
            log.warning("unreadable request body", exc_info=True)
            return error_response(
                request,
                TinhsoError(_("Không đọc được nội dung gửi lên."), code="malformed_body"),
            )
        return self.get_response(request)

    @staticmethod
    def _too_large(request, limit: int, length: int | None):
        details = {"max_bytes": limit}
        if length is not None:
            details["content_length"] = length
        return error_response(request, PayloadTooLarge(details=details))


def _multipart_allowed(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.TINHSO_API_MULTIPART_PATHS)


class ApiRequestMiddleware:
    """The API's rules that sit outside any one endpoint.

    - A body on POST/PUT/PATCH must be JSON (``application/json``), or
      ``multipart/form-data`` on the paths listed in
      ``TINHSO_API_MULTIPART_PATHS`` (upload endpoints opt in there); anything
      else is 415 ``unsupported_media_type``.
    - A 405 from the router becomes our JSON error (``method_not_allowed``),
      keeping the ``Allow`` header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        if request.method in BODY_METHODS and _has_body(request):
            media_type = _media_type(request)
            accepted = list(_JSON_TYPES)
            if _multipart_allowed(request.path):
                accepted.append(_MULTIPART)
            if media_type not in accepted:
                return error_response(
                    request,
                    UnsupportedMediaType(
                        details={"content_type": media_type or None, "accepted": accepted}
                    ),
                )
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allow = response.get("Allow", "")
            error = MethodNotAllowed(
                details={"method": request.method, "allowed": [m for m in allow.split(", ") if m]}
            )
            replacement = error_response(request, error)
            if allow:
                replacement["Allow"] = allow
            return replacement
        return response


class TinhsoErrorMiddleware:
    """A ``TinhsoError`` escaping a page view becomes its error page, with its status.

    (The API handles its own in ``tinhso/api.py``.) Listed last in MIDDLEWARE,
    so it sees a view's exception before any other middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, TinhsoError):
            return error_response(request, exception)
        return None


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the person chose otherwise with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so a civil
    servant whose browser is set to English would get English pages without
    asking. The platform speaks Vietnamese by default; only the language cookie
    set by the switch (``/i18n/setlang/``) changes that.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
