"""The real ``tinhso`` console script: demo (--no-serve), seed and serve, in subprocesses.

Each run uses its own SQLite database in a temporary folder (``TINHSO_VAR_DIR``),
so nothing touches the developer's data or the test database.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

TINHSO = [sys.executable, "-m", "tinhso.cli"]
ROOT = Path(__file__).resolve().parents[3]


def env_for(var_dir: Path, **extra) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(TINHSO_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", **extra)
    return env


def run(args, var_dir, timeout=600, **env):
    # The full demo (with its 1,500 investment projects) takes about a minute on an idle
    # machine and took more than three with both suites and other work on two cores.
    return subprocess.run(  # noqa: S603 (our own console script)
        [*TINHSO, *args],
        cwd=ROOT,
        env=env_for(var_dir, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("demo")
    first = run(["demo", "--no-serve"], var_dir)
    assert first.returncode == 0, first.stderr
    return var_dir, first


def test_demo_prepares_the_database_and_prints_the_accounts(demo_dir):
    _, first = demo_dir
    out = first.stdout
    assert "BẢN TRÌNH DIỄN" in out
    assert "http://127.0.0.1:8000/" in out
    assert "TinhSo@Demo2025" in out
    for username in (
        "congdan",
        "motcua",
        "motcua.xa",
        "chuyenvien",
        "lanhdao.so",
        "lanhdao.tp",
        "quantri",
        "chuyenvien.xa",
        "lanhdao.xa",
    ):
        assert username in out
    assert "Đã tạo 136 cơ quan, 300 công dân, 8 tài khoản demo." in out
    assert "Traceback" not in first.stderr
    # The demo dossiers' notifications to their demo applicants stay out of the way.
    assert "SMS to" not in out + first.stderr


def test_a_second_demo_run_reuses_what_exists_and_takes_the_port_from_the_environment(
    demo_dir,
):
    var_dir, _ = demo_dir
    again = run(["demo", "--no-serve"], var_dir, PORT="8123")
    assert again.returncode == 0, again.stderr
    assert "Dữ liệu trình diễn đã có sẵn" in again.stdout
    assert "Đã tạo" not in again.stdout
    assert "migration" not in again.stdout
    assert "http://127.0.0.1:8123/" in again.stdout


@pytest.mark.parametrize("scale", ["abc", "-1"])
def test_seed_with_a_bad_scale_is_one_clear_line(demo_dir, scale):
    var_dir, _ = demo_dir
    result = run(["seed", "--scale", scale], var_dir)
    assert result.returncode == 2
    assert "invalid_scale" in result.stderr
    assert "số nguyên" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_adds_citizens_and_prints_the_rate(demo_dir):
    var_dir, _ = demo_dir
    result = run(["seed", "--scale", "200", "--batch", "64"], var_dir)
    assert result.returncode == 0, result.stderr
    assert "Đã tạo 200 công dân" in result.stdout
    assert "executemany" in result.stdout


def test_serve_refuses_a_database_with_pending_migrations(tmp_path):
    result = run(["serve", "--bind", "127.0.0.1:1"], tmp_path)
    assert result.returncode == 2
    assert "pending_migrations" in result.stderr
    assert "tinhso migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_bad_worker_counts(demo_dir):
    var_dir, _ = demo_dir
    result = run(["serve", "--workers", "0"], var_dir)
    assert result.returncode == 2
    assert "--workers" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_gunicorn_that_answers_healthz(demo_dir):
    var_dir, _ = demo_dir
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [*TINHSO, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env_for(var_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        for _ in range(100):  # polls until up; not a timing assertion
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    status = r.status
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert body is not None, server.stdout.read() if server.poll() is not None else ""
        assert status == 200
        assert '"database": "ok"' in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/v1/organisations?q=so%20tu%20phap", timeout=5
        ) as r:
            assert b"000.00.03.H24" in r.read()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
