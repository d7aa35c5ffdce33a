from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.procedures.demo import load_demo_catalogue


class Command(TinhsoCommand):
    help = _("Nạp danh mục thủ tục demo (mã và tên thật, thời hạn, phí, quy trình minh hoạ).")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help=_("Nạp lại dù đã có"))

    def handle(self, *args, **options):
        report = load_demo_catalogue(actor=None, force=options["force"])
        if report.skipped:
            self.stdout.write(
                _("Danh mục thủ tục demo đã có sẵn (%(n)d thủ tục).") % {"n": report.total}
            )
        else:
            self.stdout.write(
                _("Đã nạp danh mục thủ tục demo: %(n)d thủ tục.") % {"n": report.total}
            )
