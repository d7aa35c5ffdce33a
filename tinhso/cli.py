"""The ``tinhso`` command.

Every Django management command is reachable through it (``tinhso migrate``,
``tinhso shell`` ...) next to the platform's own (``tinhso demo``, ``tinhso serve``,
``tinhso seed``, ``tinhso audit verify``, ``tinhso units ...``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["tinhso", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
