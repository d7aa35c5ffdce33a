"""The security module's entries of ``tinhso.core.permissions.ROLE_ACTIONS``, registered at
start-up: IT administrators only (rows are then all of them, ``scope_q`` in models.py)."""

from __future__ import annotations

from tinhso.core.choices import Role

SOC_ROLE_ACTIONS: dict[str, dict[str, set[str]]] = {
    Role.IT_ADMIN: {
        "soc.incident": {"view", "change"},
        "soc.alert": {"view"},
        "soc.decision": {"view", "add", "change"},
        "soc.notice": {"view"},
    },
}


def register_role_actions() -> None:
    from tinhso.core.permissions import ROLE_ACTIONS

    for role, table in SOC_ROLE_ACTIONS.items():
        entries = ROLE_ACTIONS.setdefault(role, {})
        for label, actions in table.items():
            entries[label] = set(actions)
