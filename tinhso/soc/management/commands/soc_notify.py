"""``tinhso soc_notify [--limit N]``: deliver the incident notices that are due (cron)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand, TinhsoCommandError
from tinhso.soc.notify import notices_deliver


class Command(TinhsoCommand):
    help = "Deliver the pending incident notices (e-mail, webhook) that are due; failures are retried later."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="at most this many notices")

    def handle(self, *args, **opts):
        if opts["limit"] < 1:
            raise TinhsoCommandError(_("--limit phải là số nguyên dương."), code="soc_bad_limit")
        counts = notices_deliver(limit=opts["limit"])
        self.stdout.write(
            _("Đã gửi %(sent)d, sẽ thử lại %(retry)d, thất bại %(failed)d thông báo sự cố.")
            % counts
        )
