"""Who may do what, and on which rows.

Two questions, asked in this order for every scoped read or write:

1. May this role perform ``action`` on this kind of object at all? (``ROLE_ACTIONS``)
2. On which rows? (the model's ``scope_q(user, action)``)

A "no" to the first gives an empty queryset, so an out-of-scope read looks
exactly like a missing row (see ``tinhso.core.selectors.get_object_for``).

The second question is answered from the user's *scope*: the administrative
units and the organisations they act for (``user_scope``, ``scope_unit_ids``,
``organisation_ids``). Domain apps build their ``scope_q`` with ``scope_filter``;
docs/security.md shows how.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from tinhso.core.choices import Role

# Actions per model label ("app_label.model_name") that each role may perform.
# "view" on public reference data is open to everyone, signed in or not.
PUBLIC_VIEW = {
    "core.administrativeunit",
    "core.unitsuccession",
    "core.organisation",
    "core.calendarday",
}


def _official(**extra: set[str]) -> dict[str, set[str]]:
    """What every official may do on the core's own rows, plus ``extra`` (label with __)."""
    actions = {
        "core.citizen": {"view"},
        "core.user": {"view", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
    }
    for label, more in extra.items():
        actions[label.replace("__", ".")] = set(more)
    return actions


ROLE_ACTIONS: dict[str, dict[str, set[str]]] = {
    Role.CITIZEN: {
        "core.citizen": {"view", "change"},
        "core.user": {"view", "change"},
        "core.apitoken": {"view", "add", "delete"},
        "core.auditevent": {"view"},
    },
    Role.DESK_OFFICER: _official(core__citizen={"view", "add"}),
    Role.SPECIALIST: _official(),
    Role.HEAD: _official(),
    Role.LEADER: _official(),
    # The staff of a project owner (chủ đầu tư): their investment rows come from
    # tinhso.investment.permissions.
    Role.PROJECT_OWNER: _official(),
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

# Roles whose scope is an organisation's business (everyone but citizens).
OFFICIAL_ROLES = frozenset(
    {
        Role.DESK_OFFICER,
        Role.SPECIALIST,
        Role.HEAD,
        Role.LEADER,
        Role.IT_ADMIN,
        Role.PROJECT_OWNER,
    }
)


def model_label(model) -> str:
    return model._meta.label_lower


def is_signed_in(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def role_may(user, model, action: str) -> bool:
    label = model_label(model)
    if action == "view" and label in PUBLIC_VIEW:
        return True
    if not is_signed_in(user):
        return False
    return action in ROLE_ACTIONS.get(user.role, {}).get(label, set())


def scope_q(model, user, action: str) -> Q | bool | None:
    """The filter for rows ``user`` may ``action`` on: Q, None (all) or False (none)."""
    if not role_may(user, model, action):
        return False
    if action == "view" and model_label(model) in PUBLIC_VIEW:
        return None
    model_scope = getattr(model, "scope_q", None)
    if model_scope is None:
        # Fail closed: a scoped model must say which rows a user reaches.
        raise ImproperlyConfigured(f"{model_label(model)} uses restrict() but has no scope_q().")
    return model_scope(user, action)


def require(user, model, action: str) -> None:
    """Raise PermissionDenied unless the role may ``action`` on ``model`` at all."""
    from tinhso.core.exceptions import PermissionDenied

    if not role_may(user, model, action):
        raise PermissionDenied()


# --- Scope: the administrative units and organisations a user acts for ---------


@dataclass(frozen=True)
class Scope:
    """What a user's scope covers.

    ``unrestricted`` is true only for IT administrators; their ``unit_ids`` and
    ``organisation_ids`` are then empty and mean nothing. Citizens and anonymous
    visitors have an empty, restricted scope: they reach rows by ownership
    (``citizen_id``, ``user_id``), never by unit.
    """

    unrestricted: bool
    unit_ids: frozenset[int]
    organisation_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.unrestricted and not self.unit_ids and not self.organisation_ids


_NO_SCOPE = Scope(unrestricted=False, unit_ids=frozenset(), organisation_ids=frozenset())
_ALL_SCOPE = Scope(unrestricted=True, unit_ids=frozenset(), organisation_ids=frozenset())
_CACHE_ATTR = "_tinhso_scope"


def unit_subtree_ids(unit_ids) -> set[int]:
    """``unit_ids`` and every unit below them (province → district → commune)."""
    from tinhso.core.selectors.units import unit_descendant_ids

    ids: set[int] = set()
    for pk in unit_ids:
        ids |= unit_descendant_ids(pk, include_self=True)
    return ids


def unit_predecessor_ids(unit_ids) -> set[int]:
    """Pre-reform communes merged (wholly or partly) into any of ``unit_ids``.

    Records made before 1 July 2025 keep naming the old commune, so the officer
    of the new commune must still reach them.
    """
    from tinhso.core.models import UnitSuccession

    if not unit_ids:
        return set()
    return set(
        UnitSuccession.objects.filter(new_unit_id__in=unit_ids, old_unit__isnull=False)
        .values_list("old_unit_id", flat=True)
        .distinct()
    )


def _organisation_subtree_ids(organisation_ids) -> set[int]:
    from tinhso.core.models import Organisation

    seen = set(organisation_ids)
    frontier = set(seen)
    while frontier:
        children = set(
            Organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = children - seen
        seen |= frontier
    return seen


def _compute_scope(user) -> Scope:
    from tinhso.core.models import Organisation

    if not is_signed_in(user) or user.role not in OFFICIAL_ROLES:
        return _NO_SCOPE
    if user.role == Role.IT_ADMIN:
        return _ALL_SCOPE

    own_units = set(user.units.values_list("id", flat=True))
    organisation = user.organisation if user.organisation_id else None
    if not own_units and organisation is not None:
        own_units = {organisation.unit_id}

    # Only a leader's scope reaches down the tree.
    units = unit_subtree_ids(own_units) if user.role == Role.LEADER else set(own_units)
    units |= unit_predecessor_ids(units)

    organisations: set[int] = set()
    if organisation is not None:
        organisations.add(organisation.pk)
    if user.role == Role.HEAD:
        organisations = _organisation_subtree_ids(organisations)
    elif user.role == Role.LEADER and units:
        organisations |= set(
            Organisation.objects.filter(unit_id__in=units).values_list("id", flat=True)
        )
    return Scope(
        unrestricted=False, unit_ids=frozenset(units), organisation_ids=frozenset(organisations)
    )


def user_scope(user) -> Scope:
    """The user's scope, computed once and kept on the user object.

    ``request.user`` lives for one request, so this is a per-request cache; call
    ``clear_scope_cache(user)`` after changing the user's units or organisation
    on an object you keep using.

    - citizen, anonymous: empty (they reach their own rows by ownership);
    - desk officer, specialist: their ``units`` (or their organisation's unit when
      none are set) and their organisation;
    - head of unit: the same units; their organisation and the organisations below it;
    - leader: their units (or their organisation's unit) and the whole subtree
      below, and every organisation serving a unit in it;
    - IT administrator: unrestricted.

    Every official's units also include the pre-reform communes merged into them.
    """
    if user is None:
        return _NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if is_signed_in(user):
        setattr(user, _CACHE_ATTR, scope)
    return scope


def clear_scope_cache(user) -> None:
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_unit_ids(user) -> frozenset[int] | None:
    """Ids of the administrative units the user's scope covers; None means no limit."""
    scope = user_scope(user)
    return None if scope.unrestricted else scope.unit_ids


def organisation_ids(user) -> frozenset[int] | None:
    """Ids of the organisations the user acts for; None means no limit."""
    scope = user_scope(user)
    return None if scope.unrestricted else scope.organisation_ids


def scope_filter(
    user, *, unit: str | None = None, organisation: str | None = None
) -> Q | bool | None:
    """The usual body of a domain model's ``scope_q``.

    ``unit`` and ``organisation`` name the lookups (``"unit"``,
    ``"receiving_agency"``, ``"project__owner"`` ...); a row is in scope when
    either matches. Returns None for an unrestricted user, False when nothing
    matches, so it can be returned from ``scope_q`` as it is.
    """
    if unit is None and organisation is None:
        raise ValueError("scope_filter needs a unit or an organisation lookup")
    scope = user_scope(user)
    if scope.unrestricted:
        return None
    condition = Q()
    if unit is not None and scope.unit_ids:
        condition |= Q(**{f"{unit}__in": scope.unit_ids})
    if organisation is not None and scope.organisation_ids:
        condition |= Q(**{f"{organisation}__in": scope.organisation_ids})
    return condition if condition else False
