from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.procedures.catalogue import catalogue_export
from tinhso.procedures.errors import ImportBadFile
from tinhso.procedures.models import Procedure


class Command(TinhsoCommand):
    help = _("Xuất danh mục thủ tục hành chính ra tệp .xlsx hoặc .json.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Tệp .xlsx hoặc .json sẽ được ghi"))
        parser.add_argument(
            "--format", choices=["xlsx", "json"], help=_("Định dạng (mặc định: theo đuôi tệp)")
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        format = options["format"] or path.suffix.lower().lstrip(".")
        if format not in ("xlsx", "json"):
            raise ImportBadFile(_("Định dạng phải là xlsx hoặc json."), code="import_bad_format")
        data = catalogue_export(format=format)
        try:
            path.write_bytes(data)
        except OSError as error:
            raise ImportBadFile(
                _("Không ghi được tệp %(path)s: %(reason)s")
                % {"path": path, "reason": error.strerror or error},
                code="export_write_failed",
            ) from None
        self.stdout.write(
            _("Đã xuất %(n)d thủ tục ra %(path)s.") % {"n": Procedure.objects.count(), "path": path}
        )
