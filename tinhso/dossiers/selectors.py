"""Reads of the dossier domain. Every scoped read starts from ``Dossier.objects.restrict``.

Query counts are bounded: list selectors ``select_related`` what list rows show
(procedure, applicant, organisations, assignee) and page with limit/offset.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet

from tinhso.core import calendar
from tinhso.core.choices import Role
from tinhso.core.context import current_client_ip
from tinhso.core.permissions import is_signed_in, organisation_ids
from tinhso.core.text import fold
from tinhso.core.workflow import due_soon_q, overdue_q
from tinhso.dossiers.choices import RUNNING_STATUSES, DossierStatus
from tinhso.dossiers.errors import DossierNotFound, TooManyAttempts
from tinhso.dossiers.models import Dossier, DossierEvent, DossierFile

MAX_LIMIT = 100
# Public look-up: this many failed code + ID pairs per client address per window
# (setting TINHSO_TRACK_MAX_FAILURES overrides it; only bench/bench_settings.py does).
TRACK_MAX_FAILURES = 10
TRACK_WINDOW_SECONDS = 15 * 60

LIST_RELATED = (
    "procedure",
    "applicant",
    "receiving_organisation",
    "competent_organisation",
    "current_organisation",
    "assignee",
)


def _base(user, action: str = "view") -> QuerySet[Dossier]:
    return Dossier.objects.restrict(user, action).select_related(*LIST_RELATED)


def _page(queryset: QuerySet, limit: int, offset: int) -> tuple[list, int]:
    """One page of a list and the list's total, in two queries (one when the page is empty).

    The page's ids are chosen by a subquery on the dossier table alone, and only
    those rows are joined to what list rows show: PostgreSQL would otherwise join
    every matching dossier before sorting and keeping 20 (bench/inbox_pages.py: a
    list of 150,000 overdue dossiers took 1.2 s, most of it in those joins).
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    total = queryset.count()
    if offset >= total:
        return [], total
    ordering = queryset.query.order_by or Dossier._meta.ordering
    window = queryset.values("pk")[offset : offset + limit]
    rows = Dossier.objects.select_related(*LIST_RELATED).filter(pk__in=window).order_by(*ordering)
    return list(rows), total


def dossier_get_for(user, code: str, *, action: str = "view") -> Dossier:
    """The dossier ``code`` if ``user`` reaches it; the same 404 when missing or out of scope."""
    code = str(code or "").strip()[:40]
    dossier = _base(user, action).select_related("case", "unit").filter(code=code).first()
    if dossier is None:
        raise DossierNotFound()
    return dossier


TRACK_FIELDS = (
    "code",
    "status",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "paused_since",
    "supplement_count",
    "procedure",
    "procedure__national_code",
    "procedure__name",
    "applicant",
    "applicant__full_name",
    "receiving_organisation",
    "receiving_organisation__name",
)


def _failures_key(kind: str, ip: str | None) -> str:
    return f"tinhso:dossier-{kind}:{ip or 'unknown'}"


def failures_guard(kind: str, *, client_ip: str | None = None, error=None) -> None:
    """Refuse a public look-up of ``kind`` from an address past its failure limit.

    The same counter serves every public look-up that could be used to guess
    (``track``: dossier code plus ID number; ``verify``: result verification),
    each kind counted apart: ``TRACK_MAX_FAILURES`` failures (setting
    ``TINHSO_TRACK_MAX_FAILURES``) per client address in ``TRACK_WINDOW_SECONDS``,
    then 429 ``too_many_attempts`` (``error`` if given) until the window ends.
    """
    key = _failures_key(kind, client_ip or current_client_ip())
    limit = getattr(settings, "TINHSO_TRACK_MAX_FAILURES", TRACK_MAX_FAILURES)
    if cache.get(key, 0) >= limit:
        raise error if error is not None else TooManyAttempts()


def failure_record(kind: str, *, client_ip: str | None = None) -> None:
    """Count one failed public look-up of ``kind`` from the client's address."""
    key = _failures_key(kind, client_ip or current_client_ip())
    if cache.add(key, 1, TRACK_WINDOW_SECONDS) is False:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, TRACK_WINDOW_SECONDS)


def dossier_track(code: str, id_number: str, *, client_ip: str | None = None) -> Dossier:
    """Public look-up by dossier code plus the applicant's ID number, without signing in.

    A wrong pair gives the same 404 as a missing code. Failures are counted per
    client address in the cache; past ``TRACK_MAX_FAILURES`` in the window the
    look-up answers 429 ``too_many_attempts`` (even for a right pair) until the
    window ends, so codes cannot be guessed by trying.
    """
    ip = client_ip or current_client_ip()
    failures_guard("track", client_ip=ip)
    code = str(code or "").strip()[:40]
    id_number = str(id_number or "").strip()[:20]
    # The code is unique: no ordering (``first()`` would compile and sort by the
    # model's). Only the columns the tracking answer shows: building the SQL for
    # every column of four tables was most of this look-up's time
    # (bench/dossier_lookup.py); another field still loads if asked for.
    rows = (
        Dossier.objects.select_related("procedure", "applicant", "receiving_organisation")
        .only(*TRACK_FIELDS)
        .filter(code=code, applicant__id_number=id_number)
        .order_by()[:1]
        if code and id_number
        else ()
    )
    dossier = next(iter(rows), None)
    if dossier is None:
        failure_record("track", client_ip=ip)
        raise DossierNotFound()
    return dossier


