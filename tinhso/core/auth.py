"""Authentication for pages and the API.

Pages use Django sessions with CSRF. The API accepts the same session (CSRF
checked on writes) or a bearer token from ``POST /api/v1/auth/token``.
Lockout after repeated failures is django-axes; its response is ours.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from tinhso.core.exceptions import Locked
from tinhso.core.models import ApiToken

TOKEN_PREFIX = "tso_"  # noqa: S105 (a public marker, not a secret)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token; the clear key is returned once and never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:12],
        key_hash=_hash(key),
        expires_at=timezone.now() + timedelta(days=days or settings.TINHSO_API_TOKEN_DAYS),
    )
    return token, key


def user_for_token(key: str):
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The page session, for the site's own scripts; CSRF is checked on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api_auth = [BearerAuth(), SessionAuth()]


def lockout_response(request, credentials, *args, **kwargs):
    """django-axes calls this when an account is locked: our error, JSON or page."""
    from tinhso.core.responses import error_response

    return error_response(request, Locked())
