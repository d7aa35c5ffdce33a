"""``tinhso calendar``: deadlines, working time and the province's special days.

tinhso calendar deadline --start 2026-01-09T16:00 --days 5
tinhso calendar deadline --start 2026-01-09T16:00 --hours 8
tinhso calendar deadline --start 2026-02-10 --calendar-days 15
tinhso calendar between --start 2026-01-09T16:00 --end 2026-01-12T16:00
tinhso calendar days --year 2026
tinhso calendar set 2026-08-22 working --reason "Làm bù cho ngày 31/8"
tinhso calendar delete 2026-08-22
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core import calendar
from tinhso.core.exceptions import ValidationError
from tinhso.core.management.base import TinhsoCommand
from tinhso.core.services.calendar import calendar_day_delete, calendar_day_set

_WEEKDAYS = [
    gettext_lazy("Thứ Hai"),
    gettext_lazy("Thứ Ba"),
    gettext_lazy("Thứ Tư"),
    gettext_lazy("Thứ Năm"),
    gettext_lazy("Thứ Sáu"),
    gettext_lazy("Thứ Bảy"),
    gettext_lazy("Chủ Nhật"),
]


def _fmt(moment) -> str:
    local = calendar.get_calendar().local(moment)
    return f"{_WEEKDAYS[local.weekday()]} {local:%d/%m/%Y %H:%M}"


class Command(TinhsoCommand):
    help = "Lịch làm việc: tính hạn xử lý, thời gian làm việc, ngày nghỉ và ngày làm bù."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        deadline = sub.add_parser("deadline", help="Tính hạn xử lý từ một thời điểm.")
        deadline.add_argument("--start", help="YYYY-MM-DDTHH:MM (mặc định: bây giờ)")
        amount = deadline.add_mutually_exclusive_group(required=True)
        amount.add_argument("--hours", help="số giờ làm việc")
        amount.add_argument("--days", help="số ngày làm việc (mỗi ngày = tổng các buổi)")
        amount.add_argument("--calendar-days", help="số ngày theo lịch (BLDS 2015, Điều 148)")

        between = sub.add_parser("between", help="Thời gian làm việc giữa hai thời điểm.")
        between.add_argument("--start", required=True)
        between.add_argument("--end", required=True)

        days = sub.add_parser("days", help="Ngày nghỉ lễ, ngày làm bù và ngày riêng của tỉnh.")
        days.add_argument("--year", type=int)

        set_day = sub.add_parser("set", help="Đặt ngày làm việc bù hoặc ngày nghỉ của tỉnh.")
        set_day.add_argument("date", help="YYYY-MM-DD")
        set_day.add_argument("kind", choices=["working", "day_off"])
        set_day.add_argument("--reason", default="")

        delete = sub.add_parser("delete", help="Bỏ một ngày riêng của tỉnh.")
        delete.add_argument("date", help="YYYY-MM-DD")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _amount(self, value: str, name: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number:
            raise ValidationError(
                _("“%(field)s” phải là một số.") % {"field": name}, code="calendar_bad_amount"
            )
        return number

    def _deadline(self, options):
        start = (
            calendar.parse_moment(options["start"], field="--start")
            if options["start"]
            else calendar.now()
        )
        if options["hours"] is not None:
            due = calendar.add_working_hours(start, self._amount(options["hours"], "--hours"))
        elif options["days"] is not None:
            due = calendar.add_working_days(start, self._amount(options["days"], "--days"))
        else:
            due = calendar.add_calendar_days(
                start, self._amount(options["calendar_days"], "--calendar-days")
            )
        self.stdout.write(
            _("Bắt đầu tính: %(t)s") % {"t": _fmt(calendar.next_working_moment(start))}
        )
        self.stdout.write(_("Hạn xử lý: %(t)s") % {"t": _fmt(due)})
        self.stdout.write(due.isoformat())

    def _between(self, options):
        a = calendar.parse_moment(options["start"], field="--start")
        b = calendar.parse_moment(options["end"], field="--end")
        if b < a:
            raise ValidationError(
                _("Thời điểm kết thúc phải sau thời điểm bắt đầu."),
                code="calendar_end_before_start",
            )
        span = calendar.working_time_between(a, b)
        hours = span.total_seconds() / 3600
        self.stdout.write(_("Thời gian làm việc: %(h)s giờ") % {"h": f"{hours:g}"})

    def _days(self, options):
        year = options["year"] or calendar.now().year
        kinds = {
            "holiday": _("nghỉ lễ"),
            "weekend_workday": _("làm bù (nhà nước)"),
            "working": _("làm bù (tỉnh)"),
            "day_off": _("nghỉ (tỉnh)"),
        }
        for info in calendar.special_days(year):
            label = kinds.get(info.kind, info.kind)
            name = f"  {info.name}" if info.name else ""
            self.stdout.write(
                f"{info.date:%Y-%m-%d} {_WEEKDAYS[info.date.weekday()]!s:<9} {label}{name}"
            )

    def _set(self, options):
        day = calendar_day_set(
            actor=None,
            date=calendar.parse_day(options["date"]),
            kind=options["kind"],
            reason=options["reason"],
        )
        self.stdout.write(_("Đã lưu: %(day)s") % {"day": day})

    def _delete(self, options):
        day = calendar.parse_day(options["date"])
        calendar_day_delete(actor=None, date=day)
        self.stdout.write(_("Đã bỏ ngày %(d)s.") % {"d": f"{day:%d/%m/%Y}"})