def dossier_list_for(
    user,
    *,
    status: str = "",
    q: str = "",
    procedure: str = "",
    mine: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Dossier], int]:
    """The dossiers ``user`` reaches, newest first; ``q`` matches a code or a procedure name.

    ``mine`` keeps a citizen's own (what they reach anyway) or an official's assigned ones.
    """
    queryset = _base(user)
    if status:
        queryset = queryset.filter(status=status)
    if procedure:
        queryset = queryset.filter(procedure__national_code=procedure)
    if mine and is_signed_in(user) and user.role != Role.CITIZEN:
        queryset = queryset.filter(assignee=user)
    text = str(q or "").strip()[:100]
    if text:
        condition = Q(code__startswith=text)
        for word in fold(text).split()[:8]:
            condition |= Q(procedure__search_key__contains=word)
        queryset = queryset.filter(condition)
    return _page(queryset.order_by("-submitted_at", "-id"), limit, offset)


def _inbox_q(user) -> Q | None:
    if not is_signed_in(user) or user.role == Role.CITIZEN:
        return None
    organisations = organisation_ids(user)
    if organisations is None:  # no official without an organisation reaches an inbox
        return None
    mine = Q(assignee_id=user.pk)
    if not user.organisation_id:
        return mine
    at_step = Q(current_role=user.role, assignee__isnull=True) & Q(
        current_organisation_id=user.organisation_id
    )
    if user.role == Role.HEAD:
        # A head also sees what waits at a specialist step of their organisations, to assign.
        at_step = Q(current_role=Role.HEAD, current_organisation_id__in=organisations) | Q(
            current_role=Role.SPECIALIST,
            assignee__isnull=True,
            current_organisation_id__in=organisations,
        )
    return mine | at_step


INBOX_STATUSES = (
    DossierStatus.NEW,
    DossierStatus.RECEIVED,
    DossierStatus.PROCESSING,
    DossierStatus.FINANCIAL_OBLIGATION,
    DossierStatus.PROCESSED,
)


def inbox_for(user, *, limit: int = 20, offset: int = 0) -> tuple[list[Dossier], int]:
    """What waits for ``user``: at a step of their role in their organisation, or assigned to them.

    Ordered by the step's due moment (soonest first, open-ended last). Dossiers
    paused for a supplement wait for the citizen, not the officer: not listed.
    """
    condition = _inbox_q(user)
    if condition is None:
        return [], 0
    queryset = (
        _base(user).filter(condition, status__in=INBOX_STATUSES).order_by("step_due_at", "id")
    )
    return _page(queryset, limit, offset)


def _official_open(user) -> QuerySet[Dossier]:
    return _base(user).filter(status__in=RUNNING_STATUSES)


def due_soon_for(
    user, *, within_hours: float = 8, now: dt.datetime | None = None, limit=20, offset=0
) -> tuple[list[Dossier], int]:
    """Running dossiers due within ``within_hours`` working hours (overall), not yet late."""
    if not is_signed_in(user) or user.role == Role.CITIZEN:
        return [], 0
    now = now or calendar.now()
    within = max(0.0, min(float(within_hours), 8 * 30))
    queryset = _official_open(user).filter(due_soon_q(now=now, within_hours=within))
    return _page(queryset.order_by("due_at", "id"), limit, offset)


def overdue_for(
    user, *, now: dt.datetime | None = None, limit=20, offset=0
) -> tuple[list[Dossier], int]:
    """Running dossiers past their (overall) due moment, the most late first."""
    if not is_signed_in(user) or user.role == Role.CITIZEN:
        return [], 0
    now = now or calendar.now()
    queryset = _official_open(user).filter(overdue_q(now=now))
    return _page(queryset.order_by("due_at", "id"), limit, offset)


def dossier_history(dossier: Dossier) -> list[DossierEvent]:
    """Every action on the dossier, oldest first (the caller reached the dossier already)."""
    return list(dossier.events.select_related("organisation").order_by("at", "id"))


def dossier_files(dossier: Dossier) -> list[DossierFile]:
    return list(
        dossier.files.select_related("component", "stored_file").order_by("component__order", "id")
    )


def dossier_file_for(user, code: str, file_id) -> DossierFile:
    """One file of a dossier the user reaches (404 otherwise, also for a malformed id)."""
    dossier = dossier_get_for(user, code)
    row = (
        dossier.files.select_related("stored_file", "component")
        .filter(stored_file_id=str(file_id))
        .first()
        if _is_uuid(file_id)
        else None
    )
    if row is None:
        raise DossierNotFound()
    return row


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def available_actions(user, dossier: Dossier) -> list[str]:
    from tinhso.dossiers.actions import ACTIONS

    return [action.name for action in ACTIONS.available(user, dossier)]
