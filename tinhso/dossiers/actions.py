"""The dossier workflow's actions: one ``tinhso.core.workflow.Action`` per transition.

Who may do what (docs/workflow.md has the table):

- desk officer of the receiving organisation: receive, refuse_receipt,
  request_supplement, submit_supplement (on the citizen's behalf), return_result;
- head of the organisation holding the step (or above it): assign, forward,
  send_back, approve, refuse, stop, request_supplement;
- the specialist holding the step (the assignee, or anyone of the role in the
  organisation while unassigned): forward, request_supplement;
- the applicant (citizen): submit_supplement, withdraw.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core.choices import Role
from tinhso.core.models import Organisation, User
from tinhso.core.money import format_money
from tinhso.core.permissions import is_signed_in, organisation_ids, role_may
from tinhso.core.workflow import (
    Action,
    ActionRegistry,
    ReasonRequired,
    clock_pause,
    clock_resume,
    is_late,
    step_start,
)
from tinhso.dossiers import routing
from tinhso.dossiers.choices import DossierStatus
from tinhso.dossiers.errors import InvalidTarget, NoSuchStep, UnknownField
from tinhso.dossiers.models import Dossier, DossierEvent, SupplementRequest

S = DossierStatus
WORKING = frozenset({S.RECEIVED, S.PROCESSING})
MAX_REASON = 2000


def _acts_for(actor, organisation_id) -> bool:
    ids = organisation_ids(actor)
    return ids is not None and organisation_id in ids


def _is(actor, role) -> bool:
    return is_signed_in(actor) and actor.role == role


def _owns(actor, dossier) -> bool:
    return _is(actor, Role.CITIZEN) and (
        dossier.submitted_by_id == actor.pk
        or (actor.citizen_id is not None and dossier.applicant_id == actor.citizen_id)
    )


def _desk_of_receiving(actor, dossier) -> bool:
    return _is(actor, Role.DESK_OFFICER) and actor.organisation_id == (
        dossier.receiving_organisation_id
    )


def _holds_step(actor, dossier) -> bool:
    """The assignee, or (unassigned) an official of the step's role in its organisation."""
    if not is_signed_in(actor) or actor.role == Role.CITIZEN:
        return False
    if dossier.assignee_id is not None:
        return dossier.assignee_id == actor.pk
    return actor.role == dossier.current_role and (
        actor.organisation_id == dossier.current_organisation_id
    )


def _head_over_step(actor, dossier) -> bool:
    return _is(actor, Role.HEAD) and _acts_for(actor, dossier.current_organisation_id)


def _reason(params: dict, key: str = "reason") -> str:
    text = " ".join(str(params.get(key) or "").split())
    if not text:
        raise ReasonRequired()
    if len(text) > MAX_REASON:
        raise ReasonRequired(
            _("Lý do dài quá %(n)s ký tự.") % {"n": MAX_REASON}, code="reason_too_long"
        )
    return text


def _end(dossier, *, status: str, at: dt.datetime) -> None:
    clock_resume(dossier, at=at)
    dossier.status = status
    dossier.step_code = ""
    dossier.current_role = ""
    dossier.assignee = None
    dossier.step_due_at = None


def _cancel_payment(actor, dossier, reason: str) -> None:
    """A dossier leaving the financial-obligation step unpaid: its request is cancelled."""
    if dossier.status == S.FINANCIAL_OBLIGATION:
        from tinhso.payments.services import payment_request_cancel

        payment_request_cancel(actor=actor, dossier=dossier, reason=reason)


def _process(dossier):
    from tinhso.dossiers.process import process_for

    return process_for(dossier.procedure, dossier.case)


def _start(dossier, step, *, at, assignee=None) -> None:
    step_start(
        dossier,
        step_code=step.code,
        role=step.role,
        organisation=routing.step_organisation(step, dossier),
        hours=step.hours,
        at=at,
        assignee=assignee,
    )


class DossierAction(Action):
    history_model = DossierEvent
    history_fk = "dossier"
    audit_prefix = "dossier"

    def allowed(self, actor, subject) -> bool:
        return role_may(actor, Dossier, "change") and self.may(actor, subject)

    def may(self, actor, dossier) -> bool:
        return False

    def lock(self, subject):
        return (
            Dossier.objects.select_for_update(of=("self",))
            .select_related(
                "procedure",
                "case",
                "applicant",
                "receiving_organisation",
                "competent_organisation",
                "current_organisation",
            )
            .get(pk=subject.pk)
        )

    def notify(self, actor, subject, event, **params) -> None:
        if event is not None and event.from_status != event.to_status:
            from tinhso.dossiers.events import notify_status

            notify_status(subject, note=event.note)


