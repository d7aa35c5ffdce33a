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
from tinhso.core.pgcopy import copy_rows, reserve_ids
from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.models import Dossier

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


def _check_year(year) -> int | None:
    if year in (None, ""):
        return None
    this_year = calendar.now().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= this_year:
        raise ValidationError(
            _("Năm (--year) phải từ 2000 đến %(year)d.") % {"year": this_year},
            code="invalid_scale",
        )
    return year


# Shares of the realistic spread (docs/performance.md, "Decision 766 indicators").
LATE_SHARE = 0.15  # finished after the promised moment
SUPPLEMENTS = ((0, 85), (1, 11), (2, 4))  # supplement requests of a processed dossier
DEADLINE_DAYS = (3, 5, 7, 10, 15, 20)
DIGITISED = {Channel.ONLINE: 0.8, Channel.IN_PERSON: 0.5}
APOLOGY_SHARE = 0.6  # of the late dossiers, those whose agency sent an apology letter
PAID_SHARE = 0.85  # of the dossiers of procedures with fees, those paid


def dossiers_bulk_seed(*, actor=None, scale, batch=5000, seed: int = 2025, year=None) -> BulkReport:
    """``scale`` demo dossiers with a realistic spread, plus what the indicators read.

    Statuses, finish times (some late), supplement requests (some twice),
    digitised files, apology letters for late dossiers and payments for
    procedures with fees. ``year``: every dossier submitted in that calendar
    year (up to yesterday), else in a year of past days of its own. On
    PostgreSQL the rows are streamed with COPY (ids reserved from the
    sequences); elsewhere they go in with ``bulk_create``.
    """
    from django.db import connection

    from tinhso.core.sequences import next_value
    from tinhso.dossiers import routing
    from tinhso.procedures.models import Procedure

    scale, batch = _check(scale, batch)
    year = _check_year(year)
    procedures = list(
        Procedure.objects.filter(is_active=True)
        .exclude(service_level="information_only")
        .select_related("field")
        .prefetch_related("components", "fee_items")
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
    supplements = [n for n, weight in SUPPLEMENTS for _ in range(weight)]
    today = calendar.now().date()
    if year is None:
        run = next_value(scope="dossier-bulk-run")
        first_day = today - dt.timedelta(days=1 + (run - 1) * 366)
        days = 365
        counter_base = 1000
    else:
        # Runs over the same year take their own block of counters.
        run = next_value(scope=f"dossier-bulk-year-{year}")
        last_day = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
        first_day = last_day
        days = (last_day - dt.date(year, 1, 1)).days + 1
        counter_base = 1000 + (run - 1) * 10_000
    tz = calendar.get_calendar().tz
    counters: dict[tuple[int, dt.date], int] = {}
    started = time.perf_counter()
    now = calendar.now()
    extras = _Extras.load(procedures, actor)
    writer = _CopyWriter() if connection.vendor == "postgresql" else _OrmWriter()
    created = 0
    with transaction.atomic():
        while created < scale:
            plan = []
            for _i in range(min(batch, scale - created)):
                procedure = rng.choice(procedures)
                committee = rng.choice(committees)
                receiving = committee if procedure.level == "commune" else rng.choice(receivers)
                competent = (
                    committee if procedure.level == "commune" else province_competent[procedure.pk]
                )
                day = first_day - dt.timedelta(days=rng.randrange(0, days))
                key = (receiving.pk, day)
                counters[key] = counters.get(key, counter_base) + 1
                submitted = dt.datetime.combine(
                    day, dt.time(7 + rng.randrange(0, 10), rng.randrange(0, 60)), tzinfo=tz
                )
                status = rng.choice(statuses)
                channel = rng.choice([Channel.ONLINE] * 4 + [Channel.IN_PERSON])
                received = submitted if status != DossierStatus.NEW else None
                supplement_count = 0
                if status == DossierStatus.SUPPLEMENT_REQUESTED:
                    supplement_count = rng.choice((1, 1, 1, 1, 2))
                elif status in _PROCESSED:
                    supplement_count = rng.choice(supplements)
                # Each supplement request paused the clock for a few days: the promise moves.
                paused = dt.timedelta(
                    days=sum(rng.randrange(1, 6) for _ in range(supplement_count))
                )
                allowed = dt.timedelta(days=rng.choice(DEADLINE_DAYS))
                due = submitted + allowed + paused if received else None
                at_desk = status in (DossierStatus.NEW, DossierStatus.PROCESSED)
                finished_at = returned_at = None
                if status in (
                    DossierStatus.PROCESSED,
                    DossierStatus.RETURNED,
                    DossierStatus.REFUSED,
                ):
                    # A uniform share of the allowed time; past 1.0 (LATE_SHARE of them) is late.
                    share = rng.uniform(0.2, 1.0 + 0.8 * LATE_SHARE / (1 - LATE_SHARE))
                    finished_at = min(submitted + paused + allowed * share, now)
                    if status == DossierStatus.RETURNED:
                        returned_at = min(
                            finished_at + dt.timedelta(hours=rng.randrange(1, 48)), now
                        )
                # Open dossiers: some late, some due soon, most later.
                if status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING):
                    due = now + dt.timedelta(hours=rng.randrange(-240, 480))
                closed = status in (DossierStatus.RETURNED, DossierStatus.REFUSED)
                dossier = Dossier(
                    code=f"{receiving.identifier_code}-{day:%y%m%d}-{counters[key]:04d}",
                    procedure_id=procedure.pk,
                    applicant_id=rng.choice(citizen_ids),
                    channel=channel,
                    receiving_organisation_id=receiving.pk,
                    competent_organisation_id=competent.pk,
                    unit_id=committee.unit_id,
                    submitted_at=submitted,
                    received_at=received,
                    due_at=due,
                    finished_at=finished_at,
                    returned_at=returned_at,
                    returned_late=(returned_at > due) if returned_at and due else None,
                    status=status,
                    step_code="" if closed else ("tiep-nhan" if at_desk else "tham-dinh"),
                    current_role=(
                        "" if closed else (Role.DESK_OFFICER if at_desk else Role.SPECIALIST)
                    ),
                    current_organisation_id=receiving.pk if at_desk else competent.pk,
                    step_started_at=submitted,
                    step_due_at=due,
                    paused_since=(
                        submitted + paused if status == DossierStatus.SUPPLEMENT_REQUESTED else None
                    ),
                    paused_total=paused,
                    pause_count=supplement_count,
                    supplement_count=supplement_count,
                    form_data={"demo": True},
                    updated_at=now,
                )
                plan.append((dossier, extras.follow_ups(rng, dossier, procedure, now)))
            writer.write(plan)
            created += len(plan)
        audit_record(
            actor=actor,
            action="dossier.bulk_seed",
            object_type="dossiers.dossier",
            object_repr="Hồ sơ demo sinh hàng loạt",
            changes={"demo": True, "created": created, "run": run, "year": year, **writer.counts},
        )
    return BulkReport(created=created, seconds=time.perf_counter() - started)


