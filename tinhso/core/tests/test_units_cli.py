"""``tinhso units``: readable Vietnamese lines, ``--json``, and clean errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tinhso.core.management.base import USER_ERROR_STATUS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, capsys) -> str:
    call_command("units", *args)
    return capsys.readouterr().out


def test_get_prints_the_unit_in_force_on_the_date(capsys):
    out = run("get", "10507", "--on", "2025-08-01", capsys=capsys)
    assert "10507  Phường Thành Đông — Thành phố Hải Phòng" in out
    assert "hiệu lực từ 01/07/2025" in out
    out = run("get", "10507", "--on", "2025-06-30", capsys=capsys)
    assert "Phường Cẩm Thượng — Thành phố Hải Dương" in out


def test_get_json_gives_the_same_fields_as_the_api(capsys):
    data = json.loads(run("get", "30307", "--on", "2025-07-01", "--json", capsys=capsys))
    assert data["full_name"] == "Phường Long Xuyên"
    assert data["parent"]["code"] == "91"
    assert data["valid_from"] == "2025-07-01"


def test_search_finds_names_without_diacritics(capsys):
    out = run("search", "thanh dong", "--on", "2025-08-01", "--level", "commune", capsys=capsys)
    assert out.splitlines()[0].startswith("10507  Phường Thành Đông")


def test_search_with_no_match_says_so(capsys):
    out = run("search", "khong co ten nay", capsys=capsys)
    assert out.strip() == "Không có đơn vị nào phù hợp."


def test_successors_of_an_old_commune(capsys):
    out = run("successors", "18796", capsys=capsys)
    assert "Xã Kỳ Lợi đã trở thành:" in out
    assert "18823  Phường Vũng Áng: nhập toàn bộ" in out
    assert "18754  Phường Sông Trí: nhập một phần" in out


def test_sources_of_a_new_commune_including_a_labelled_row(capsys):
    out = run("sources", "14698", capsys=capsys)
    assert "Xã Kim Đông được hình thành từ:" in out
    assert "Khu vực bãi bồi ven biển do huyện Kim Sơn quản lý (Huyện Kim Sơn): nhập" in out


def test_ancestors_and_descendants(capsys):
    out = run("ancestors", "10738", "--on", "2025-06-30", capsys=capsys)
    assert [line.split()[0] for line in out.splitlines()] == ["30", "292"]
    data = json.loads(
        run(
            "descendants",
            "30",
            "--on",
            "2025-06-30",
            "--level",
            "district",
            "--json",
            capsys=capsys,
        )
    )
    assert len(data) == 12
    assert {d["level"] for d in data} == {"district"}


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (("get", "99999", "--on", "2025-08-01"), "unit_not_found", "Không tìm thấy đơn vị"),
        (("get", "10507", "--on", "2025-02-30"), "invalid_date", "Ngày không hợp lệ"),
        (("successors", "10507", "--on", "30/06/2025"), "invalid_date", "Ngày không hợp lệ"),
        (("search", "an", "--level", "village"), "invalid_level", "Cấp đơn vị không hợp lệ"),
        (("search", "an", "--limit", "0"), "invalid_limit", "Số kết quả tối đa"),
        (("descendants", "00000"), "unit_not_found", "Không tìm thấy đơn vị"),
    ],
)
def test_bad_input_is_a_command_error_with_the_vietnamese_message(args, code, text):
    with pytest.raises(CommandError) as error:
        call_command("units", *args)
    assert text in str(error.value)
    assert getattr(error.value, "code", None) == code


def test_the_tinhso_command_prints_one_clean_line_and_exits_non_zero(tmp_path):
    # Given a fresh SQLite database migrated and loaded through the CLI itself
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    tinhso = [sys.executable, str(ROOT / "manage.py")]
    for setup in (["migrate", "-v0"], ["load_units", "-v0"]):
        subprocess.run([*tinhso, *setup], env=env, cwd=ROOT, check=True, timeout=300)  # noqa: S603
    # when looking a unit up, then it is printed
    ok = subprocess.run(  # noqa: S603
        [*tinhso, "units", "get", "10507", "--on", "2025-08-01"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Phường Thành Đông" in ok.stdout
    # and an impossible date ends with one Vietnamese line and no traceback
    bad = subprocess.run(  # noqa: S603
        [*tinhso, "units", "get", "10507", "--on", "2025-02-30"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == USER_ERROR_STATUS
    assert "Ngày không hợp lệ" in bad.stderr
    assert "invalid_date" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
