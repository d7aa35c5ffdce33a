"""``tinhso load_units``: load or refresh the administrative units; safe to run again."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.core.services.units import units_load


class Command(TinhsoCommand):
    help = _(
        "Nạp danh mục đơn vị hành chính trước và sau 01/7/2025 cùng bảng chuyển đổi xã cũ → mới "
        "(chạy lại không thay đổi gì)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            help=_("Thư mục chứa các tệp CSV (mặc định: dữ liệu đi kèm gói)."),
        )

    def handle(self, *args, **options):
        report = units_load(actor=None, data_dir=options.get("data_dir"))
        if options["verbosity"] >= 1:
            if report.changed:
                self.stdout.write(
                    _(
                        "Đã nạp đơn vị hành chính: thêm %(uc)d, cập nhật %(uu)d, giữ nguyên %(un)d; "
                        "bảng chuyển đổi: thêm %(sc)d, cập nhật %(su)d, xoá %(sd)d, giữ nguyên %(sn)d."
                    )
                    % {
                        "uc": report.units_created,
                        "uu": report.units_updated,
                        "un": report.units_unchanged,
                        "sc": report.successions_created,
                        "su": report.successions_updated,
                        "sd": report.successions_deleted,
                        "sn": report.successions_unchanged,
                    }
                )
            else:
                self.stdout.write(
                    _(
                        "Danh mục đơn vị hành chính đã đầy đủ (%(units)d đơn vị, "
                        "%(rows)d dòng chuyển đổi): không có gì thay đổi."
                    )
                    % {
                        "units": report.units_unchanged,
                        "rows": report.successions_unchanged,
                    }
                )
