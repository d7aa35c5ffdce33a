"""``tinhso soc_ingest_token <name>``: a new token for ``POST /api/v1/soc/ingest``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.soc.ingest import tokens


class Command(TinhsoCommand):
    help = (
        "Tạo mã nhận nhật ký mới cho một nguồn; in mã (chỉ hiện một lần) và dòng cần thêm "
        "vào biến môi trường TINHSO_SOC_INGEST_TOKENS."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="tên nguồn (chữ, số, . _ -), ghi vào từng sự kiện")

    def handle(self, *args, name: str, **opts):
        if not tokens.valid_name(name):
            self.fail(
                _("Tên nguồn chỉ gồm chữ không dấu, số và . _ - (tối đa 64 ký tự)."),
                code="soc_bad_source_name",
            )
        token, entry = tokens.token_new(name=name)
        self.stdout.write(_("Mã (chỉ hiện một lần, nguồn gửi trong tiêu đề Authorization):"))
        self.stdout.write(f"Authorization: Bearer {token}")
        self.stdout.write(_("Thêm vào TINHSO_SOC_INGEST_TOKENS (các mục cách nhau bằng dấu phẩy):"))
        self.stdout.write(f"TINHSO_SOC_INGEST_TOKENS={entry}")