_PROCESSED = (
    DossierStatus.PROCESSING,
    DossierStatus.PROCESSED,
    DossierStatus.RETURNED,
)


class _Extras:
    """What follows a dossier: a digitised file, an apology letter, a payment."""

    def __init__(self, components, fees, stored_file_id, issuer_id, payment_model):
        self.components = components  # procedure id -> first component id
        self.fees = fees  # procedure id -> (items, total)
        self.stored_file_id = stored_file_id
        self.issuer_id = issuer_id
        self.payment_model = payment_model

    @classmethod
    def load(cls, procedures, actor) -> _Extras:
        import hashlib

        from django.apps import apps
        from django.core.files.base import ContentFile

        from tinhso.core.models import StoredFile, User

        components = {}
        fees = {}
        for procedure in procedures:
            own = [c for c in procedure.components.all() if c.case_id is None]
            if own:
                components[procedure.pk] = own[0].pk
            items = [
                {"name": fee.name, "kind": fee.kind, "amount": int(fee.amount)}
                for fee in procedure.fee_items.all()
                if fee.case_id is None and fee.amount
            ]
            if items:
                fees[procedure.pk] = (items, sum(item["amount"] for item in items))
        content = b"%PDF-1.4\n% demo digitised dossier\n%%EOF\n"
        stored = StoredFile.objects.create(
            purpose="dossier",
            original_name="ho-so-so-hoa.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            file=ContentFile(content, name="ho-so-so-hoa.pdf"),
        )
        issuer = actor if actor is not None and actor.pk else None
        if issuer is None:
            issuer = User.objects.filter(role=Role.HEAD, is_active=True).order_by("pk").first()
        payment_model = (
            apps.get_model("payments", "PaymentRequest")
            if apps.is_installed("tinhso.payments")
            else None
        )
        return cls(components, fees, stored.pk, issuer.pk if issuer else None, payment_model)

    def follow_ups(self, rng, dossier, procedure, now) -> list:
        """Unsaved rows that point to ``dossier`` (its id is set once it is written)."""
        from tinhso.dossiers.models import ApologyLetter, DossierFile

        rows = []
        component = self.components.get(procedure.pk)
        if component and rng.random() < DIGITISED[dossier.channel]:
            rows.append(
                DossierFile(
                    component_id=component,
                    stored_file_id=self.stored_file_id,
                    created_at=dossier.submitted_at,
                )
            )
        due = dossier.due_at
        late = due is not None and (dossier.finished_at or now) > due
        if (
            late
            and dossier.status != DossierStatus.REFUSED
            and self.issuer_id
            and rng.random() < APOLOGY_SHARE
        ):
            issued = min(due - dt.timedelta(hours=rng.randrange(2, 48)), now)
            issued = max(issued, dossier.received_at or dossier.submitted_at)
            new_due = (dossier.finished_at or now) + dt.timedelta(days=rng.randrange(1, 5))
            rows.append(
                ApologyLetter(
                    reason="Hồ sơ cần xác minh thêm (dữ liệu demo).",
                    previous_due_at=due,
                    new_due_at=new_due,
                    issued_at=issued,
                    issued_by_id=self.issuer_id,
                )
            )
        fee = self.fees.get(procedure.pk)
        if fee and self.payment_model and dossier.received_at:
            items, total = fee
            requested = dossier.received_at + dt.timedelta(minutes=rng.randrange(5, 240))
            paid = dossier.status not in ("new", "refused") and rng.random() < PAID_SHARE
            rows.append(
                self.payment_model(
                    amount=total,
                    items=items,
                    status="paid"
                    if paid
                    else ("pending" if dossier.finished_at is None else "expired"),
                    status_before=DossierStatus.PROCESSING,
                    requested_at=requested,
                    expires_at=requested + dt.timedelta(days=3),
                    paid_at=requested + dt.timedelta(minutes=rng.randrange(1, 600))
                    if paid
                    else None,
                    gateway="vnpay" if paid else "",
                    transaction_no=f"{rng.randrange(10**7, 10**8)}" if paid else "",
                    bank_code="NCB" if paid else "",
                )
            )
        return rows


