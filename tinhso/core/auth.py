"""Authentication for pages and the API.

Pages use Django sessions with CSRF. The API accepts a bearer token from
``POST /api/v1/auth/token`` or the same page session (CSRF checked on unsafe
methods). Lockout after repeated failures is django-axes, fed by
``django.contrib.auth.authenticate`` and by failed one-time codes; its response
is ours (``lockout_response``). The second factor is TOTP (RFC 6238).

The sign-in steps shared by the page and the API live here
(``check_password``, ``check_otp``); the audited writes are in
``tinhso.core.services.users``.
"""

from __future__ import annotations

import hashlib
import re

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tinhso.core.exceptions import AuthenticationFailed, CsrfFailed, Locked

TOKEN_PREFIX = "tso_"  # noqa: S105 (a public marker, not a secret)
TOTP_ISSUER = "Tỉnh số"
_OTP_FORMAT = re.compile(r"^\d{6}$")
# A code is accepted for at most three 30-second steps (valid_window=1); it is
# remembered a little longer so it cannot be replayed.
_OTP_REPLAY_SECONDS = 120


class InvalidCredentials(AuthenticationFailed):
    code = "invalid_credentials"
    default_message = _("Tên đăng nhập hoặc mật khẩu không đúng.")


class OtpRequired(AuthenticationFailed):
    code = "otp_required"
    default_message = _("Tài khoản này cần mã xác thực 6 chữ số từ ứng dụng xác thực.")


class OtpInvalid(AuthenticationFailed):
    code = "otp_invalid"
    default_message = _("Mã xác thực không đúng hoặc đã hết hạn.")


# --- API tokens ---------------------------------------------------------------


def token_hash(key: str) -> str:
    # The key carries 256 random bits, so a fast hash is enough: nobody can
    # guess a key from its hash, and look-up stays one indexed query.
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user, name: str = "", days: int | None = None, actor=None):
    """Create a token for ``user``; see ``services.users.api_token_issue``."""
    from tinhso.core.services.users import api_token_issue as issue

    return issue(actor=actor if actor is not None else user, user=user, name=name, days=days)


def token_for_key(key: str):
    """The usable token (not revoked, not expired, active user) for a clear key, or None."""
    from tinhso.core.models import ApiToken

    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 128:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(key), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Writing on every request would turn each read into a write; a few
    # minutes' precision is enough to spot unused tokens.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_for_token(key: str):
    token = token_for_key(key)
    return token.user if token is not None else None


class BearerAuth(HttpBearer):
    """``Authorization: Bearer tso_...``; no CSRF: a browser never sends it on its own."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        api_token = token_for_key(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The page session, for the site's own scripts; CSRF is enforced on unsafe methods.

    ninja's ``APIKeyCookie`` checks CSRF before it even looks for the cookie, so
    a request with no session at all would get "CSRF failed" instead of "not
    signed in". Here the check runs only once the session is known to belong
    to a signed-in user, and it fails with our own error.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not key:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise CsrfFailed()
        request.api_token = None
        return user


api_auth = [BearerAuth(), SessionAuth()]


# --- Lockout (django-axes) ---------------------------------------------------


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when an account is locked: our error, JSON or page (429)."""
    from django.shortcuts import render

    from tinhso.core.responses import error_body, wants_json

    error = Locked(details={"retry_after_minutes": lockout_minutes()})
    if wants_json(request):
        from django.http import JsonResponse

        response = JsonResponse(error_body(request, error), status=error.status)
    else:
        response = render(
            request,
            "core/auth/locked.html",
            {"error": error, "minutes": lockout_minutes()},
            status=error.status,
        )
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response


def lockout_minutes() -> int:
    hours = settings.AXES_COOLOFF_TIME or 0
    return max(1, round(float(hours) * 60))


def is_locked(request, username: str) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, {"username": username})


def record_failure(request, username: str) -> None:
    """Count a failed step that ``authenticate`` did not see (a wrong one-time code)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def check_password(request, username: str, password: str):
    """The user for these credentials, or Locked / InvalidCredentials.

    Goes through ``authenticate`` so django-axes counts the failure and refuses
    a locked account even with the right password.
    """
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise Locked(details={"retry_after_minutes": lockout_minutes()})
        raise InvalidCredentials()
    return user


# --- One-time codes (TOTP) ---------------------------------------------------


def totp_required(user) -> bool:
    """Whether signing in needs a one-time code: the role demands it or the user enabled it."""
    return user.role in settings.TINHSO_TOTP_REQUIRED_ROLES or bool(
        user.totp_secret and user.totp_confirmed_at
    )


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def totp_qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG, drawn here (no network)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def normalise_otp(code) -> str:
    return re.sub(r"[\s-]", "", str(code or ""))


def totp_verify(secret: str, code, *, replay_key: str) -> bool:
    """True if ``code`` is the current code of ``secret`` (±30 s) and was not used before."""
    code = normalise_otp(code)
    if not secret or not _OTP_FORMAT.match(code):
        return False
    if not pyotp.TOTP(secret).verify(code, valid_window=1):
        return False
    # cache.add is atomic: two requests racing with the same code, one wins.
    return cache.add(f"tinhso:totp-used:{replay_key}:{code}", 1, _OTP_REPLAY_SECONDS)


def check_otp(request, user, code) -> None:
    """Refuse a locked account, a missing code or a wrong one (which counts as a failure)."""
    if is_locked(request, user.username):
        raise Locked(details={"retry_after_minutes": lockout_minutes()})
    if not normalise_otp(code):
        raise OtpRequired()
    if not totp_verify(user.totp_secret, code, replay_key=str(user.pk)):
        record_failure(request, user.username)
        if getattr(request, "axes_locked_out", False):
            raise Locked(details={"retry_after_minutes": lockout_minutes()})
        raise OtpInvalid()
