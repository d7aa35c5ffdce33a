"""``tinhso audit verify`` and ``tinhso audit tail``: the audit trail from the command line."""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.audit import (
    REASON_HASH,
    REASON_PREV_HASH,
    REASON_TAIL,
    REASON_UNCHAINED,
    audit_verify,
)
from tinhso.core.management.base import TinhsoCommand
from tinhso.core.models import AuditEvent


def reason_text(reason: str) -> str:
    return {
        REASON_PREV_HASH: _("sự kiện không nối với sự kiện liền trước (bị xoá, chèn hoặc đổi chỗ)"),
        REASON_HASH: _("nội dung sự kiện không khớp với mã băm (bị sửa)"),
        REASON_TAIL: _("các sự kiện mới nhất đã bị xoá (đầu chuỗi còn ghi nhận sự kiện này)"),
        REASON_UNCHAINED: _("sự kiện được ghi ngoài chuỗi nhật ký"),
    }.get(reason, reason)


class Command(TinhsoCommand):
    # Checking the trail must not depend on the rest of the project loading.
    requires_system_checks: list[str] = []
    help = (
        "Nhật ký kiểm toán: kiểm tra tính toàn vẹn (verify) hoặc xem các sự kiện mới nhất (tail)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,tail}")
        sub.add_parser("verify", help="Kiểm tra chuỗi băm của toàn bộ nhật ký.")
        tail = sub.add_parser("tail", help="In các sự kiện mới nhất.")
        tail.add_argument(
            "-n", "--lines", type=int, default=20, help="Số sự kiện cần in (mặc định 20)."
        )
        tail.add_argument("--json", action="store_true", help="In mỗi sự kiện là một dòng JSON.")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            self.verify(verbosity=options["verbosity"])
        else:
            self.tail(options["lines"], as_json=options["json"])

    def verify(self, *, verbosity: int) -> None:
        report = audit_verify()
        if not report.ok:
            self.fail(
                _(
                    "Chuỗi nhật ký bị phá vỡ tại sự kiện #%(id)s: %(reason)s (lý do: %(code)s); "
                    "%(checked)s sự kiện trước đó nguyên vẹn."
                )
                % {
                    "id": report.broken_at,
                    "reason": reason_text(report.reason),
                    "code": report.reason,
                    "checked": report.checked,
                },
                code="audit_chain_broken",
                returncode=1,
            )
        self.stdout.write(_("Chuỗi nhật ký toàn vẹn: %(n)s sự kiện.") % {"n": report.checked})
        if verbosity >= 2:
            self.stdout.write(_("Mã băm cuối chuỗi: %(hash)s") % {"hash": report.head_hash})

    def tail(self, count: int, *, as_json: bool) -> None:
        if count < 1:
            self.fail(_("Số sự kiện cần in phải lớn hơn 0."), code="invalid_arguments")
        events = list(AuditEvent.objects.order_by("-pk")[:count])
        for event in reversed(events):
            if as_json:
                self.stdout.write(
                    json.dumps(
                        {
                            "id": event.pk,
                            "occurred_at": event.occurred_at.isoformat(),
                            "actor_id": event.actor_id,
                            "actor": event.actor_label,
                            "action": event.action,
                            "object_type": event.object_type,
                            "object_id": event.object_id,
                            "object": event.object_repr,
                            "changes": event.changes,
                            "request_id": event.request_id,
                            "hash": event.hash,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                target = f"{event.object_type}#{event.object_id}" if event.object_type else "-"
                self.stdout.write(
                    f"#{event.pk} {timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M:%S%z} "
                    f"{event.actor_label} {event.action} {target} "
                    f"{json.dumps(event.changes, ensure_ascii=False)} "
                    f"[{event.request_id or '-'}]"
                )
