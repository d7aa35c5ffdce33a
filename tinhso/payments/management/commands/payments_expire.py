"""``tinhso payments_expire``: expire the payment requests not paid in time (run from cron)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand


class Command(TinhsoCommand):
    help = _(
        "Chuyển các yêu cầu thanh toán quá hạn mà chưa thanh toán sang trạng thái hết hạn "
        "và báo cho người nộp hồ sơ; chạy lại nhiều lần không sao."
    )

    def handle(self, *args, **options):
        from tinhso.core import calendar
        from tinhso.payments.services import payment_requests_expire

        count = payment_requests_expire(now=calendar.now())
        self.stdout.write(_("Đã chuyển %(n)d yêu cầu thanh toán sang hết hạn.") % {"n": count})
