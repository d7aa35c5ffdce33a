"""The base class for the platform's management commands.

Use ``TinhsoCommand`` instead of Django's ``BaseCommand`` so that an error a
user can cause (any ``TinhsoError`` raised by a service, a selector or a
validator) ends the command the same way everywhere:

- run as ``tinhso <command>``: one line on stderr with the Vietnamese message
  and the error code, exit status 2, no traceback (``--traceback`` shows it);
- called with ``call_command()`` (tests, other code): a ``TinhsoCommandError``,
  a ``CommandError`` carrying the error's ``code`` and the original as
  ``__cause__``.

A command that must end with another status (``tinhso audit verify`` exits 1
when the chain is broken) calls ``self.fail(message, code=..., returncode=1)``.
Bad arguments get a Vietnamese prefix and exit status 2, as argparse does.

Example::

    class Command(TinhsoCommand):
        help = "..."

        def handle(self, *args, **options):
            unit = unit_get(code=options["code"])  # raises NotFound: exit 2
"""

from __future__ import annotations

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.core.exceptions import TinhsoError

# The exit status of a command stopped by a user error (argparse uses 2 too).
USER_ERROR_STATUS = 2


def format_error_line(message: str, code: str) -> str:
    """The one line a user reads: ``Lỗi: <message> (mã lỗi: <code>)``."""
    line = " ".join(str(message).split())
    if code:
        return _("Lỗi: %(message)s (mã lỗi: %(code)s)") % {"message": line, "code": code}
    return _("Lỗi: %(message)s") % {"message": line}


class TinhsoCommandError(CommandError):
    """A ``CommandError`` from a ``TinhsoError`` (or ``fail``), keeping its code."""

    def __init__(self, message: str, *, code: str = "", returncode: int = USER_ERROR_STATUS):
        self.code = code
        self.message = str(message)
        super().__init__(format_error_line(self.message, code), returncode=returncode)


class TinhsoCommandParser(CommandParser):
    """Argument errors in Vietnamese (argparse's own text follows the prefix)."""

    def error(self, message):
        text = _("Tham số không hợp lệ: %(message)s") % {"message": message}
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(USER_ERROR_STATUS, f"{self.prog}: {text}\n")
        raise TinhsoCommandError(text, code="invalid_arguments")


def _use_tinhso_parser(parser: argparse.ArgumentParser) -> None:
    if isinstance(parser, CommandParser):
        parser.__class__ = TinhsoCommandParser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _use_tinhso_parser(child)


class TinhsoCommand(BaseCommand):
    """A management command whose user errors end as one clean line (see the module doc)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a CommandParser itself and add_arguments has already
        # made any sub-command parsers: switch their class, keeping their setup.
        _use_tinhso_parser(parser)
        return parser

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except TinhsoError as exc:
            if options.get("traceback"):
                raise
            self.fail(str(exc.message), code=exc.code, cause=exc)

    def fail(
        self,
        message: str,
        *,
        code: str = "",
        returncode: int = USER_ERROR_STATUS,
        cause: BaseException | None = None,
    ):
        """Stop the command: one line on stderr and ``returncode`` from the CLI, else raise."""
        if getattr(self, "_called_from_command_line", False):
            self.stderr.write(format_error_line(message, code))
            sys.exit(returncode)
        raise TinhsoCommandError(message, code=code, returncode=returncode) from cause
