"""The rules a reported disbursement must meet, as plain functions.

``services.disbursement_record`` (one row, the quick form, the API) and
``bulk.disbursements_record_bulk`` (many rows, the Excel upload) both call
these, so a row is refused by the same rule, with the same error code, message
and details, whichever way it comes in. The functions read nothing from the
database: the caller passes the plan line's figures and what is already
disbursed (the single path sums it, the bulk path keeps running totals).

The order of the checks is part of the contract: a row that breaks two rules
is refused by the first (amount, then date, then the line, then the project).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tinhso.investment import errors
from tinhso.investment.choices import DisbursementKind, PlanLineKind
from tinhso.investment.rules import default_deadline


def disbursement_kind(kind: Any) -> str:
    """One of ``DisbursementKind``, else ``invalid_project`` naming the field."""
    if kind not in DisbursementKind.values:
        raise errors.InvalidProjectData(details={"kind": str(kind)})
    return kind


def signed_amount(kind: str, value: Any) -> int:
    """The amount as stored: positive, or negative for a recovery (given either sign)."""
    # services imports this module; its amount check is the platform's one.
    from tinhso.investment.services import check_amount

    if kind == DisbursementKind.RECOVERY:
        return -abs(check_amount(value, allow_negative=True))
    return check_amount(value)


def disbursement_date(value: Any) -> dt.date:
    """A date (a date, a spreadsheet datetime or an ISO string), else ``date_outside_plan``."""
    from tinhso.investment.services import _as_date

    date = _as_date(value)
    if date is None:
        raise errors.DateOutsidePlan()
    return date


def check_line_annual(year: int | None) -> None:
    """Only an annual plan line (one with a year) takes disbursements."""
    if year is None:
        raise errors.PlanLineNotAnnual()


def check_date(date: dt.date, *, year: int, deadline: dt.date | None, today: dt.date) -> None:
    """From 1 January of the line's year to its deadline (31 January next, or extended), not after today."""
    deadline = deadline or default_deadline(year)
    start = dt.date(year, 1, 1)
    if date < start or date > deadline or date > today:
        raise errors.DateOutsidePlan(
            details={
                "date": date.isoformat(),
                "from": start.isoformat(),
                "to": min(deadline, today).isoformat(),
            }
        )


def check_line_total(*, amount: int, plan: int, disbursed: int) -> None:
    """Within the line's plan, and a recovery never beyond what the line disbursed."""
    if disbursed + amount > plan:
        raise errors.AbovePlan(details={"plan": plan, "disbursed": disbursed, "amount": amount})
    if disbursed + amount < 0:
        raise errors.InvalidAmount(details={"disbursed": disbursed, "amount": amount})


def check_project_total(*, amount: int, plan: int, disbursed: int) -> None:
    """Within the project's plan for the line's year and source (adjustments included)."""
    if disbursed + amount > plan:
        raise errors.AbovePlan(details={"plan": plan, "disbursed": disbursed, "amount": amount})


def carried_over(line_kind: str) -> bool:
    """Carried-over capital is checked against the carried-over lines, the year's own against the rest."""
    return line_kind == PlanLineKind.CARRIED_OVER
