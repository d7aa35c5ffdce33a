"""Shared by ``tinhso demo`` and ``tinhso serve``: pending migrations and gunicorn."""

from __future__ import annotations

import os
import sys

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Names (``app.migration``) of the migrations not yet applied to the database."""
    connection = connections[alias]
    connection.prepare_database()
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


def gunicorn_argv(*, bind: str, workers: int, threads: int = 1, timeout: int = 60) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
    ]


def exec_gunicorn(argv: list[str]) -> None:  # pragma: no cover (replaces the process)
    """Replace this process with gunicorn: signals (Ctrl-C, SIGTERM) go straight to it."""
    sys.stdout.flush()
    sys.stderr.flush()
    # Close the database connections this process opened before handing over.
    connections.close_all()
    os.execv(argv[0], argv)  # noqa: S606 (fixed argv built above)


def default_workers() -> int:
    """2 × cores + 1 (gunicorn's advice), capped so a large machine does not exhaust the database."""
    return min(2 * (os.cpu_count() or 1) + 1, 12)


def describe_database(alias: str = DEFAULT_DB_ALIAS) -> str:
    settings = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return f"SQLite {settings['NAME']}"
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT") or ""
    return f"{vendor} {settings.get('NAME')} @ {host}{':' + str(port) if port else ''}"
