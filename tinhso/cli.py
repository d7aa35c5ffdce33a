"""The ``tinhso`` command.

Every Django management command is reachable through it (``tinhso migrate``,
``tinhso shell`` ...) next to the platform's own (``tinhso demo``, ``tinhso serve``,
``tinhso seed``, ``tinhso audit verify``, ``tinhso units ...``).

What a user sees when something goes wrong is one line, never a traceback
(``--traceback`` shows it): an unknown command, a ``TinhsoError`` escaping any
command (exit 2), an unreachable or unmigrated database (exit 2).
"""

from __future__ import annotations

import difflib
import os
import sys

PROG = "tinhso"
USER_ERROR_STATUS = 2


def _err(line: str) -> None:
    sys.stderr.write(line.rstrip("\n") + "\n")


def _version_line() -> str:
    import django

    import tinhso

    return f"{PROG} {tinhso.__version__} (Django {django.get_version()})"


def _unknown_command(name: str) -> int | None:
    """Exit status for an unknown sub-command, or None when it exists."""
    from django.core.management import get_commands
    from django.utils.translation import gettext as _

    commands = get_commands()
    if name in commands:
        return None
    _err(
        _("Lệnh không tồn tại: '%(name)s'. Gõ '%(prog)s help' để xem danh sách lệnh.")
        % {"name": name, "prog": PROG}
    )
    close = difflib.get_close_matches(name, commands)
    if close:
        _err(_("Có phải ý bạn là: %(names)s?") % {"names": ", ".join(close)})
    return USER_ERROR_STATUS


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"], ["version"]):
        # Django would print its own version here.
        print(_version_line())
        return 0

    import django
    from django.core.management import execute_from_command_line
    from django.db import Error as DatabaseError
    from django.utils.translation import gettext as _

    from tinhso.core.exceptions import TinhsoError
    from tinhso.core.management.base import format_error_line

    show_traceback = "--traceback" in args
    try:
        django.setup()
        if args and not args[0].startswith("-") and args[0] != "help":
            status = _unknown_command(args[0])
            if status is not None:
                return status
        execute_from_command_line([PROG, *args])
    except TinhsoError as exc:
        # Commands built on TinhsoCommand handle this themselves; this catches
        # the others (Django's own, or a plain BaseCommand).
        if show_traceback:
            raise
        _err(format_error_line(str(exc.message), exc.code))
        return USER_ERROR_STATUS
    except DatabaseError as exc:
        if show_traceback:
            raise
        _err(
            format_error_line(
                _(
                    "Không truy cập được cơ sở dữ liệu (%(detail)s). Kiểm tra DATABASE_URL "
                    "và chạy '%(prog)s migrate' nếu cơ sở dữ liệu chưa được tạo."
                )
                % {"detail": " ".join(str(exc).split()), "prog": PROG},
                "database_error",
            )
        )
        return USER_ERROR_STATUS
    except KeyboardInterrupt:
        _err(_("Đã dừng."))
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