class ReceiveAction(DossierAction):
    name = "receive"
    label = gettext_lazy("Tiếp nhận hồ sơ")
    from_statuses = frozenset({S.NEW})

    def may(self, actor, dossier) -> bool:
        return _desk_of_receiving(actor, dossier)

    def apply(self, actor, subject, *, at, **params) -> dict[str, Any]:
        from tinhso.dossiers.services import receive

        receive(subject, actor=actor, at=at)
        return {"due_at": subject.due_at, "note": str(params.get("note") or "")[:MAX_REASON]}


class RefuseReceiptAction(DossierAction):
    name = "refuse_receipt"
    label = gettext_lazy("Từ chối tiếp nhận")
    from_statuses = frozenset({S.NEW})

    def may(self, actor, dossier) -> bool:
        return _desk_of_receiving(actor, dossier)

    def check(self, actor, subject, **params) -> None:
        _reason(params)

    def apply(self, actor, subject, *, at, **params):
        reason = _reason(params)
        _end(subject, status=S.REFUSED, at=at)
        subject.refusal_reason = reason
        subject.finished_at = at
        return {"note": reason}


class AssignAction(DossierAction):
    name = "assign"
    label = gettext_lazy("Phân công xử lý")
    from_statuses = WORKING

    def may(self, actor, dossier) -> bool:
        return _head_over_step(actor, dossier)

    def _target(self, subject, params) -> User:
        target = params.get("assignee")
        if not isinstance(target, User):
            target = User.objects.filter(pk=target if str(target).isdigit() else None).first()
        if (
            target is None
            or not target.is_active
            or target.role not in (Role.SPECIALIST, Role.HEAD)
            or target.organisation_id != subject.current_organisation_id
        ):
            raise InvalidTarget(
                _("Chỉ phân công được cho chuyên viên của cơ quan đang xử lý hồ sơ.")
            )
        return target

    def check(self, actor, subject, **params) -> None:
        self._target(subject, params)

    def apply(self, actor, subject, *, at, **params):
        target = self._target(subject, params)
        subject.assignee = target
        subject.status = S.PROCESSING
        return {"assignee_id": target.pk, "assignee": str(target), "note": params.get("note", "")}


class ForwardAction(DossierAction):
    """To the next step of the process, or (a head) to another organisation."""

    name = "forward"
    label = gettext_lazy("Chuyển bước tiếp theo")
    from_statuses = WORKING

    def may(self, actor, dossier) -> bool:
        return _holds_step(actor, dossier) or _head_over_step(actor, dossier)

    def _organisation(self, actor, subject, params) -> Organisation | None:
        code = params.get("organisation")
        if not code:
            return None
        if not _head_over_step(actor, subject):
            raise InvalidTarget(_("Chỉ lãnh đạo đơn vị chuyển hồ sơ sang cơ quan khác."))
        target = Organisation.objects.filter(identifier_code=str(code)[:32]).first()
        if (
            target is None
            or target.pk == subject.current_organisation_id
            or routing.province_of(target.unit).pk
            != routing.province_of(subject.competent_organisation.unit).pk
        ):
            raise InvalidTarget()
        return target

    def check(self, actor, subject, **params) -> None:
        if self._organisation(actor, subject, params) is None:
            from tinhso.procedures.choices import StepKind

            step = _process(subject).after(subject.step_code)
            if step is None or step.kind == StepKind.RETURN:
                raise NoSuchStep()

    def apply(self, actor, subject, *, at, **params):
        target = self._organisation(actor, subject, params)
        from_step = subject.step_code
        if target is not None:
            note = _reason(params, "note")
            subject.competent_organisation = target
            subject.current_organisation = target
            subject.assignee = None
            subject.status = S.PROCESSING
            return {"from_step": from_step, "organisation": target.identifier_code, "note": note}
        step = _process(subject).after(subject.step_code)
        _start(subject, step, at=at)
        subject.status = S.PROCESSING
        return {"from_step": from_step, "to_step": step.code, "note": params.get("note", "")}


