"""Bulk DEMO dossiers for benchmarks: ``tinhso seed_dossiers --scale N``.

Bypasses the services on purpose (no files, no history rows, no notifications):
rows go in with ``bulk_create`` in batches, and the whole run is one audit
event. The rows are consistent with the workflow (statuses, current step,
role and organisation, deadlines), so inbox, due-soon and overdue pages see a
realistic mix. Codes use days before today and counters from 1001, so they
never meet codes handed out by the services (which start at 0001 on the day
of submission); each run takes its own year of past days.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.core import calendar
from tinhso.core.audit import audit_record
from tinhso.core.choices import OrganisationKind, Role
from tinhso.core.exceptions import ValidationError
from tinhso.core.models import Citizen, Organisation
from tinhso.dossiers.choices import Channel, DossierStatus

MAX_SCALE = 20_000_000
STATUS_MIX = (
    (DossierStatus.NEW, 5),
    (DossierStatus.RECEIVED, 10),
    (DossierStatus.PROCESSING, 35),
    (DossierStatus.SUPPLEMENT_REQUESTED, 5),
    (DossierStatus.PROCESSED, 10),
    (DossierStatus.RETURNED, 30),
    (DossierStatus.REFUSED, 5),
)


@dataclass
class BulkReport:
    created: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def _check(scale, batch) -> tuple[int, int]:
    try:
        scale, batch = int(scale), int(batch)
    except (TypeError, ValueError):
        raise ValidationError(
            _("Số lượng (--scale) và lô (--batch) phải là số nguyên dương."), code="invalid_scale"
        ) from None
    if not 1 <= scale <= MAX_SCALE or not 1 <= batch <= 100_000:
        raise ValidationError(
            _("Số lượng (--scale) phải từ 1 đến %(max)s; lô từ 1 đến 100000.") % {"max": MAX_SCALE},
            code="invalid_scale",
        )
    return scale, batch


def dossiers_bulk_seed(*, actor=None, scale, batch=5000, seed: int = 2025) -> BulkReport:
    from tinhso.core.sequences import next_value
    from tinhso.dossiers import routing
    from tinhso.dossiers.models import Dossier
    from tinhso.procedures.models import Procedure

    scale, batch = _check(scale, batch)
    procedures = list(
        Procedure.objects.filter(is_active=True)
        .exclude(service_level="information_only")
        .select_related("field")
    )
    receivers = list(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.PUBLIC_SERVICE_CENTRE, OrganisationKind.COMMUNE_COMMITTEE]
        ).select_related("unit")
    )
    committees = [o for o in receivers if o.kind == OrganisationKind.COMMUNE_COMMITTEE]
    citizen_ids = list(Citizen.objects.values_list("id", flat=True)[:200_000])
    if not procedures or not committees or not citizen_ids:
        raise ValidationError(
            _("Cần có danh mục thủ tục, cơ quan và công dân demo trước (chạy `tinhso demo`)."),
            code="demo_missing",
        )
    province_competent = {}
    for procedure in procedures:
        if procedure.level != "commune":
            try:
                province_competent[procedure.pk] = routing.competent_organisation(
                    procedure, committees[0].unit
                )
            except ValidationError:
                continue
    procedures = [p for p in procedures if p.level == "commune" or p.pk in province_competent]
    rng = random.Random(seed)
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    run = next_value(scope="dossier-bulk-run")
    today = calendar.now().date()
    first_day = today - dt.timedelta(days=1 + (run - 1) * 366)
    tz = calendar.get_calendar().tz
    counters: dict[tuple[int, dt.date], int] = {}
    started = time.perf_counter()
    now = calendar.now()
    created = 0
    with transaction.atomic():
        while created < scale:
            rows = []
            for _i in range(min(batch, scale - created)):
                procedure = rng.choice(procedures)
                committee = rng.choice(committees)
                receiving = committee if procedure.level == "commune" else rng.choice(receivers)
                competent = (
                    committee if procedure.level == "commune" else province_competent[procedure.pk]
                )
                day = first_day - dt.timedelta(days=rng.randrange(0, 365))
                key = (receiving.pk, day)
                counters[key] = counters.get(key, 1000) + 1
                submitted = dt.datetime.combine(
                    day, dt.time(7 + rng.randrange(0, 10), rng.randrange(0, 60)), tzinfo=tz
                )
                status = rng.choice(statuses)
                received = submitted if status != DossierStatus.NEW else None
                due = submitted + dt.timedelta(days=7) if received else None
                at_desk = status in (DossierStatus.NEW, DossierStatus.PROCESSED)
                finished = status in (
                    DossierStatus.PROCESSED,
                    DossierStatus.RETURNED,
                    DossierStatus.REFUSED,
                )
                # Open dossiers: some late, some due soon, most later.
                if status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING):
                    due = now + dt.timedelta(hours=rng.randrange(-240, 480))
                rows.append(
                    Dossier(
                        code=f"{receiving.identifier_code}-{day:%y%m%d}-{counters[key]:04d}",
                        procedure_id=procedure.pk,
                        applicant_id=rng.choice(citizen_ids),
                        channel=rng.choice([Channel.ONLINE] * 4 + [Channel.IN_PERSON]),
                        receiving_organisation_id=receiving.pk,
                        competent_organisation_id=competent.pk,
                        unit_id=committee.unit_id,
                        submitted_at=submitted,
                        received_at=received,
                        due_at=due,
                        finished_at=submitted + dt.timedelta(days=3) if finished else None,
                        returned_at=(
                            submitted + dt.timedelta(days=4)
                            if status == DossierStatus.RETURNED
                            else None
                        ),
                        status=status,
                        step_code=(
                            ""
                            if status in (DossierStatus.RETURNED, DossierStatus.REFUSED)
                            else ("tiep-nhan" if at_desk else "tham-dinh")
                        ),
                        current_role=(
                            ""
                            if status in (DossierStatus.RETURNED, DossierStatus.REFUSED)
                            else (Role.DESK_OFFICER if at_desk else Role.SPECIALIST)
                        ),
                        current_organisation_id=receiving.pk if at_desk else competent.pk,
                        step_started_at=submitted,
                        step_due_at=due,
                        paused_since=(
                            submitted if status == DossierStatus.SUPPLEMENT_REQUESTED else None
                        ),
                        pause_count=1 if status == DossierStatus.SUPPLEMENT_REQUESTED else 0,
                        supplement_count=1 if status == DossierStatus.SUPPLEMENT_REQUESTED else 0,
                        form_data={"demo": True},
                    )
                )
            Dossier.objects.bulk_create(rows, batch_size=batch)
            created += len(rows)
        audit_record(
            actor=actor,
            action="dossier.bulk_seed",
            object_type="dossiers.dossier",
            object_repr="Hồ sơ demo sinh hàng loạt",
            changes={"demo": True, "created": created, "run": run},
        )
    return BulkReport(created=created, seconds=time.perf_counter() - started)
