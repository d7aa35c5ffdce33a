"""Sign-in pages: password, one-time code, sign-out, and the account security page.

A session is only logged in once every required step passed: after the password
the session holds a short-lived "pending" marker, never the login itself.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.core.auth import (
    InvalidCredentials,
    OtpInvalid,
    OtpRequired,
    check_otp,
    check_password,
    is_locked,
    lockout_response,
    record_failure,
    totp_new_secret,
    totp_qr_svg,
    totp_required,
    totp_uri,
)
from tinhso.core.exceptions import Locked, TinhsoError
from tinhso.core.forms import LoginForm, OtpForm
from tinhso.core.models import User
from tinhso.core.services.users import (
    totp_disable,
    totp_enable,
    user_record_login,
    user_record_login_failed,
    user_record_logout,
)

PENDING_KEY = "tinhso_auth_pending"
SETUP_KEY = "tinhso_totp_setup"
# Time allowed between the password and the one-time code.
PENDING_SECONDS = 300


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _finish_login(request, user, *, backend: str, second_factor: bool):
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=backend)
    user_record_login(user=user, channel="page", second_factor=second_factor)


def _pending(request):
    """The user waiting for the second step, with the pending data; or (None, None)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = User.objects.filter(pk=pending.get("uid"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None
    return user, pending


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _safe_next(request)
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url)
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            username = form.cleaned_data["username"].strip()
            try:
                user = check_password(request, username, form.cleaned_data["password"])
            except Locked:
                user_record_login_failed(username=username, reason="account_locked", channel="page")
                return lockout_response(request)
            except InvalidCredentials as exc:
                user_record_login_failed(username=username, reason=exc.code, channel="page")
                form.add_error(None, exc.message)
                status = 401
            else:
                if totp_required(user):
                    # Not logged in yet: the session only remembers who passed step one.
                    request.session.cycle_key()
                    request.session[PENDING_KEY] = {
                        "uid": user.pk,
                        "backend": user.backend,
                        "at": time.time(),
                        "next": next_url,
                    }
                    return redirect("core:login_otp")
                _finish_login(request, user, backend=user.backend, second_factor=False)
                return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        # Both inputs point at the summary when the pair was refused as a whole.
        "form_error_id": "login-error" if form.non_field_errors() else "",
    }
    return render(request, "core/auth/login.html", context, status=status)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_otp_view(request):
    user, pending = _pending(request)
    if user is None:
        messages.info(request, _("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."))
        return redirect("core:login")
    enrolling = not (user.totp_secret and user.totp_confirmed_at)
    if enrolling and not pending.get("secret"):
        pending["secret"] = totp_new_secret()
        request.session[PENDING_KEY] = pending
    form = OtpForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"]
            try:
                if enrolling:
                    if is_locked(request, user.username):
                        raise Locked()
                    try:
                        totp_enable(actor=user, user=user, secret=pending["secret"], code=code)
                    except OtpInvalid:
                        record_failure(request, user.username)
                        if getattr(request, "axes_locked_out", False):
                            raise Locked() from None
                        raise
                else:
                    check_otp(request, user, code)
            except Locked:
                user_record_login_failed(
                    username=user.username, reason="account_locked", channel="page"
                )
                request.session.pop(PENDING_KEY, None)
                return lockout_response(request)
            except (OtpInvalid, OtpRequired) as exc:
                user_record_login_failed(username=user.username, reason=exc.code, channel="page")
                form.add_error("code", exc.message)
                status = 401
            else:
                next_url = pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL)
                _finish_login(request, user, backend=pending["backend"], second_factor=True)
                return redirect(next_url)
    context = {"form": form, "enrolling": enrolling, "pending_user": user}
    if enrolling:
        context.update(_enrolment_context(user, pending["secret"]))
    return render(request, "core/auth/otp.html", context, status=status)


def _enrolment_context(user, secret: str) -> dict:
    uri = totp_uri(user, secret)
    # segno writes the SVG itself from the URI: no user-controlled markup.
    return {
        "qr_svg": mark_safe(totp_qr_svg(uri)),  # noqa: S308
        "secret": secret,
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        user_record_logout(user=request.user)
    logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def security_view(request):
    """Turn the second factor on (QR code, then a code) or off (a code)."""
    user = request.user
    enabled = bool(user.totp_secret and user.totp_confirmed_at)
    mandatory = user.role in settings.TINHSO_TOTP_REQUIRED_ROLES
    form = OtpForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"]
            try:
                if enabled:
                    totp_disable(actor=user, user=user, code=code)
                    messages.success(request, _("Đã tắt xác thực hai bước."))
                else:
                    secret = request.session.get(SETUP_KEY, "")
                    totp_enable(actor=user, user=user, secret=secret, code=code)
                    request.session.pop(SETUP_KEY, None)
                    messages.success(request, _("Đã bật xác thực hai bước."))
                return redirect("core:account_security")
            except TinhsoError as exc:
                form.add_error("code", exc.message)
                status = exc.status
    context = {"form": form, "enabled": enabled, "mandatory": mandatory}
    if not enabled:
        secret = request.session.get(SETUP_KEY)
        if not secret:
            secret = request.session[SETUP_KEY] = totp_new_secret()
        context.update(_enrolment_context(user, secret))
    return render(request, "core/auth/security.html", context, status=status)
