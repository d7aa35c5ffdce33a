"""The root API: one NinjaAPI, versioned under /api/v1, with one error format.

Every error body is ``{"error": {"code": ..., "message": ..., "details": ..., "request_id": ...}}``
with a stable code and a Vietnamese message (docs/errors.md). ``install_error_handlers``
gives any NinjaAPI (a later version, a test API) the same handling.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

import tinhso
from tinhso.core.exceptions import (
    AuthenticationFailed,
    Conflict,
    CsrfFailed,
    InvalidInput,
    Locked,
    MalformedJson,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ServerError,
    TinhsoError,
    UnsupportedMediaType,
)
from tinhso.core.responses import error_body

log = logging.getLogger(__name__)


def _field_messages() -> dict[str, str]:
    # Vietnamese for the pydantic error types users meet most; the type itself
    # stays in ``details`` for programs.
    return {
        "missing": _("Thiếu trường bắt buộc."),
        "extra_forbidden": _("Trường này không được phép."),
        "string_type": _("Phải là chuỗi ký tự."),
        "string_too_short": _("Chuỗi quá ngắn."),
        "string_too_long": _("Chuỗi quá dài."),
        "string_pattern_mismatch": _("Không đúng định dạng."),
        "int_type": _("Phải là số nguyên."),
        "int_parsing": _("Phải là số nguyên."),
        "int_from_float": _("Phải là số nguyên."),
        "float_type": _("Phải là số."),
        "float_parsing": _("Phải là số."),
        "decimal_parsing": _("Phải là số."),
        "decimal_type": _("Phải là số."),
        "bool_type": _("Phải là true hoặc false."),
        "bool_parsing": _("Phải là true hoặc false."),
        "greater_than": _("Giá trị quá nhỏ."),
        "greater_than_equal": _("Giá trị quá nhỏ."),
        "less_than": _("Giá trị quá lớn."),
        "less_than_equal": _("Giá trị quá lớn."),
        "date_type": _("Phải là ngày theo dạng YYYY-MM-DD."),
        "date_parsing": _("Phải là ngày theo dạng YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Ngày không hợp lệ (dạng YYYY-MM-DD, ngày phải có thật)."),
        "date_from_datetime_inexact": _("Phải là ngày, không kèm giờ."),
        "datetime_type": _("Phải là thời điểm theo chuẩn ISO 8601."),
        "datetime_parsing": _("Thời điểm không hợp lệ (chuẩn ISO 8601, ngày giờ phải có thật)."),
        "datetime_from_date_parsing": _(
            "Thời điểm không hợp lệ (chuẩn ISO 8601, ngày giờ phải có thật)."
        ),
        "time_parsing": _("Giờ không hợp lệ."),
        "enum": _("Giá trị không nằm trong danh sách cho phép."),
        "literal_error": _("Giá trị không nằm trong danh sách cho phép."),
        "list_type": _("Phải là danh sách."),
        "dict_type": _("Phải là đối tượng JSON."),
        "model_type": _("Phải là đối tượng JSON."),
        "model_attributes_type": _("Phải là đối tượng JSON."),
        "json_invalid": _("Nội dung JSON không đúng cú pháp."),
        "uuid_parsing": _("Phải là UUID."),
        "url_parsing": _("Phải là địa chỉ URL."),
        "value_error": _("Giá trị không hợp lệ."),
    }


def _field_message(item: dict[str, Any], messages: dict[str, str]) -> str:
    kind = item.get("type", "")
    if kind in ("value_error", "assertion_error"):
        # A validator's own message (written in Vietnamese, like every message).
        error = (item.get("ctx") or {}).get("error")
        if error is not None:
            return str(getattr(error, "message", error))
    return messages.get(kind, _("Giá trị không hợp lệ."))


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    messages = _field_messages()
    details = []
    for item in errors:
        # ``loc`` starts with the source ("body", "query", "path"), then for a
        # body schema the endpoint's parameter name, then the field.
        loc = [str(part) for part in item.get("loc", [])]
        details.append(
            {
                "loc": loc,
                "type": item.get("type", ""),
                "message": _field_message(item, messages),
            }
        )
    return details


def install_error_handlers(api: NinjaAPI) -> NinjaAPI:
    """Map every exception an endpoint can raise to the one error format."""

    def respond(request, error: TinhsoError):
        return api.create_response(request, error_body(request, error), status=error.status)

    @api.exception_handler(TinhsoError)
    def _tinhso_error(request, exc: TinhsoError):
        return respond(request, exc)

    @api.exception_handler(NinjaValidationError)
    def _validation_error(request, exc: NinjaValidationError):
        details = validation_details(exc.errors)
        if any(d["type"] == "json_invalid" for d in details):
            return respond(request, MalformedJson())
        return respond(request, InvalidInput(details=details))

    @api.exception_handler(AuthenticationError)
    def _auth_error(request, exc):
        return respond(request, AuthenticationFailed())

    @api.exception_handler(AuthorizationError)
    def _authorization_error(request, exc):
        return respond(request, PermissionDenied())

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, NotFound())

    @api.exception_handler(ObjectDoesNotExist)
    def _does_not_exist(request, exc):
        return respond(request, NotFound())

    @api.exception_handler(DjangoPermissionDenied)
    def _django_permission_denied(request, exc):
        return respond(request, PermissionDenied())

    @api.exception_handler(DjangoValidationError)
    def _django_validation_error(request, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            details = [
                {"loc": ["body", field], "type": "invalid", "message": " ".join(messages)}
                for field, messages in exc.message_dict.items()
            ]
        else:
            details = [{"loc": ["body"], "type": "invalid", "message": m} for m in exc.messages]
        return respond(request, InvalidInput(details=details))

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        # The body-limit middleware stops most; this is for a body read later.
        return respond(request, PayloadTooLarge())

    @api.exception_handler(IntegrityError)
    def _integrity_error(request, exc):
        # A service checks what it can; two requests racing for the same
        # unique value still meet here. Logged: it may also be a bug.
        log.warning("integrity error in the API", exc_info=True)
        return respond(request, Conflict())

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        status = exc.status_code
        if status == 400 and isinstance(exc.__cause__, ValueError):
            # ninja 1.7 raises HttpError(400, "Cannot parse request body") from
            # the JSONDecodeError (or UnicodeDecodeError) of a malformed body.
            return respond(request, MalformedJson())
        if status == 403:
            if "csrf" in str(exc).lower():
                return respond(request, CsrfFailed())
            return respond(request, PermissionDenied())
        known = {
            401: AuthenticationFailed,
            404: NotFound,
            405: MethodNotAllowed,
            413: PayloadTooLarge,
            415: UnsupportedMediaType,
            429: Locked,
        }
        if status in known:
            return respond(request, known[status]())
        if status >= 500:
            return respond(request, ServerError(status=status))
        return respond(request, TinhsoError(code="http_error", status=status))

    @api.exception_handler(Exception)
    def _unexpected(request, exc: Exception):
        # Never a traceback in the body: the log has it, under the request id
        # the body gives to quote to support.
        log.exception("unexpected error in the API: %s %s", request.method, request.path)
        return respond(request, ServerError())

    return api


api = install_error_handlers(
    NinjaAPI(
        title="Tỉnh số API",
        version=f"v1 ({tinhso.__version__})",
        description="API của nền tảng Tỉnh số. Lỗi luôn có dạng "
        '`{"error": {"code": "...", "message": "..."}}` với mã lỗi ổn định.',
        urls_namespace="api",
    )
)


class PingOut(Schema):
    status: str


@api.get("/v1/ping", response=PingOut, tags=["platform"], summary="Kiểm tra kết nối")
def ping(request):
    """A constant answer that touches neither the database nor the cache.

    The cheapest request the API stack serves: benchmarks compare endpoints
    against it (the ceiling of the same server), and clients may use it to
    check that they reach the API at all.
    """
    return {"status": "ok"}


def _register_routers() -> None:
    from tinhso.core.api import router as core_router
    from tinhso.dossiers.api import router as dossiers_router
    from tinhso.ioc.api import router as ioc_router
    from tinhso.procedures.api import router as procedures_router

    api.add_router("/v1/", core_router)
    api.add_router("/v1/", procedures_router)
    from tinhso.dossiers.api_results import router as results_router

    api.add_router("/v1/dossiers/results/", results_router)
    api.add_router("/v1/dossiers/", dossiers_router)
    api.add_router("/v1/ioc/", ioc_router)
    from tinhso.payments.api import router as payments_router

    api.add_router("/v1/payments/", payments_router)
    from tinhso.investment.api import router as investment_router

    api.add_router("/v1/investment/", investment_router)
    from tinhso.investment.api_excel import router as investment_excel_router

    api.add_router("/v1/investment/", investment_excel_router)
    from tinhso.soc.api import router as soc_router

    api.add_router("/v1/soc/", soc_router)
    from tinhso.soc.api_console import router as soc_console_router

    api.add_router("/v1/soc/", soc_console_router)


_register_routers()