class SendBackAction(DossierAction):
    name = "send_back"
    label = gettext_lazy("Trả lại bước trước")
    from_statuses = WORKING

    def may(self, actor, dossier) -> bool:
        return _holds_step(actor, dossier) or _head_over_step(actor, dossier)

    def _previous(self, subject):
        from tinhso.procedures.choices import StepKind

        step = _process(subject).before(subject.step_code)
        if step is None or step.kind == StepKind.RECEIVE:
            raise NoSuchStep()
        return step

    def check(self, actor, subject, **params) -> None:
        _reason(params, "note")
        self._previous(subject)

    def apply(self, actor, subject, *, at, **params):
        note = _reason(params, "note")
        step = self._previous(subject)
        # Back to whoever handed the dossier on from that step, if still there.
        last = (
            DossierEvent.objects.filter(
                dossier=subject, action="forward", data__from_step=step.code
            )
            .order_by("-at", "-id")
            .values_list("actor_id", flat=True)
            .first()
        )
        assignee = User.objects.filter(pk=last, is_active=True).first() if last else None
        from_step = subject.step_code
        _start(subject, step, at=at, assignee=assignee)
        if assignee is not None and assignee.organisation_id != subject.current_organisation_id:
            subject.assignee = None
        subject.status = S.PROCESSING
        return {"from_step": from_step, "to_step": step.code, "note": note}


def _clean_items(params) -> list[str]:
    items = params.get("items") or []
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, (list, tuple)) or len(items) > 20:
        raise UnknownField(_("Danh sách nội dung cần bổ sung không hợp lệ."), code="invalid_items")
    cleaned = [" ".join(str(item).split())[:300] for item in items if str(item).strip()]
    return cleaned


class RequestSupplementAction(DossierAction):
    name = "request_supplement"
    label = gettext_lazy("Yêu cầu bổ sung hồ sơ")
    from_statuses = WORKING

    def may(self, actor, dossier) -> bool:
        return (
            _holds_step(actor, dossier)
            or _head_over_step(actor, dossier)
            or _desk_of_receiving(actor, dossier)
        )

    def check(self, actor, subject, **params) -> None:
        _reason(params)
        _clean_items(params)

    def apply(self, actor, subject, *, at, **params):
        reason = _reason(params)
        items = _clean_items(params)
        request = SupplementRequest.objects.create(
            dossier=subject,
            requested_at=at,
            requested_by=actor,
            reason=reason,
            items=items,
            status_before=subject.status,
        )
        clock_pause(subject, at=at)
        subject.supplement_count += 1
        subject.status = S.SUPPLEMENT_REQUESTED
        return {"supplement_id": request.pk, "items": items, "note": reason}

    def notify(self, actor, subject, event, **params) -> None:
        from tinhso.dossiers.events import notify_status

        items = event.data.get("items") or []
        note = event.note
        if items:
            note = f"{note} — " + "; ".join(items)
        notify_status(subject, note=note)


class SubmitSupplementAction(DossierAction):
    name = "submit_supplement"
    label = gettext_lazy("Nộp bổ sung hồ sơ")
    from_statuses = frozenset({S.SUPPLEMENT_REQUESTED})

    def may(self, actor, dossier) -> bool:
        return _owns(actor, dossier) or _desk_of_receiving(actor, dossier)

    def _files(self, subject, params):
        from tinhso.dossiers.services import MAX_FILES_PER_COMPONENT

        components = subject.procedure.components_for(subject.case)
        by_code = {c.code: c for c in components}
        files = {str(k): list(v or []) for k, v in (params.get("files") or {}).items()}
        unknown = sorted(code[:64] for code in files if code not in by_code)
        if unknown:
            raise UnknownField(details={"components": unknown[:10]})
        if any(len(v) > MAX_FILES_PER_COMPONENT for v in files.values()):
            from tinhso.dossiers.errors import TooManyFiles

            raise TooManyFiles(
                _("Mỗi thành phần hồ sơ được đính kèm tối đa %(n)s tệp.")
                % {"n": MAX_FILES_PER_COMPONENT}
            )
        if not any(files.values()) and not str(params.get("note") or "").strip():
            raise ReasonRequired(
                _("Cần đính kèm tệp bổ sung hoặc ghi nội dung bổ sung."),
                code="supplement_empty",
            )
        return components, files

    def check(self, actor, subject, **params) -> None:
        self._files(subject, params)

    def apply(self, actor, subject, *, at, **params):
        from tinhso.dossiers.services import store_component_files

        components, files = self._files(subject, params)
        request = (
            SupplementRequest.objects.select_for_update()
            .filter(dossier=subject, resolved_at__isnull=True)
            .order_by("-requested_at", "-id")
            .first()
        )
        rows = store_component_files(
            actor=actor, dossier=subject, components=components, files=files, supplement=request
        )
        paused = clock_resume(subject, at=at)
        note = " ".join(str(params.get("note") or "").split())[:MAX_REASON]
        if request is not None:
            request.resolved_at = at
            request.resolved_by = actor
            request.note = note
            request.save(update_fields=["resolved_at", "resolved_by", "note"])
            subject.status = request.status_before
        else:
            subject.status = S.PROCESSING
        return {"files": len(rows), "paused_hours": paused.total_seconds() / 3600, "note": note}


