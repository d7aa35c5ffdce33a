"""The real ``tinhso`` console script, run in a subprocess on a temporary SQLite database."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import tinhso

SCRIPT = Path(sys.executable).with_name("tinhso")
VIETNAMESE = re.compile(r"[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]")


def _command() -> list[str]:
    # The installed entry point when there is one, else the same main() as a module.
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "tinhso.cli"]


def _env(var_dir: Path, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        TINHSO_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings.local",
        PYTHONIOENCODING="utf-8",
        LOG_LEVEL="WARNING",
    )
    return env


class Cli:
    def __init__(self, var_dir: Path, db: Path):
        self.env = _env(var_dir, db)
        self.db = db

    def __call__(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 (our own console script)
            [*_command(), *args],
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Cli:
    var_dir = tmp_path_factory.mktemp("tinhso-var")
    cli = Cli(var_dir, var_dir / "db.sqlite3")
    result = cli("migrate", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    return cli


@pytest.fixture
def empty(tmp_path) -> Cli:
    return Cli(tmp_path, tmp_path / "empty.sqlite3")


def assert_one_clean_line(result: subprocess.CompletedProcess, status: int) -> str:
    assert result.returncode == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert VIETNAMESE.search(result.stderr), result.stderr
    return result.stderr


def test_version_names_the_platform(empty):
    result = empty("--version")
    assert result.returncode == 0
    assert result.stdout.strip().startswith(f"tinhso {tinhso.__version__} (Django ")


def test_audit_verify_on_a_fresh_database_is_intact(migrated):
    result = migrated("audit", "verify")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Chuỗi nhật ký toàn vẹn: \d+ sự kiện\.\n", result.stdout)


def test_audit_verify_names_a_tampered_event_and_exits_1(migrated):
    # given three events, the middle one edited directly in the database
    record = (
        "from tinhso.core.audit import audit_record\n"
        "for i in range(3): audit_record(actor=None, action=f'cli.test{i}')"
    )
    assert migrated("shell", "-c", record).returncode == 0
    with sqlite3.connect(migrated.db) as db:
        (target,) = db.execute(
            "SELECT id FROM core_auditevent WHERE action = 'cli.test1' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        db.execute("UPDATE core_auditevent SET action = 'cli.edited' WHERE id = ?", (target,))
    try:
        # when
        result = migrated("audit", "verify")
        # then
        stderr = assert_one_clean_line(result, 1)
        assert f"#{target}" in stderr
        assert "lý do: hash" in stderr
        assert "audit_chain_broken" in stderr
        assert result.stdout == ""
    finally:
        with sqlite3.connect(migrated.db) as db:
            db.execute("UPDATE core_auditevent SET action = 'cli.test1' WHERE id = ?", (target,))
    assert migrated("audit", "verify").returncode == 0


def test_audit_tail_prints_the_newest_events(migrated):
    migrated("shell", "-c", "from tinhso.core.audit import audit_record\n"
             "audit_record(actor=None, action='cli.tail', changes={'password': 'p4ss'})")  # fmt: skip
    result = migrated("audit", "tail", "-n", "1")
    assert result.returncode == 0, result.stderr
    assert "cli.tail" in result.stdout
    assert "p4ss" not in result.stdout


def test_an_unknown_command_is_one_clear_line(empty):
    result = empty("audti")
    stderr = assert_one_clean_line(result, 2)
    assert "Lệnh không tồn tại: 'audti'" in stderr
    assert "audit" in stderr  # the suggestion


def test_an_unknown_sub_command_is_a_clear_error(migrated):
    result = migrated("audit", "verfy")
    stderr = assert_one_clean_line(result, 2)
    assert "Tham số không hợp lệ" in stderr


def test_a_missing_sub_command_is_a_clear_error(migrated):
    assert "Tham số không hợp lệ" in assert_one_clean_line(migrated("audit"), 2)


def test_a_bad_argument_value_is_a_clear_error(migrated):
    stderr = assert_one_clean_line(migrated("audit", "tail", "-n", "nhiều"), 2)
    assert "Tham số không hợp lệ" in stderr


def test_a_tinhso_error_from_a_command_is_one_line_with_its_code(migrated):
    result = migrated("audit", "tail", "-n", "0")
    stderr = assert_one_clean_line(result, 2)
    assert stderr.count("\n") == 1
    assert stderr.startswith("Lỗi: ")
    assert "(mã lỗi: invalid_arguments)" in stderr


def test_a_tinhso_error_escaping_any_command_is_one_line_exit_2(migrated):
    raise_it = (
        "from tinhso.core.exceptions import NotFound\nraise NotFound(code='dossier_not_found')"
    )
    result = migrated("shell", "-c", raise_it)
    stderr = assert_one_clean_line(result, 2)
    assert stderr == "Lỗi: Không tìm thấy. (mã lỗi: dossier_not_found)\n"


def test_traceback_flag_shows_the_traceback(migrated):
    raise_it = "from tinhso.core.exceptions import NotFound\nraise NotFound()"
    result = migrated("shell", "--traceback", "-c", raise_it)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_an_unknown_unit_code_is_one_line_exit_2(migrated):
    stderr = assert_one_clean_line(migrated("units", "get", "99999"), 2)
    assert "99999" in stderr
    assert stderr.count("\n") == 1


def test_an_impossible_date_is_one_line_exit_2(migrated):
    stderr = assert_one_clean_line(migrated("units", "get", "31", "--on", "2025-02-30"), 2)
    assert stderr.count("\n") == 1


def test_an_unmigrated_database_is_one_line_exit_2(empty):
    stderr = assert_one_clean_line(empty("audit", "verify"), 2)
    assert "database_error" in stderr
    assert "tinhso migrate" in stderr
