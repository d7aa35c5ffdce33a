"""``tinhso seed_investment --projects N --disbursements M``: DEMO projects in bulk, for benchmarks."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand


class Command(TinhsoCommand):
    help = _(
        "Sinh nhanh N dự án đầu tư công demo với khoảng M dòng giải ngân (COPY trên PostgreSQL, "
        "chèn theo lô trên SQLite, một sự kiện nhật ký) để đo hiệu năng."
    )

    def add_arguments(self, parser):
        # Strings, checked by the service: "--projects abc" gets the same clear
        # Vietnamese message as "--projects -1".
        parser.add_argument("--projects", required=True, help=_("Số dự án cần tạo."))
        parser.add_argument(
            "--disbursements", default="0", help=_("Số dòng giải ngân cần tạo (xấp xỉ).")
        )
        parser.add_argument("--json", action="store_true", help=_("In kết quả dạng JSON."))

    def handle(self, *args, **options):
        from tinhso.investment.demo import projects_bulk_seed

        report = projects_bulk_seed(
            actor=None, projects=options["projects"], disbursements=options["disbursements"]
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(
            _(
                "Đã tạo %(projects)s dự án và %(rows)s dòng giải ngân (dữ liệu demo) trong "
                "%(seconds).1f giây: %(rate)s bản ghi/giây (%(backend)s)."
            )
            % {
                "projects": f"{report.projects:,}".replace(",", "."),
                "rows": f"{report.disbursements:,}".replace(",", "."),
                "seconds": report.seconds,
                "rate": f"{report.rows_per_second:,.0f}".replace(",", "."),
                "backend": report.backend,
            }
        )
