"""``tinhso serve``: the production server (gunicorn, several workers) reading DATABASE_URL."""

from __future__ import annotations

from django.utils.translation import gettext as _

from config.env import env_int
from tinhso.core.exceptions import ValidationError
from tinhso.core.management.base import TinhsoCommand
from tinhso.core.management.commands._serving import (
    default_workers,
    describe_database,
    exec_gunicorn,
    gunicorn_argv,
    pending_migrations,
)


class Command(TinhsoCommand):
    help = _(
        "Chạy máy chủ vận hành (gunicorn, nhiều tiến trình) với cơ sở dữ liệu trong DATABASE_URL. "
        "Từ chối khởi động khi còn migration chưa áp dụng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=None,
            help=_("Địa chỉ lắng nghe, mặc định 127.0.0.1:$PORT (PORT mặc định 8000)."),
        )
        parser.add_argument(
            "--workers",
            default=None,
            help=_("Số tiến trình, mặc định 2 × số nhân + 1, tối đa 12."),
        )
        parser.add_argument("--threads", default="1", help=_("Số luồng mỗi tiến trình."))
        parser.add_argument("--timeout", default="60", help=_("Giây tối đa cho một yêu cầu."))

    def handle(self, *args, **options):
        workers = _positive(options["workers"], default_workers(), "--workers", 64)
        threads = _positive(options["threads"], 1, "--threads", 64)
        timeout = _positive(options["timeout"], 60, "--timeout", 3600)
        bind = options["bind"] or f"127.0.0.1:{env_int('PORT', 8000)}"
        pending = pending_migrations()
        if pending:
            self.fail(
                _(
                    "Cơ sở dữ liệu còn %(n)d migration chưa áp dụng (%(names)s). "
                    "Hãy chạy `tinhso migrate` rồi khởi động lại."
                )
                % {"n": len(pending), "names": ", ".join(pending[:5])},
                code="pending_migrations",
            )
        self.stdout.write(
            _("Tỉnh số: %(workers)d tiến trình tại http://%(bind)s, cơ sở dữ liệu %(db)s.")
            % {"workers": workers, "bind": bind, "db": describe_database()}
        )
        exec_gunicorn(gunicorn_argv(bind=bind, workers=workers, threads=threads, timeout=timeout))


def _positive(value, default: int, name: str, maximum: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= maximum:
        raise ValidationError(
            _("Tham số %(name)s phải là số nguyên từ 1 đến %(max)d.")
            % {"name": name, "max": maximum},
            code="invalid_arguments",
        )
    return number
