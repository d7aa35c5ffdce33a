"""``tinhso payments_reconcile --date YYYY-MM-DD``: platform payments vs the gateway statement."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand


class Command(TinhsoCommand):
    help = _("Đối soát các khoản thanh toán trong ngày với bảng kê của cổng thanh toán.")

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")

    def handle(self, *args, **options):
        from tinhso.payments.reconciliation import parse_date, reconcile

        report = reconcile(parse_date(options["date"]))
        self.stdout.write(
            _("Ngày %(date)s, cổng %(gateway)s: %(n)d giao dịch, %(m)d chênh lệch.")
            % {
                "date": report.date.isoformat(),
                "gateway": report.gateway,
                "n": len(report.lines),
                "m": len(report.mismatches),
            }
        )
        for line in report.lines:
            self.stdout.write(
                f"{line.kind}\t{line.reference}\t{line.dossier_code or '-'}\t"
                f"{line.platform_amount if line.platform_amount is not None else '-'}\t"
                f"{line.gateway_amount if line.gateway_amount is not None else '-'}\t"
                f"{line.transaction_no or '-'}"
            )
