"""API sign-in: tokens and the current user.

``POST /api/v1/auth/token`` exchanges a username, password and (when the
account needs it) a one-time code for a bearer token, shown once. Failures count
towards the same lockout as the sign-in page.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tinhso.core.auth import (
    InvalidCredentials,
    OtpInvalid,
    OtpRequired,
    api_auth,
    check_otp,
    check_password,
    totp_required,
)
from tinhso.core.exceptions import Locked, ValidationError
from tinhso.core.services.users import (
    api_token_issue,
    api_token_revoke,
    user_record_login,
    user_record_login_failed,
)

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)
    otp: str | None = Field(None, max_length=16, description="Mã xác thực 6 chữ số (TOTP)")
    name: str = Field("", max_length=100, description="Tên gợi nhớ của mã truy cập")


class TokenOut(Schema):
    token: str = Field(..., description="Mã truy cập, chỉ hiển thị một lần")
    expires_at: datetime
    name: str


class OrganisationOut(Schema):
    id: int
    identifier_code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    organisation: OrganisationOut | None
    unit_ids: list[int]
    totp_enabled: bool
    authenticated_by: str


@router.post(
    "/auth/token",
    response={201: TokenOut},
    auth=None,
    summary="Cấp mã truy cập API",
    description="Đổi tên đăng nhập, mật khẩu (và mã xác thực nếu tài khoản yêu cầu) "
    "lấy mã truy cập dạng Bearer. Sai nhiều lần sẽ bị khoá tạm thời (429 account_locked).",
)
def token_issue(request, payload: TokenIn):
    username = payload.username.strip()
    try:
        user = check_password(request, username, payload.password)
        if totp_required(user):
            if not (user.totp_secret and user.totp_confirmed_at):
                raise OtpRequired(
                    _(
                        "Tài khoản này bắt buộc xác thực hai bước nhưng chưa đăng ký. "
                        "Hãy đăng nhập trên trang web để đăng ký trước."
                    ),
                    details={"enrolled": False},
                )
            check_otp(request, user, payload.otp)
    except (InvalidCredentials, OtpRequired, OtpInvalid, Locked) as exc:
        if not isinstance(exc, OtpRequired) or payload.otp:
            user_record_login_failed(username=username, reason=exc.code, channel="api")
        raise
    token, key = api_token_issue(actor=user, user=user, name=payload.name)
    # What a session sign-in does too: last_login, and django-axes resets the
    # failure count for this username and address.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    user_record_login(user=user, channel="api", second_factor=totp_required(user))
    return Status(201, TokenOut(token=key, expires_at=token.expires_at, name=token.name))


@router.delete(
    "/auth/token",
    response={204: None},
    auth=api_auth,
    summary="Thu hồi mã truy cập đang dùng",
)
def token_revoke(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise ValidationError(
            _("Yêu cầu này không dùng mã truy cập API nên không có gì để thu hồi."),
            code="no_token",
        )
    api_token_revoke(actor=request.auth, token=token)
    return Status(204, None)


@router.get("/me", response=MeOut, auth=api_auth, summary="Người dùng hiện tại")
def me(request):
    user = request.auth
    organisation = user.organisation if user.organisation_id else None
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        role_label=str(user.get_role_display()),
        organisation=(
            OrganisationOut(
                id=organisation.pk,
                identifier_code=organisation.identifier_code,
                name=organisation.name,
            )
            if organisation
            else None
        ),
        unit_ids=sorted(user.units.values_list("id", flat=True)),
        totp_enabled=bool(user.totp_secret and user.totp_confirmed_at),
        authenticated_by="token" if getattr(request, "api_token", None) else "session",
    )
