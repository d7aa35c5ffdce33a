"""Who may do what, and on which rows.

Two questions, asked in this order for every scoped read or write:

1. May this role perform ``action`` on this kind of object at all? (``ROLE_ACTIONS``)
2. On which rows? (the model's ``scope_q(user, action)``)

A "no" to the first gives an empty queryset, so an out-of-scope read looks
exactly like a missing row (see ``get_object_for``).
"""

from __future__ import annotations

from django.db.models import Q

from tinhso.core.choices import Role

# Actions per model label ("app_label.model_name") that each role may perform.
# "view" on public reference data is open to everyone, signed in or not.
PUBLIC_VIEW = {"core.administrativeunit", "core.unitsuccession", "core.organisation"}

ROLE_ACTIONS: dict[str, dict[str, set[str]]] = {
    Role.CITIZEN: {
        "core.citizen": {"view", "change"},
        "core.user": {"view", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
    },
    Role.DESK_OFFICER: {
        "core.citizen": {"view", "add"},
        "core.user": {"view", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
    },
    Role.SPECIALIST: {
        "core.citizen": {"view"},
        "core.user": {"view", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
    },
    Role.HEAD: {
        "core.citizen": {"view"},
        "core.user": {"view", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
    },
    Role.LEADER: {
        "core.citizen": {"view"},
        "core.user": {"view", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
    },
    Role.IT_ADMIN: {
        "core.administrativeunit": {"add", "change"},
        "core.unitsuccession": {"add", "change"},
        "core.organisation": {"add", "change", "delete"},
        "core.citizen": {"view"},
        "core.user": {"view", "add", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
        "core.calendarday": {"view", "add", "change", "delete"},
    },
}


def model_label(model) -> str:
    return model._meta.label_lower


def role_may(user, model, action: str) -> bool:
    label = model_label(model)
    if action == "view" and label in PUBLIC_VIEW:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return action in ROLE_ACTIONS.get(user.role, {}).get(label, set())


def scope_q(model, user, action: str) -> Q | bool | None:
    """The filter for rows ``user`` may ``action`` on: Q, None (all) or False (none)."""
    if not role_may(user, model, action):
        return False
    if action == "view" and model_label(model) in PUBLIC_VIEW:
        return None
    return model.scope_q(user, action)


def require(user, model, action: str) -> None:
    """Raise PermissionDenied unless the role may ``action`` on ``model`` at all."""
    from tinhso.core.exceptions import PermissionDenied

    if not role_may(user, model, action):
        raise PermissionDenied()
