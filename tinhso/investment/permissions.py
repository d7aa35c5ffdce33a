"""The investment entries of ``tinhso.core.permissions.ROLE_ACTIONS``, registered at start-up.

Rows are then limited by ``tinhso.investment.models.project_scope_q``: a
project owner's staff (``Role.PROJECT_OWNER``), specialists and heads reach
the projects their organisation owns; leaders the projects in their units'
subtree. "change" on a project covers its owner's daily work (disbursements,
progress, obstacles); "add" on a project and on plan lines is the leaders'
(the province or commune that decides the plan). A disbursement is confirmed
("change" on it) by a leader or, later, by the treasury integration.
IT administrators have no entry: they run the platform, not projects.
"""

from __future__ import annotations

from tinhso.core.choices import Role

OWNER_ROWS = {
    "investment.project": {"view", "change"},
    "investment.projectdecision": {"view", "add"},
    "investment.projectownership": {"view"},
    "investment.totalinvestmentversion": {"view"},
    "investment.capitalplan": {"view"},
    "investment.planline": {"view"},
    "investment.disbursement": {"view", "add"},
    "investment.targetcurve": {"view"},
    "investment.progresssnapshot": {"view", "add"},
    "investment.bidpackage": {"view", "add", "change"},
    "investment.contract": {"view", "add", "change"},
    "investment.contractmodification": {"view", "add"},
    "investment.obstacle": {"view", "add", "change"},
    "investment.alert": {"view", "change"},
}

LEADER_ROWS = {
    "investment.project": {"view", "add", "change"},
    "investment.projectdecision": {"view", "add"},
    "investment.projectownership": {"view", "add"},
    "investment.totalinvestmentversion": {"view", "add"},
    "investment.capitalplan": {"view", "add", "change"},
    "investment.planline": {"view", "add"},
    "investment.disbursement": {"view", "change"},
    "investment.targetcurve": {"view", "add", "change"},
    "investment.progresssnapshot": {"view"},
    "investment.bidpackage": {"view"},
    "investment.contract": {"view"},
    "investment.contractmodification": {"view"},
    "investment.obstacle": {"view", "change"},
    "investment.alert": {"view", "change"},
}

VIEW_ONLY = {label: {"view"} for label in OWNER_ROWS}

INVESTMENT_ROLE_ACTIONS: dict[str, dict[str, set[str]]] = {
    Role.PROJECT_OWNER: OWNER_ROWS,
    Role.LEADER: LEADER_ROWS,
    Role.HEAD: VIEW_ONLY,
    Role.SPECIALIST: VIEW_ONLY,
}


def register_role_actions() -> None:
    from tinhso.core.permissions import ROLE_ACTIONS

    for role, table in INVESTMENT_ROLE_ACTIONS.items():
        entries = ROLE_ACTIONS.setdefault(role, {})
        for label, actions in table.items():
            entries[label] = set(actions)
