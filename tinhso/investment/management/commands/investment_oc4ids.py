"""``tinhso investment_oc4ids --output FILE``: every project as an OC4IDS 0.9.5 project package."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand


class Command(TinhsoCommand):
    help = _("Xuất toàn bộ dự án đầu tư công theo chuẩn OC4IDS 0.9.5 (gói dự án JSON).")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help=_("Tệp .json sẽ được ghi"))
        parser.add_argument(
            "--uri", default="", help=_("Địa chỉ công bố của gói dữ liệu (mặc định: tên tệp)")
        )

    def handle(self, *args, **options):
        from tinhso.investment.oc4ids import package_chunks

        target = Path(options["output"])
        uri = options["uri"] or target.resolve().as_uri()
        size = 0
        projects = 0
        partial = target.with_name(target.name + ".part")
        with partial.open("w", encoding="utf-8") as out:
            for chunk in package_chunks(None, uri=uri):
                out.write(chunk)
                size += len(chunk.encode("utf-8"))
                projects += 1
        partial.replace(target)
        self.stdout.write(
            _("Đã ghi %(projects)d dự án (%(size)d byte) vào %(file)s.")
            % {"projects": max(projects - 2, 0), "size": size, "file": str(target)}
        )
