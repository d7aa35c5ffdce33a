"""The alert engine: ``alerts_evaluate(today=...)`` raises, keeps and closes alerts.

Run daily by ``tinhso investment_alerts``. For each kind it computes the set of
(project, period) pairs whose condition holds today from a few grouped
queries; an open alert is created for each new pair (and the owner's staff are
notified), open alerts whose pair is no longer in the set are closed, and the
rest are left as they are. Running it twice on the same day changes nothing.

The kinds and their conditions (thresholds in ``Thresholds``, settable in
``settings.TINHSO_INVESTMENT_ALERTS``):

- ``below_month_target``: the project's disbursement rate against its own plan
  is below the target of the last month-end passed (the province's curve);
  period: that month ("2025-05");
- ``below_threshold_by_date``: on or after a checkpoint (30 June 30%,
  30 September 60%, 31 December 90% by default; a provincial choice, not the
  law's), the rate is below the checkpoint's threshold; period: the date;
- ``no_update``: no disbursement or progress reported for ``no_update_days``
  days by a project with a plan this year; period: the last update's date;
- ``physical_financial_gap``: the latest physical progress and the financial
  progress (everything disbursed over the total investment) differ by more
  than ``gap_points``; period: the year;
- ``contract_ending_low_progress``: a contract ends within
  ``contract_days`` days (after its modifications) while the project's
  physical progress is below ``low_progress``; period: "C" and the contract id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tinhso.core.audit import audit_record
from tinhso.core.choices import Role
from tinhso.core.models import User
from tinhso.core.notifications import notify
from tinhso.investment.choices import (
    AlertKind,
    AlertSeverity,
    ProjectPhase,
)
from tinhso.investment.models import (
    Alert,
    Contract,
    ContractModification,
    ProgressSnapshot,
    Project,
)
from tinhso.investment.selectors.measures import (
    curve_month,
    disbursed_by_project,
    project_figures,
    rate,
    target_curve,
)


@dataclass(frozen=True)
class Thresholds:
    checkpoints: tuple[tuple[int, int, Decimal], ...] = (
        (6, 30, Decimal(30)),
        (9, 30, Decimal(60)),
        (12, 31, Decimal(90)),
    )
    no_update_days: int = 7
    gap_points: Decimal = Decimal(20)
    contract_days: int = 30
    low_progress: Decimal = Decimal(80)
    critical_gap: Decimal = Decimal(20)


def _pct(value) -> str:
    """A percentage for a message: one decimal, the active language's decimal mark."""
    return formats.number_format(Decimal(value).quantize(Decimal("0.1")), 1)


def thresholds() -> Thresholds:
    overrides = getattr(settings, "TINHSO_INVESTMENT_ALERTS", None) or {}
    return Thresholds(**overrides)


@dataclass
class Finding:
    project_id: int
    kind: str
    period: str
    severity: str
    message: str
    evidence: dict = field(default_factory=dict)


@dataclass
class EvaluationReport:
    created: int = 0
    closed: int = 0
    kept: int = 0
    notified: int = 0

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "closed": self.closed,
            "kept": self.kept,
            "notified": self.notified,
        }


ACTIVE_PHASES = (ProjectPhase.PREPARATION, ProjectPhase.IMPLEMENTATION)


