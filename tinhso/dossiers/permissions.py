"""The dossier entries of ``tinhso.core.permissions.ROLE_ACTIONS``, registered at start-up.

"view" reaches the rows of ``Dossier.scope_q``; "add" is submitting (a citizen
for themselves, a desk officer on a citizen's behalf); "change" is taking part
in the workflow, each action then checking the role, the organisation and the
status itself (``tinhso.dossiers.actions``). IT administrators have no entry:
they run the platform, not dossiers.
"""

from __future__ import annotations

from tinhso.core.choices import Role

DOSSIER = "dossiers.dossier"

DOSSIER_ROLE_ACTIONS: dict[str, set[str]] = {
    Role.CITIZEN: {"view", "add", "change"},
    Role.DESK_OFFICER: {"view", "add", "change"},
    Role.SPECIALIST: {"view", "change"},
    Role.HEAD: {"view", "change"},
    Role.LEADER: {"view"},
}


def register_role_actions() -> None:
    from tinhso.core.permissions import ROLE_ACTIONS

    for role, actions in DOSSIER_ROLE_ACTIONS.items():
        ROLE_ACTIONS.setdefault(role, {})[DOSSIER] = set(actions)
