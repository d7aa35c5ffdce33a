from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.procedures.catalogue import catalogue_import
from tinhso.procedures.errors import ImportBadFile


class Command(TinhsoCommand):
    help = _("Nhập danh mục thủ tục hành chính từ tệp .xlsx hoặc .json (tất cả hoặc không gì cả).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Tệp .xlsx hoặc .json"))
        parser.add_argument(
            "--format", choices=["xlsx", "json"], help=_("Định dạng (mặc định: theo đuôi tệp)")
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise ImportBadFile(
                _("Không tìm thấy tệp %(path)s.") % {"path": path}, code="import_no_file"
            )
        format = options["format"] or path.suffix.lower().lstrip(".")
        report = catalogue_import(actor=None, file=path.read_bytes(), format=format)
        self.stdout.write(
            _("Đã nhập %(total)d thủ tục: %(created)d mới, %(updated)d cập nhật.")
            % {"total": report.total, "created": report.created, "updated": report.updated}
        )
