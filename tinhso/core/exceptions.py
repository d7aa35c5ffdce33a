"""One error hierarchy for the whole platform.

Every error a user can cause is a ``TinhsoError`` with a stable machine code
(``error.code``, never translated, safe to match on) and a Vietnamese message
(``error.message``). The API turns them into JSON, pages into an error page,
the CLI into one line on stderr and exit status 2. Domains subclass these and
list their codes next to their services.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class TinhsoError(Exception):
    status = 400
    code = "bad_request"
    default_message = _("Yêu cầu không hợp lệ.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        details: Any = None,
        status: int | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationError(TinhsoError):
    status = 400
    code = "invalid"
    default_message = _("Dữ liệu không hợp lệ.")


class AuthenticationFailed(TinhsoError):
    status = 401
    code = "not_authenticated"
    default_message = _("Cần đăng nhập để thực hiện thao tác này.")


class PermissionDenied(TinhsoError):
    status = 403
    code = "permission_denied"
    default_message = _("Bạn không có quyền thực hiện thao tác này.")


class NotFound(TinhsoError):
    """Raised alike for a missing row and a row out of the user's scope."""

    status = 404
    code = "not_found"
    default_message = _("Không tìm thấy.")


class MethodNotAllowed(TinhsoError):
    status = 405
    code = "method_not_allowed"
    default_message = _("Phương thức HTTP này không được hỗ trợ cho địa chỉ này.")


class Conflict(TinhsoError):
    status = 409
    code = "conflict"
    default_message = _("Dữ liệu đã bị thay đổi bởi thao tác khác, vui lòng thử lại.")


class PayloadTooLarge(TinhsoError):
    status = 413
    code = "payload_too_large"
    default_message = _("Dữ liệu gửi lên quá lớn.")


class UnsupportedMediaType(TinhsoError):
    status = 415
    code = "unsupported_media_type"
    default_message = _("Kiểu nội dung không được hỗ trợ.")


class MalformedJson(ValidationError):
    code = "malformed_json"
    default_message = _("Nội dung JSON không đúng cú pháp.")


class InvalidInput(ValidationError):
    """A request that parsed but does not match the endpoint's schema; ``details`` lists fields."""

    code = "invalid_input"
    default_message = _("Dữ liệu gửi lên không hợp lệ, xem chi tiết từng trường.")


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_message = _(
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại."
    )


class ServerError(TinhsoError):
    """Not a user's fault: logged with the request id, which the body gives for support."""

    status = 500
    code = "server_error"
    default_message = _("Hệ thống gặp sự cố khi xử lý yêu cầu. Vui lòng thử lại sau.")


class Locked(TinhsoError):
    status = 429
    code = "account_locked"
    default_message = _("Tài khoản tạm bị khoá do đăng nhập sai nhiều lần. Vui lòng thử lại sau.")