def _last_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def _disbursement_findings(today: dt.date, limits: Thresholds) -> list[Finding]:
    findings: list[Finding] = []
    # The plan year in force: January's days still count for last year's plan.
    year = today.year
    figures = project_figures(None, year=year, as_of=today)
    if not figures:
        return findings
    curve = target_curve(year)
    milestone = _last_month_end(today)
    month = curve_month(year, milestone)
    codes = dict(Project.objects.filter(pk__in=list(figures)).values_list("pk", "code"))
    checkpoint = None
    for cp_month, cp_day, cp_threshold in limits.checkpoints:
        cp_date = dt.date(year, cp_month, cp_day)
        if cp_date <= today:
            checkpoint = (cp_date, cp_threshold)
    for project_id, fig in figures.items():
        if not fig.plan or project_id not in codes:
            continue
        current = fig.rate or Decimal(0)
        if month:
            target = curve[month - 1]
            if current < target:
                gap = target - current
                findings.append(
                    Finding(
                        project_id,
                        AlertKind.BELOW_MONTH_TARGET,
                        f"{milestone:%Y-%m}",
                        AlertSeverity.CRITICAL
                        if gap >= limits.critical_gap
                        else AlertSeverity.WARNING,
                        _(
                            "Dự án %(code)s giải ngân %(rate)s%% kế hoạch vốn, thấp hơn mục tiêu "
                            "%(target)s%% đến hết tháng %(month)s."
                        )
                        % {
                            "code": codes[project_id],
                            "rate": _pct(current),
                            "target": _pct(target),
                            "month": f"{milestone:%m/%Y}",
                        },
                        {
                            "plan": fig.plan,
                            "disbursed": fig.disbursed,
                            "rate": str(current),
                            "target": str(target),
                        },
                    )
                )
        if checkpoint and current < checkpoint[1]:
            findings.append(
                Finding(
                    project_id,
                    AlertKind.BELOW_THRESHOLD_BY_DATE,
                    checkpoint[0].isoformat(),
                    AlertSeverity.WARNING,
                    _(
                        "Dự án %(code)s giải ngân %(rate)s%%, chưa đạt %(threshold)s%% tại ngày %(date)s."
                    )
                    % {
                        "code": codes[project_id],
                        "rate": _pct(current),
                        "threshold": _pct(checkpoint[1]),
                        "date": f"{checkpoint[0]:%d/%m/%Y}",
                    },
                    {
                        "plan": fig.plan,
                        "disbursed": fig.disbursed,
                        "rate": str(current),
                        "threshold": str(checkpoint[1]),
                    },
                )
            )
    return findings


def _no_update_findings(today: dt.date, limits: Thresholds) -> list[Finding]:
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=limits.no_update_days), dt.time.min)
    )
    rows = (
        Project.objects.filter(
            phase__in=ACTIVE_PHASES, plan_lines__year=today.year, created_at__lt=cutoff
        )
        .filter(Q(last_reported_at__isnull=True) | Q(last_reported_at__lt=cutoff))
        .values("pk", "code", "last_reported_at")
        .distinct()
    )
    findings = []
    for row in rows:
        last = row["last_reported_at"]
        since = timezone.localdate(last).isoformat() if last else "never"
        findings.append(
            Finding(
                row["pk"],
                AlertKind.NO_UPDATE,
                since,
                AlertSeverity.WARNING,
                _("Dự án %(code)s không cập nhật giải ngân, tiến độ từ %(since)s.")
                % {
                    "code": row["code"],
                    "since": f"{timezone.localdate(last):%d/%m/%Y}" if last else _("khi tạo"),
                },
                {"last_reported": since, "days": limits.no_update_days},
            )
        )
    return findings


def _latest_physical():
    return Subquery(
        ProgressSnapshot.objects.filter(project=OuterRef("pk"))
        .order_by("-date", "-id")
        .values("physical_percent")[:1]
    )


def _gap_findings(today: dt.date, limits: Thresholds) -> list[Finding]:
    disbursed = disbursed_by_project(until=today)
    rows = (
        Project.objects.filter(phase__in=ACTIVE_PHASES, total_investment__gt=0)
        .annotate(physical=_latest_physical())
        .filter(physical__isnull=False)
        .values("pk", "code", "total_investment", "physical")
    )
    findings = []
    for row in rows:
        financial = rate(int(disbursed.get(row["pk"]) or 0), row["total_investment"])
        physical = Decimal(row["physical"])
        if abs(physical - financial) > limits.gap_points:
            findings.append(
                Finding(
                    row["pk"],
                    AlertKind.PHYSICAL_FINANCIAL_GAP,
                    str(today.year),
                    AlertSeverity.WARNING,
                    _(
                        "Dự án %(code)s: khối lượng thực hiện %(physical)s%% nhưng giải ngân "
                        "%(financial)s%% tổng mức đầu tư."
                    )
                    % {
                        "code": row["code"],
                        "physical": _pct(physical),
                        "financial": _pct(financial),
                    },
                    {"physical": str(physical), "financial": str(financial)},
                )
            )
    return findings


