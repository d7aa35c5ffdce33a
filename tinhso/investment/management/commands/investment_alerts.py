"""``tinhso investment_alerts [--date YYYY-MM-DD]``: evaluate the investment alerts (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.investment.errors import InvalidProjectData


class Command(TinhsoCommand):
    help = _("Rà soát và phát cảnh báo tiến độ, giải ngân các dự án đầu tư công.")

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="YYYY-MM-DD")

    def handle(self, *args, **options):
        from tinhso.investment.alerts import alerts_evaluate

        text = options["date"]
        try:
            today = dt.date.fromisoformat(text) if text else timezone.localdate()
        except ValueError:
            raise InvalidProjectData(details={"date": text}) from None
        report = alerts_evaluate(today=today)
        self.stdout.write(
            _(
                "Ngày %(date)s: %(created)d cảnh báo mới, %(kept)d còn mở, %(closed)d đã đóng, %(notified)d thông báo."
            )
            % {"date": today.isoformat(), **report.as_dict()}
        )
