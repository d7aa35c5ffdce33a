"""``tinhso demo``: prepare the embedded platform with DEMO data and run it.

Migrates, loads the administrative units, seeds the demo data set, collects the
static files, prints the address and the demo accounts, then runs gunicorn on
127.0.0.1:$PORT in the foreground. A second run finds everything in place and
is serving within seconds. ``--no-serve`` stops after preparing.
"""

from __future__ import annotations

import contextlib
import logging
import time

from django.apps import apps as django_apps
from django.core.management import call_command
from django.utils.translation import gettext as _

from config.env import env_int
from tinhso.core.demo.seeder import (
    demo_accounts,
    demo_is_seeded,
    demo_seed,
    refuse_in_production,
)
from tinhso.core.exceptions import ValidationError
from tinhso.core.management.base import TinhsoCommand
from tinhso.core.management.commands._serving import (
    describe_database,
    exec_gunicorn,
    gunicorn_argv,
    pending_migrations,
)


class Command(TinhsoCommand):
    help = _(
        "Chạy bản trình diễn: tạo cơ sở dữ liệu, nạp đơn vị hành chính và dữ liệu demo, "
        "rồi mở nền tảng tại http://127.0.0.1:$PORT (mặc định 8000)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("Chỉ chuẩn bị dữ liệu, không chạy máy chủ."),
        )
        parser.add_argument("--port", default=None, help=_("Cổng, mặc định $PORT hoặc 8000."))
        parser.add_argument(
            "--workers", default="2", help=_("Số tiến trình gunicorn (mặc định 2).")
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        # Demo accounts must never reach a real deployment: stop before touching anything.
        refuse_in_production()
        port = _int_option(options["port"], env_int("PORT", 8000), "--port", 1, 65535)
        workers = _int_option(options["workers"], 2, "--workers", 1, 16)
        quiet = options["verbosity"] < 1

        def say(message: str) -> None:
            if not quiet:
                self.stdout.write(message)

        say(_("Cơ sở dữ liệu: %(db)s") % {"db": describe_database()})
        pending = pending_migrations()
        if pending:
            say(_("Tạo/cập nhật cấu trúc cơ sở dữ liệu (%(n)d migration)…") % {"n": len(pending)})
            call_command("migrate", interactive=False, verbosity=0)

        if demo_is_seeded():
            say(_("Dữ liệu trình diễn đã có sẵn, bỏ qua bước nạp."))
        else:
            say(_("Nạp danh mục đơn vị hành chính…"))
            call_command("load_units", verbosity=0)
            say(_("Tạo dữ liệu trình diễn (demo)…"))
            report = demo_seed(actor=None)
            say(
                _("Đã tạo %(orgs)d cơ quan, %(people)d công dân, %(users)d tài khoản demo.")
                % {
                    "orgs": report.organisations_created,
                    "people": report.citizens_created,
                    "users": report.users_created,
                }
            )
        # Domain apps add their demo content through an AppConfig.demo_load() hook.
        # Demo dossiers go through the real services, which notify their demo
        # applicants; those messages would only bury the accounts table.
        with _quiet_logger("tinhso.notifications"):
            for config in django_apps.get_app_configs():
                loader = getattr(config, "demo_load", None)
                if loader is not None:
                    message = loader()
                    if message:
                        say(str(message))
        call_command("collectstatic", interactive=False, verbosity=0)

        url = f"http://127.0.0.1:{port}/"
        say("")
        say(_("Tỉnh số — BẢN TRÌNH DIỄN (dữ liệu demo, không phải dữ liệu thật)"))
        say(_("Địa chỉ: %(url)s") % {"url": url})
        say(_("Sẵn sàng sau %(s).1f giây.") % {"s": time.perf_counter() - started})
        say("")
        for line in accounts_table(demo_accounts()):
            say(line)
        say("")
        if options["no_serve"]:
            return
        say(_("Nhấn Ctrl+C để dừng."))
        exec_gunicorn(gunicorn_argv(bind=f"127.0.0.1:{port}", workers=workers, threads=4))


@contextlib.contextmanager
def _quiet_logger(name: str):
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def accounts_table(rows: list[dict]) -> list[str]:
    headers = {
        "role": _("Vai trò"),
        "username": _("Tên đăng nhập"),
        "password": _("Mật khẩu"),
        "where": _("Cơ quan / định danh"),
    }
    keys = list(headers)
    widths = {k: max(len(headers[k]), *(len(str(r[k])) for r in rows)) for k in keys}
    line = "  ".join(headers[k].ljust(widths[k]) for k in keys).rstrip()
    out = [_("Tài khoản demo:"), line, "  ".join("-" * widths[k] for k in keys)]
    for row in rows:
        out.append("  ".join(str(row[k]).ljust(widths[k]) for k in keys).rstrip())
    return out


def _int_option(value, default: int, name: str, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise ValidationError(
            _("Tham số %(name)s phải là số nguyên từ %(low)d đến %(high)d.")
            % {"name": name, "low": low, "high": high},
            code="invalid_arguments",
        )
    return number
