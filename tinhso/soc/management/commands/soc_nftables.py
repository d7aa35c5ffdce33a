"""``tinhso soc_nftables [--output FILE] [--set NAME] [--table NAME]``: the active bans as
an ``nft -f`` file (docs/soc.md, "Firewall export")."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.soc import nftables


class Command(TinhsoCommand):
    help = (
        "Write the active address and range bans as an nft -f file (sets NAME_v4 and NAME_v6 "
        "with flags interval, timeout); atomic when --output is given, else standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (temporary file + rename)")
        parser.add_argument("--set", dest="set_name", default=nftables.DEFAULT_SET)
        parser.add_argument("--table", default=nftables.DEFAULT_TABLE)

    def handle(self, *args, **opts):
        text = nftables.render(table=opts["table"], set_name=opts["set_name"])
        output = opts["output"]
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if not path.parent.is_dir():
            self.fail(
                _("Thư mục của tệp đầu ra không tồn tại: %(path)s") % {"path": path.parent},
                code="soc_bad_output",
            )
        try:
            nftables.write_atomic(path, text)
        except OSError as exc:
            self.fail(
                _("Không ghi được tệp %(path)s: %(reason)s")
                % {"path": path, "reason": exc.strerror or exc},
                code="soc_bad_output",
            )
        if opts["verbosity"] >= 1:
            self.stderr.write(str(path))
