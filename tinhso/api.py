"""The root API: one NinjaAPI, versioned under /api/v1, with one error format.

Every error body is ``{"error": {"code": ..., "message": ..., "details": ..., "request_id": ...}}``
with a stable code and a Vietnamese message.
"""

from __future__ import annotations

import logging

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

import tinhso
from tinhso.core.exceptions import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    TinhsoError,
    UnsupportedMediaType,
    ValidationError,
)
from tinhso.core.responses import error_body

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Tỉnh số API",
    version=f"v1 ({tinhso.__version__})",
    description="API của nền tảng Tỉnh số. Lỗi luôn có dạng "
    '`{"error": {"code": "...", "message": "..."}}` với mã lỗi ổn định.',
    urls_namespace="api",
)


def _respond(request, error: TinhsoError):
    return api.create_response(request, error_body(request, error), status=error.status)


@api.exception_handler(TinhsoError)
def _tinhso_error(request, exc: TinhsoError):
    return _respond(request, exc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    details = []
    for item in exc.errors:
        details.append(
            {
                "loc": [str(part) for part in item.get("loc", [])],
                "type": item.get("type", ""),
                "msg": item.get("msg", ""),
            }
        )
    if any(d["type"] == "json_invalid" for d in details):
        return _respond(
            request,
            ValidationError(_("Nội dung JSON không đúng cú pháp."), code="malformed_json"),
        )
    return _respond(
        request,
        ValidationError(
            _("Dữ liệu gửi lên không hợp lệ, xem chi tiết từng trường."),
            code="invalid_input",
            details=details,
        ),
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _respond(request, AuthenticationFailed())


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _respond(request, NotFound())


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    status = exc.status_code
    if status == 403:
        return _respond(request, PermissionDenied())
    if status == 415:
        return _respond(request, UnsupportedMediaType())
    return _respond(request, TinhsoError(str(exc), code="http_error", status=status))


def _register_routers() -> None:
    from tinhso.core.api import router as core_router

    api.add_router("/v1/", core_router)


_register_routers()