class RequestPaymentAction(DossierAction):
    """The financial-obligation step: ask the applicant to pay the procedure's fees.

    The amount is the procedure's fees for the dossier's case, or an amount the
    officer sets (``amount``) with a ``reason``. The clock stops while the
    applicant pays (docs/payments.md gives the legal basis).
    """

    name = "request_payment"
    label = gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính")
    from_statuses = WORKING

    def may(self, actor, dossier) -> bool:
        return _acts_for(actor, dossier.competent_organisation_id) and (
            _holds_step(actor, dossier) or _head_over_step(actor, dossier)
        )

    def _plan(self, subject, params):
        from tinhso.payments.services import parse_amount, planned_items

        amount = parse_amount(params.get("amount"))
        reason = _reason(params) if amount is not None else ""
        planned_items(subject, amount=amount, reason=reason)
        return amount, reason

    def check(self, actor, subject, **params) -> None:
        self._plan(subject, params)

    def apply(self, actor, subject, *, at, **params):
        from tinhso.payments.services import payment_request_open

        amount, reason = self._plan(subject, params)
        payment = payment_request_open(
            actor=actor, dossier=subject, at=at, amount=amount, reason=reason
        )
        clock_pause(subject, at=at)
        subject.status = S.FINANCIAL_OBLIGATION
        note = _("Số tiền phải nộp: %(amount)s.") % {"amount": format_money(payment.amount)}
        if reason:
            note = f"{note} {reason}"
        return {"payment_id": payment.pk, "reference": payment.reference, "note": note}


class ConfirmPaymentAction(DossierAction):
    """Run by the system on a verified gateway callback: the dossier goes back to work."""

    name = "confirm_payment"
    label = gettext_lazy("Ghi nhận đã thực hiện nghĩa vụ tài chính")
    from_statuses = frozenset({S.FINANCIAL_OBLIGATION})

    def allowed(self, actor, subject) -> bool:
        return actor is None

    def apply(self, actor, subject, *, at, **params):
        payment = params["payment"]
        paused = clock_resume(subject, at=at)
        subject.status = payment.status_before or S.PROCESSING
        return {
            "payment_id": payment.pk,
            "reference": payment.reference,
            "paused_hours": paused.total_seconds() / 3600,
            "note": _("Đã nộp %(amount)s (mã thanh toán %(reference)s).")
            % {"amount": format_money(payment.amount), "reference": payment.reference},
        }


class CancelPaymentAction(DossierAction):
    """The officer withdraws a pending request (wrong amount, fees waived): back to work."""

    name = "cancel_payment"
    label = gettext_lazy("Hủy yêu cầu thanh toán")
    from_statuses = frozenset({S.FINANCIAL_OBLIGATION})

    def may(self, actor, dossier) -> bool:
        return _acts_for(actor, dossier.competent_organisation_id) and (
            _holds_step(actor, dossier) or _head_over_step(actor, dossier)
        )

    def check(self, actor, subject, **params) -> None:
        _reason(params)

    def apply(self, actor, subject, *, at, **params):
        from tinhso.payments.services import payment_request_cancel

        reason = _reason(params)
        payment = payment_request_cancel(actor=actor, dossier=subject, reason=reason)
        clock_resume(subject, at=at)
        subject.status = (payment.status_before if payment else "") or S.PROCESSING
        return {"payment_id": payment.pk if payment else None, "note": reason}


