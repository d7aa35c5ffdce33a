"""Reads of accounts and API tokens, always through ``restrict``."""

from __future__ import annotations

from django.db.models import QuerySet

from tinhso.core.models import ApiToken, User
from tinhso.core.selectors import get_object_for


def user_list_for(user, *, action: str = "view") -> QuerySet[User]:
    """Accounts ``user`` may see: their own, their organisations' (officials), all (IT)."""
    return User.objects.restrict(user, action).select_related("organisation")


def get_user_for(user, pk, *, action: str = "view") -> User:
    """One account, or NotFound alike for a missing and an out-of-scope id."""
    return get_object_for(user, User, action=action, pk=pk)


def api_token_list_for(user, *, include_inactive: bool = False) -> QuerySet[ApiToken]:
    """The tokens ``user`` may see (their own; all for an IT administrator)."""
    from django.utils import timezone

    tokens = ApiToken.objects.restrict(user, "view").select_related("user")
    if not include_inactive:
        tokens = tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return tokens