def _link(dossier, row) -> None:
    row.dossier_id = dossier.pk
    if hasattr(row, "reference"):
        row.reference = f"TS{dossier.submitted_at:%y%m%d}B{dossier.pk:09d}"


class _OrmWriter:
    """``bulk_create`` (SQLite and others: the ids come back with the rows)."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def write(self, plan) -> None:
        Dossier.objects.bulk_create([dossier for dossier, _rows in plan])
        by_model: dict[type, list] = {}
        for dossier, rows in plan:
            for row in rows:
                _link(dossier, row)
                by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            model.objects.bulk_create(rows)
            label = model._meta.label_lower
            self.counts[label] = self.counts.get(label, 0) + len(rows)


class _CopyWriter(_OrmWriter):
    """PostgreSQL: ids reserved from each table's sequence, rows streamed with COPY."""

    def write(self, plan) -> None:
        dossiers = [dossier for dossier, _rows in plan]
        for dossier, id_ in zip(dossiers, reserve_ids(Dossier, len(dossiers)), strict=True):
            dossier.pk = id_
        copy_rows(Dossier, dossiers)
        by_model: dict[type, list] = {}
        for dossier, rows in plan:
            for row in rows:
                _link(dossier, row)
                by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            for row, id_ in zip(rows, reserve_ids(model, len(rows)), strict=True):
                row.pk = id_
            copy_rows(model, rows)
            label = model._meta.label_lower
            self.counts[label] = self.counts.get(label, 0) + len(rows)