class ApproveAction(DossierAction):
    name = "approve"
    label = gettext_lazy("Phê duyệt")
    from_statuses = WORKING

    def may(self, actor, dossier) -> bool:
        return dossier.current_role == Role.HEAD and _head_over_step(actor, dossier)

    def apply(self, actor, subject, *, at, **params):
        from tinhso.procedures.choices import StepKind

        process = _process(subject)
        from_step = subject.step_code
        target = process.on_approve(subject.step_code)
        if target is None or target.kind == StepKind.RETURN:
            subject.status = S.PROCESSED
            subject.finished_at = at
            from tinhso.dossiers.results import result_issue_after_commit

            result_issue_after_commit(actor=actor, dossier=subject)
            if target is not None:
                _start(subject, target, at=at)
            else:
                subject.step_code = ""
                subject.current_role = Role.DESK_OFFICER
                subject.current_organisation = subject.receiving_organisation
                subject.assignee = None
                subject.step_due_at = None
        else:
            _start(subject, target, at=at)
            subject.status = S.PROCESSING
        return {
            "from_step": from_step,
            "to_step": subject.step_code,
            "note": params.get("note", ""),
        }


class RefuseAction(DossierAction):
    """The competent agency decides not to grant: along ``on_refuse`` if set, else the end."""

    name = "refuse"
    label = gettext_lazy("Từ chối giải quyết")
    from_statuses = WORKING

    def may(self, actor, dossier) -> bool:
        return _head_over_step(actor, dossier)

    def check(self, actor, subject, **params) -> None:
        _reason(params)

    def apply(self, actor, subject, *, at, **params):
        reason = _reason(params)
        from tinhso.procedures.choices import StepKind

        target = _process(subject).on_refuse(subject.step_code)
        # A refuse branch to the return step is the end: the refusal is the result.
        if target is not None and target.kind != StepKind.RETURN:
            _start(subject, target, at=at)
            subject.status = S.PROCESSING
            return {"to_step": target.code, "note": reason}
        _end(subject, status=S.REFUSED, at=at)
        subject.refusal_reason = reason
        subject.finished_at = at
        return {"note": reason}


class StopAction(DossierAction):
    name = "stop"
    label = gettext_lazy("Dừng xử lý")
    from_statuses = frozenset(
        {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION}
    )

    def may(self, actor, dossier) -> bool:
        return _is(actor, Role.HEAD) and _acts_for(actor, dossier.competent_organisation_id)

    def check(self, actor, subject, **params) -> None:
        _reason(params)

    def apply(self, actor, subject, *, at, **params):
        reason = _reason(params)
        _cancel_payment(actor, subject, reason)
        _end(subject, status=S.STOPPED, at=at)
        subject.refusal_reason = reason
        subject.finished_at = at
        return {"note": reason}


class WithdrawAction(DossierAction):
    name = "withdraw"
    label = gettext_lazy("Rút hồ sơ")
    from_statuses = frozenset(
        {S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION}
    )

    def may(self, actor, dossier) -> bool:
        return _owns(actor, dossier)

    def apply(self, actor, subject, *, at, **params):
        note = " ".join(str(params.get("note") or params.get("reason") or "").split())
        _cancel_payment(actor, subject, note)
        _end(subject, status=S.WITHDRAWN, at=at)
        return {"note": note[:MAX_REASON]}


class ReturnResultAction(DossierAction):
    name = "return_result"
    label = gettext_lazy("Trả kết quả")
    from_statuses = frozenset({S.PROCESSED})

    def may(self, actor, dossier) -> bool:
        return _desk_of_receiving(actor, dossier)

    def apply(self, actor, subject, *, at, **params):
        _end(subject, status=S.RETURNED, at=at)
        subject.returned_at = at
        subject.returned_late = is_late(subject.due_at, at)
        return {"late": subject.returned_late, "note": params.get("note", "")}


ACTIONS = ActionRegistry(
    [
        ReceiveAction,
        RefuseReceiptAction,
        AssignAction,
        ForwardAction,
        SendBackAction,
        RequestSupplementAction,
        SubmitSupplementAction,
        ApproveAction,
        RefuseAction,
        StopAction,
        WithdrawAction,
        ReturnResultAction,
        RequestPaymentAction,
        ConfirmPaymentAction,
        CancelPaymentAction,
    ]
)


def dossier_act(*, actor, dossier, action: str, expected_version: int | None = None, **params):
    """Run the named action on ``dossier``; the one entry point for pages and the API."""
    return ACTIONS.get(action).run(
        actor=actor, subject=dossier, expected_version=expected_version, **params
    )
