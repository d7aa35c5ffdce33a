"""The owner's daily update: today's disbursement and physical progress in one step.

``daily_update_record`` runs ``services.disbursement_record`` and
``services.progress_snapshot_add`` in one transaction, so either both are
written or neither (the photo's row included): an owner who sends an amount
above the plan does not find their progress half-saved. The version the page
was drawn with (``expected_version``) is checked by the first of the two; the
second follows on the version the first left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tinhso.core.files import file_store
from tinhso.investment import errors, services
from tinhso.investment.models import Disbursement, PlanLine, ProgressSnapshot

PHOTO_TYPES = ("jpg", "png")
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass
class DailyUpdate:
    disbursement: Disbursement | None
    snapshot: ProgressSnapshot | None


def daily_update_record(
    *,
    actor,
    project_id: int,
    expected_version: int,
    on: dt.date,
    plan_line_id: int | None = None,
    amount: Any = None,
    kind: str = "",
    treasury_reference: str = "",
    physical_percent: Any = None,
    photo=None,
    note: str = "",
    today: dt.date | None = None,
) -> DailyUpdate:
    """Record what the owner sent: a disbursement, a progress snapshot, or both.

    Raises ``invalid_project_data`` when neither is given; every refusal of the
    two services passes through unchanged, and nothing is written then.
    """
    wants_money = amount not in (None, "")
    wants_progress = physical_percent not in (None, "")
    if not wants_money and not wants_progress:
        raise errors.InvalidProjectData(details={"update": "empty"})
    if wants_progress:
        services.check_percent(physical_percent)
    with transaction.atomic():
        version = expected_version
        disbursement = snapshot = None
        if wants_money:
            if not PlanLine.objects.filter(
                pk=_int_or_none(plan_line_id), project_id=project_id
            ).exists():
                raise errors.PlanLineNotFound()
            disbursement = services.disbursement_record(
                actor=actor,
                plan_line_id=plan_line_id,
                date=on,
                amount=amount,
                kind=kind or "payment",
                treasury_reference=treasury_reference,
                note=note,
                expected_version=version,
                today=today,
            )
            version = None  # checked once, under the lock, by the first write
        if wants_progress:
            photos = []
            if photo is not None:
                photos.append(
                    file_store(
                        actor=actor,
                        uploaded_file=photo,
                        purpose="investment.progress_photo",
                        accepted_types=PHOTO_TYPES,
                        max_bytes=PHOTO_MAX_BYTES,
                    )
                )
            snapshot = services.progress_snapshot_add(
                actor=actor,
                project_id=project_id,
                date=on,
                physical_percent=physical_percent,
                note=note,
                photos=photos,
                expected_version=version,
                today=today,
            )
    return DailyUpdate(disbursement=disbursement, snapshot=snapshot)
