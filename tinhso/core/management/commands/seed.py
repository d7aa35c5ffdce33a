"""``tinhso seed --scale N``: generate N demo citizens fast (COPY on PostgreSQL)."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from tinhso.core.demo.bulk import citizens_seed
from tinhso.core.exceptions import ValidationError
from tinhso.core.management.base import TinhsoCommand


class Command(TinhsoCommand):
    help = _(
        "Sinh nhanh N công dân (dữ liệu demo, số CCCD hợp lệ và không trùng) để đo hiệu năng: "
        "COPY trên PostgreSQL, chèn theo lô trên SQLite."
    )

    def add_arguments(self, parser):
        # Strings, checked by the service: "--scale abc" gets the same clear
        # Vietnamese message as "--scale -1".
        parser.add_argument("--scale", required=True, help=_("Số công dân cần tạo."))
        parser.add_argument(
            "--batch", default="10000", help=_("Số bản ghi mỗi lô (mặc định 10000).")
        )
        parser.add_argument("--seed", default=None, help=_("Hạt giống ngẫu nhiên (số nguyên)."))
        parser.add_argument("--json", action="store_true", help=_("In kết quả dạng JSON."))

    def handle(self, *args, **options):
        seed = options["seed"]
        if seed is not None:
            try:
                seed = int(seed)
            except ValueError:
                raise ValidationError(
                    _("Hạt giống (--seed) phải là số nguyên."), code="invalid_seed"
                ) from None
        report = citizens_seed(
            actor=None, scale=options["scale"], batch=options["batch"], seed=seed
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(
            _(
                "Đã tạo %(rows)s công dân (dữ liệu demo) trong %(seconds).2f giây: "
                "%(rate)s bản ghi/giây (%(backend)s)."
            )
            % {
                "rows": f"{report.rows:,}".replace(",", "."),
                "seconds": report.seconds,
                "rate": f"{report.rows_per_second:,.0f}".replace(",", "."),
                "backend": report.backend,
            }
        )
