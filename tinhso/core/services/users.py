"""Writes on accounts: creation, passwords, deactivation, second factor, API tokens, sign-ins.

Every service runs in one transaction and writes its audit event in it. No
password, one-time code, TOTP secret or token key ever goes into an event.

Error codes: ``weak_password``, ``invalid_username``, ``username_taken``,
``invalid_role``, ``organisation_required``, ``citizen_required``,
``citizen_taken``, ``units_not_allowed``, ``cannot_deactivate_self``,
``otp_invalid``, ``otp_mandatory``, ``otp_already_enabled``,
``permission_denied``, ``not_found``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.audit import audit_record
from tinhso.core.auth import TOKEN_PREFIX, OtpInvalid, token_hash, totp_verify
from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.models import AdministrativeUnit, ApiToken, Citizen, Organisation, User
from tinhso.core.permissions import clear_scope_cache, require

MAX_TOKEN_DAYS = 365


class WeakPassword(ValidationError):
    code = "weak_password"


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        reasons = [str(message) for message in exc.messages]
        raise WeakPassword(
            _("Mật khẩu chưa đủ mạnh: %(reasons)s") % {"reasons": " ".join(reasons)},
            details={"reasons": reasons},
        ) from None


def _is_it_admin(actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.role == Role.IT_ADMIN


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    organisation: Organisation | None = None,
    units=(),
    citizen: Citizen | None = None,
    full_name: str = "",
    email: str = "",
) -> User:
    """Create an account. ``actor`` None means the platform itself (seeding, the CLI)."""
    if actor is not None:
        require(actor, User, "add")
    username = (username or "").strip()
    try:
        if not username or len(username) > 150:
            raise DjangoValidationError("length")
        UnicodeUsernameValidator()(username)
    except DjangoValidationError:
        raise ValidationError(
            _("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _, tối đa 150 ký tự."),
            code="invalid_username",
        ) from None
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ."), code="invalid_role")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Tên đăng nhập đã được sử dụng."), code="username_taken")
    units = list(units)
    if role == Role.CITIZEN:
        if citizen is None:
            raise ValidationError(
                _("Tài khoản công dân phải gắn với một công dân."), code="citizen_required"
            )
        if User.objects.filter(citizen=citizen).exists():
            raise ValidationError(_("Công dân này đã có tài khoản."), code="citizen_taken")
        if organisation is not None or units:
            raise ValidationError(
                _("Tài khoản công dân không gắn với cơ quan hay đơn vị hành chính."),
                code="units_not_allowed",
            )
    elif organisation is None:
        raise ValidationError(
            _("Tài khoản cán bộ phải thuộc một cơ quan."), code="organisation_required"
        )
    for unit in units:
        if not isinstance(unit, AdministrativeUnit):
            raise ValidationError(_("Đơn vị hành chính không hợp lệ."), code="invalid_unit")

    user = User(
        username=username,
        full_name=(full_name or (citizen.full_name if citizen else "")).strip(),
        email=email,
        role=role,
        organisation=organisation,
        citizen=citizen,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    if units:
        user.units.set(units)
    audit_record(
        actor=actor,
        action="user.created",
        obj=user,
        changes={
            "username": user.username,
            "role": role,
            "organisation": organisation.pk if organisation else None,
            "units": sorted(unit.pk for unit in units),
            "citizen": citizen.pk if citizen else None,
        },
    )
    return user


def _target_for_change(actor, user: User) -> User:
    """``user`` if ``actor`` may change it; out of scope reads as not found."""
    if actor is None:
        return user
    if not User.objects.restrict(actor, "change").filter(pk=user.pk).exists():
        raise NotFound()
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> User:
    """Set a new password (the user, or an IT administrator). Active API tokens are revoked."""
    _target_for_change(actor, user)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = _revoke_tokens_of(user)
    audit_record(
        actor=actor, action="user.password_changed", obj=user, changes={"tokens_revoked": revoked}
    )
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """Close an account: no more sign-in, every token revoked. For IT administrators."""
    if actor is not None:
        if not _is_it_admin(actor):
            raise PermissionDenied()
        if actor.pk == user.pk:
            raise ValidationError(
                _("Không thể tự khoá tài khoản của chính mình."), code="cannot_deactivate_self"
            )
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = _revoke_tokens_of(user)
    audit_record(
        actor=actor,
        action="user.deactivated",
        obj=user,
        changes={"is_active": [True, False], "tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def totp_enable(*, actor, user: User, secret: str, code: str) -> User:
    """Turn on the second factor once the user proves their app shows the right code."""
    if actor is None or actor.pk != user.pk:
        # Only the holder of the phone can enrol it.
        raise PermissionDenied()
    if user.totp_secret and user.totp_confirmed_at:
        raise ValidationError(_("Xác thực hai bước đã được bật."), code="otp_already_enabled")
    if not totp_verify(secret, code, replay_key=str(user.pk)):
        raise OtpInvalid()
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    audit_record(actor=actor, action="user.totp_enabled", obj=user, changes={})
    return user


@transaction.atomic
def totp_disable(*, actor, user: User, code: str = "") -> User:
    """Turn off the second factor.

    The user does it with a current code, unless their role requires it; an IT
    administrator resets it for someone who lost their phone (they enrol again
    at their next sign-in when the role requires it).
    """
    if _is_it_admin(actor) and actor.pk != user.pk:
        pass
    elif actor is not None and actor.pk == user.pk:
        if user.role in settings.TINHSO_TOTP_REQUIRED_ROLES:
            raise ValidationError(
                _("Vai trò của bạn bắt buộc xác thực hai bước, không thể tắt."),
                code="otp_mandatory",
            )
        if not totp_verify(user.totp_secret, code, replay_key=str(user.pk)):
            raise OtpInvalid()
    else:
        raise PermissionDenied()
    was_enabled = bool(user.totp_secret and user.totp_confirmed_at)
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    audit_record(
        actor=actor, action="user.totp_disabled", obj=user, changes={"was_enabled": was_enabled}
    )
    return user


# --- API tokens ---------------------------------------------------------------


@transaction.atomic
def api_token_issue(
    *, actor, user: User, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the clear key is returned once and never stored."""
    if actor is not None and actor.pk != user.pk and not _is_it_admin(actor):
        raise PermissionDenied()
    lifetime = days or settings.TINHSO_API_TOKEN_DAYS
    if not 1 <= lifetime <= MAX_TOKEN_DAYS:
        raise ValidationError(
            _("Thời hạn của mã truy cập phải từ 1 đến %(max)d ngày.") % {"max": MAX_TOKEN_DAYS},
            code="invalid_token_lifetime",
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "")[:100],
        prefix=key[:12],
        key_hash=token_hash(key),
        expires_at=timezone.now() + timedelta(days=lifetime),
    )
    audit_record(
        actor=actor,
        action="api_token.issued",
        obj=token,
        changes={"user": user.pk, "name": token.name, "expires_at": token.expires_at},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token (its owner or an IT administrator); revoking twice changes nothing."""
    if (
        actor is not None
        and not ApiToken.objects.restrict(actor, "delete").filter(pk=token.pk).exists()
    ):
        raise NotFound()
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoked", obj=token, changes={})
    return token


def _revoke_tokens_of(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- Sign-in events -------------------------------------------------------------


@transaction.atomic
def user_record_login(*, user: User, channel: str, second_factor: bool = False) -> None:
    """``user.login``: a session opened (page) or a token obtained (api)."""
    clear_scope_cache(user)
    audit_record(
        actor=user,
        action="user.login",
        obj=user,
        changes={"channel": channel, "second_factor": second_factor},
    )


@transaction.atomic
def user_record_login_failed(*, username: str, reason: str, channel: str) -> None:
    """``user.login_failed``: only the name that was tried and why, never what was typed."""
    username = (username or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=AnonymousUser(),
        action="user.login_failed",
        object_type="core.user",
        object_id=str(user.pk) if user else "",
        object_repr=username,
        changes={"username": username, "reason": reason, "channel": channel},
    )


@transaction.atomic
def user_record_logout(*, user: User) -> None:
    audit_record(actor=user, action="user.logout", obj=user, changes={})
