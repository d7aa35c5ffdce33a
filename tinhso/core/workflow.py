"""The workflow mechanism: states, transitions as action objects, step deadlines, pauses.

Dossiers use it first; leaders' directives and citizens' feedback follow the same
mechanics later (DESIGN.md convention 4, after Wagtail's ``BaseAction``). A
domain brings three things:

1. a concrete model inheriting ``WorkflowSubject`` (the fields every workflow
   subject needs: status, current step, current role and organisation,
   assignee, step and overall deadlines, the pause clock, a ``version`` for
   optimistic locking) and declaring its own status choices and indexes;
2. a concrete history model inheriting ``WorkflowEventBase`` with a foreign key
   to the subject, and a ``history_model`` / ``history_fk`` on its actions;
3. one ``Action`` subclass per transition: ``allowed`` (who), ``check`` (the
   state and the parameters), ``apply`` (the change), ``notify`` (who hears).

``Action.run`` does the rest, always the same way, in one transaction: re-read
the subject ``SELECT ... FOR UPDATE``, refuse a stale ``expected_version``
(409 ``stale_version``), check permission (403 ``action_not_allowed``) and state
(409 ``wrong_status``), apply, bump the version, write the history row, write
the audit event, and let ``notify`` queue messages (``tinhso.core.notifications``
sends them after commit). Two officers acting on the same version: one wins,
the other gets ``stale_version`` and nothing of theirs is written.

Deadlines run on the working-time calendar (``tinhso.core.calendar``):
``step_start`` sets a step's due moment, ``clock_pause``/``clock_resume`` stop
and restart the clock; the paused *working* time is added to both the step's and
the overall due moment, so a pause never eats into the time the agency has.
``due_soon_q``/``overdue_q`` filter querysets for officers' lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core import calendar
from tinhso.core.exceptions import Conflict, PermissionDenied, TinhsoError, ValidationError

# --- errors ---------------------------------------------------------------------------


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = _("Hồ sơ đã được người khác xử lý, vui lòng tải lại")


class ActionNotAllowed(PermissionDenied):
    code = "action_not_allowed"
    default_message = _("Bạn không được thực hiện thao tác này trên hồ sơ này.")


class WrongStatus(Conflict):
    code = "wrong_status"
    default_message = _("Thao tác không thực hiện được ở trạng thái hiện tại của hồ sơ.")


class UnknownAction(TinhsoError):
    status = 404
    code = "unknown_action"
    default_message = _("Không có thao tác này.")


class ReasonRequired(ValidationError):
    code = "reason_required"
    default_message = _("Cần nêu lý do.")


# --- models ---------------------------------------------------------------------------


class WorkflowSubject(models.Model):
    """Abstract: the fields of anything that moves through steps with deadlines.

    ``step_due_at`` and ``due_at`` are *moments*; while the clock is paused
    (``paused_since`` set) they are provisional and move forward by the paused
    working time on resume. ``paused_total`` is the working time paused so far
    (Decision 766: time with the citizen is not counted). ``version`` grows by
    one at every action; clients send back the version they saw.
    """

    status = models.CharField(_("trạng thái"), max_length=32)
    step_code = models.CharField(_("bước hiện tại"), max_length=64, blank=True)
    current_role = models.CharField(_("vai trò xử lý"), max_length=20, blank=True)
    current_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("cơ quan đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người được giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    step_started_at = models.DateTimeField(_("bắt đầu bước lúc"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    paused_since = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    paused_total = models.DurationField(_("tổng thời gian tạm dừng"), default=dt.timedelta)
    pause_count = models.PositiveIntegerField(_("số lần tạm dừng"), default=0)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)

    class Meta:
        abstract = True

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class WorkflowEventBase(models.Model):
    """Abstract: one row of a subject's history, written by ``Action.run``.

    The actor is kept as id and label (not a foreign key) so that history
    survives accounts being removed and reads without joins.
    """

    action = models.CharField(_("thao tác"), max_length=40)
    from_status = models.CharField(_("từ trạng thái"), max_length=32, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=32, blank=True)
    step_code = models.CharField(_("bước"), max_length=64, blank=True)
    actor_id = models.BigIntegerField(_("mã người thực hiện"), null=True, blank=True)
    actor_label = models.CharField(_("người thực hiện"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    at = models.DateTimeField(_("lúc"))
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


# --- deadlines on the working-time calendar ----------------------------------------------


def step_start(
    subject: WorkflowSubject,
    *,
    step_code: str,
    role: str,
    organisation,
    hours: float | None,
    at: dt.datetime,
    assignee=None,
) -> None:
    """Put ``subject`` on a step: who holds it and by when (``hours`` of working time).

    The step's clock starts at ``at`` or, outside working time, at the next
    working moment (the calendar's ``add`` does that by itself). ``hours`` None
    or 0 means the step has no limit of its own. A paused subject keeps its
    pause: the due moment is then moved on resume.
    """
    subject.step_code = step_code
    subject.current_role = role
    subject.current_organisation = organisation
    subject.assignee = assignee
    subject.step_started_at = at
    subject.step_due_at = calendar.add_working_hours(at, float(hours)) if hours else None


def clock_pause(subject: WorkflowSubject, *, at: dt.datetime) -> None:
    """Stop the clock (a supplement request): counted in ``pause_count``."""
    if subject.paused_since is not None:
        return
    subject.paused_since = at
    subject.pause_count += 1


def clock_resume(subject: WorkflowSubject, *, at: dt.datetime) -> dt.timedelta:
    """Restart the clock; both due moments move by the paused working time, which is returned."""
    if subject.paused_since is None:
        return dt.timedelta(0)
    paused = max(calendar.working_time_between(subject.paused_since, at), dt.timedelta(0))
    subject.paused_total = (subject.paused_total or dt.timedelta(0)) + paused
    if subject.due_at is not None:
        subject.due_at = calendar.add_working_time(subject.due_at, paused)
    if subject.step_due_at is not None:
        subject.step_due_at = calendar.add_working_time(subject.step_due_at, paused)
    subject.paused_since = None
    return paused


def due_soon_q(*, now: dt.datetime, within_hours: float = 8, field: str = "due_at") -> Q:
    """Running (not paused) subjects due within ``within_hours`` of working time, not yet late."""
    limit = calendar.add_working_hours(now, within_hours)
    return Q(paused_since__isnull=True, **{f"{field}__gt": now, f"{field}__lte": limit})


def overdue_q(*, now: dt.datetime, field: str = "due_at") -> Q:
    """Running subjects whose due moment has passed (paused ones are not late while paused)."""
    return Q(paused_since__isnull=True, **{f"{field}__lte": now})


def is_late(due_at: dt.datetime | None, finished_at: dt.datetime | None) -> bool:
    return due_at is not None and finished_at is not None and finished_at > due_at


# --- actions --------------------------------------------------------------------------


class Action:
    """One transition of a workflow subject (Wagtail's ``BaseAction`` pattern).

    Subclasses set ``name`` (stable, used in URLs and the history), ``label``
    (Vietnamese), ``from_statuses`` (empty: any), ``history_model`` and
    ``history_fk`` (the history model's foreign key to the subject), and
    implement ``allowed``, optionally ``check``, ``apply`` and ``notify``.
    """

    name: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    from_statuses: ClassVar[frozenset[str]] = frozenset()
    history_model: ClassVar[type[models.Model] | None] = None
    history_fk: ClassVar[str] = ""
    audit_prefix: ClassVar[str] = ""

    def allowed(self, actor, subject) -> bool:
        """May ``actor`` perform this action on ``subject`` (role, organisation, ownership)?"""
        return False

    def check(self, actor, subject, **params) -> None:
        """Raise a ``TinhsoError`` when the subject's state or the parameters do not fit."""

    def apply(self, actor, subject, *, at: dt.datetime, **params) -> dict[str, Any]:
        """Change ``subject`` (not saved yet); return data for the history row.

        The dict may carry ``note`` (kept as the history row's note).
        """
        raise NotImplementedError

    def notify(self, actor, subject, event, **params) -> None:
        """Queue messages (sent after commit by ``tinhso.core.notifications``)."""

    # -- the machinery

    def is_available(self, actor, subject) -> bool:
        """Allowed and in a fitting status: what pages use to show the button."""
        status_ok = not self.from_statuses or subject.status in self.from_statuses
        return status_ok and self.allowed(actor, subject)

    def check_status(self, subject) -> None:
        if self.from_statuses and subject.status not in self.from_statuses:
            raise WrongStatus(details={"status": subject.status, "action": self.name})

    def lock(self, subject):
        return type(subject).objects.select_for_update().get(pk=subject.pk)

    def run(self, *, actor, subject, expected_version: int | None = None, **params):
        """Perform the action; returns the updated subject (a fresh instance)."""
        from tinhso.core.audit import audit_record

        with transaction.atomic():
            locked = self.lock(subject)
            if expected_version is not None and locked.version != expected_version:
                raise StaleVersion(
                    details={"expected_version": expected_version, "version": locked.version}
                )
            if not self.allowed(actor, locked):
                raise ActionNotAllowed()
            self.check_status(locked)
            self.check(actor, locked, **params)
            at = calendar.now()
            before = {
                "status": locked.status,
                "step_code": locked.step_code,
                "assignee_id": locked.assignee_id,
                "organisation_id": locked.current_organisation_id,
            }
            data = self.apply(actor, locked, at=at, **params) or {}
            locked.version += 1
            locked.save()
            event = self.record(actor, locked, before=before, at=at, data=data)
            changes = {
                "version": [locked.version - 1, locked.version],
                **{
                    key: [old, new]
                    for key, old, new in (
                        ("status", before["status"], locked.status),
                        ("step_code", before["step_code"], locked.step_code),
                        ("assignee_id", before["assignee_id"], locked.assignee_id),
                        (
                            "organisation_id",
                            before["organisation_id"],
                            locked.current_organisation_id,
                        ),
                    )
                    if old != new
                },
            }
            if data.get("note"):
                changes["note"] = data["note"]
            audit_record(
                actor=actor,
                action=f"{self.audit_prefix or locked._meta.model_name}.{self.name}",
                obj=locked,
                changes=changes,
            )
            self.notify(actor, locked, event, **params)
        return locked

    def record(self, actor, subject, *, before: dict, at: dt.datetime, data: dict):
        if self.history_model is None:
            return None
        signed_in = actor is not None and getattr(actor, "is_authenticated", False)
        payload = {k: v for k, v in data.items() if k != "note"}
        return self.history_model.objects.create(
            **{self.history_fk: subject},
            action=self.name,
            from_status=before["status"],
            to_status=subject.status,
            step_code=subject.step_code,
            actor_id=actor.pk if signed_in else None,
            actor_label=(str(actor) if signed_in else "")[:150],
            organisation_id=getattr(actor, "organisation_id", None) if signed_in else None,
            note=str(data.get("note") or ""),
            at=at,
            data=_jsonable(payload),
        )


def _jsonable(value: Any) -> Any:
    from tinhso.core.audit import jsonable

    return jsonable(value)


class ActionRegistry:
    """The actions of one workflow, by name."""

    def __init__(self, actions: Iterable[type[Action]] = ()) -> None:
        self._actions: dict[str, Action] = {}
        for action in actions:
            self.register(action)

    def register(self, action: type[Action]) -> type[Action]:
        self._actions[action.name] = action()
        return action

    def get(self, name: str) -> Action:
        try:
            return self._actions[name]
        except KeyError:
            raise UnknownAction(details={"action": str(name)[:40]}) from None

    def names(self) -> list[str]:
        return list(self._actions)

    def available(self, actor, subject) -> list[Action]:
        return [a for a in self._actions.values() if a.is_available(actor, subject)]
