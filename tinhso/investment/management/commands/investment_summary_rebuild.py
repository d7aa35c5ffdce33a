"""``tinhso investment_summary_rebuild [--json]``: recompute the monthly disbursement summary."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand


def _dots(number: int) -> str:
    return f"{number:,}".replace(",", ".")


class Command(TinhsoCommand):
    help = _(
        "Tính lại toàn bộ bảng tổng hợp giải ngân theo tháng từ các dòng giải ngân "
        "(chạy lại nhiều lần cho cùng kết quả)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help=_("In kết quả dạng JSON."))

    def handle(self, *args, **options):
        from tinhso.investment.summaries import rebuild_all

        report = rebuild_all(actor=None)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(
            _(
                "Đã tính lại bảng tổng hợp giải ngân theo tháng: %(written)s dòng tổng hợp "
                "(trước đó %(removed)s) cho %(lines)s dòng kế hoạch vốn, từ %(rows)s dòng "
                "giải ngân không bị từ chối."
            )
            % {
                "written": _dots(report.written),
                "removed": _dots(report.removed),
                "lines": _dots(report.plan_lines),
                "rows": _dots(report.disbursements),
            }
        )