def _contract_findings(today: dt.date, limits: Thresholds) -> list[Finding]:
    horizon = today + dt.timedelta(days=limits.contract_days)
    latest_end = Subquery(
        ContractModification.objects.filter(contract=OuterRef("pk"), new_end_date__isnull=False)
        .order_by("-date", "-id")
        .values("new_end_date")[:1]
    )
    contracts = (
        Contract.objects.filter(project__phase__in=ACTIVE_PHASES)
        .annotate(modified_end=latest_end)
        .values("pk", "project_id", "number", "end_date", "modified_end")
    )
    ending = [
        (c, c["modified_end"] or c["end_date"])
        for c in contracts
        if today <= (c["modified_end"] or c["end_date"]) <= horizon
    ]
    if not ending:
        return []
    physical = dict(
        Project.objects.filter(pk__in={c["project_id"] for c, _end in ending})
        .annotate(physical=_latest_physical())
        .values_list("pk", "physical")
    )
    codes = dict(Project.objects.filter(pk__in=list(physical)).values_list("pk", "code"))
    findings = []
    for contract, end in ending:
        done = Decimal(physical.get(contract["project_id"]) or 0)
        if done < limits.low_progress:
            findings.append(
                Finding(
                    contract["project_id"],
                    AlertKind.CONTRACT_ENDING_LOW_PROGRESS,
                    f"C{contract['pk']}",
                    AlertSeverity.CRITICAL if (end - today).days <= 7 else AlertSeverity.WARNING,
                    _(
                        "Hợp đồng %(number)s của dự án %(code)s hết hạn ngày %(end)s, "
                        "khối lượng mới đạt %(physical)s%%."
                    )
                    % {
                        "number": contract["number"] or contract["pk"],
                        "code": codes.get(contract["project_id"], ""),
                        "end": f"{end:%d/%m/%Y}",
                        "physical": _pct(done),
                    },
                    {
                        "contract": contract["pk"],
                        "end_date": end.isoformat(),
                        "physical": str(done),
                    },
                )
            )
    return findings


def _notify_owner(alert: Alert, owners: dict[int, list[User]]) -> int:
    sent = 0
    for user in owners.get(alert.project.owner_id, []):
        notify(
            subject=_("Cảnh báo dự án %(code)s") % {"code": alert.project.code},
            body=alert.message,
            user=user,
            channels=("email",),
            related=alert,
        )
        sent += 1
    return sent


def alerts_evaluate(*, today: dt.date, actor=None) -> EvaluationReport:
    """Raise new alerts, close those whose condition cleared; idempotent for a day."""
    limits = thresholds()
    findings = (
        _disbursement_findings(today, limits)
        + _no_update_findings(today, limits)
        + _gap_findings(today, limits)
        + _contract_findings(today, limits)
    )
    wanted = {(f.project_id, f.kind, f.period): f for f in findings}
    report = EvaluationReport()
    now = timezone.now()
    with transaction.atomic():
        open_alerts = {
            (a.project_id, a.kind, a.period): a.pk
            for a in Alert.objects.select_for_update().filter(closed_at__isnull=True)
        }
        to_close = [pk for key, pk in open_alerts.items() if key not in wanted]
        report.closed = Alert.objects.filter(pk__in=to_close).update(closed_at=now)
        report.kept = len(open_alerts) - len(to_close)
        new = [
            Alert(
                project_id=f.project_id,
                kind=f.kind,
                period=f.period,
                severity=f.severity,
                message=f.message,
                evidence=f.evidence,
                created_at=now,
            )
            for key, f in wanted.items()
            if key not in open_alerts
        ]
        created = Alert.objects.bulk_create(new, batch_size=500)
        report.created = len(created)
        if created:
            owner_ids = {
                p.owner_id
                for p in Project.objects.filter(pk__in={a.project_id for a in created}).only(
                    "owner_id"
                )
            }
            owners: dict[int, list[User]] = {}
            for user in User.objects.filter(
                role=Role.PROJECT_OWNER, is_active=True, organisation_id__in=owner_ids
            ):
                owners.setdefault(user.organisation_id, []).append(user)
            for alert in Alert.objects.filter(
                closed_at__isnull=True, created_at=now
            ).select_related("project"):
                report.notified += _notify_owner(alert, owners)
        if report.created or report.closed:
            audit_record(
                actor=actor,
                action="investment.alerts_evaluate",
                object_type="investment.alert",
                object_id=today.isoformat(),
                changes=report.as_dict(),
            )
    return report


def latest_update(project_ids) -> dict[int, dt.datetime]:
    """When each project last reported (for pages listing silent projects)."""
    return dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "last_reported_at"))


__all__ = ["EvaluationReport", "Thresholds", "alerts_evaluate", "latest_update"]
