"""Production settings refuse to start on demo-only defaults."""

import os
import subprocess
import sys

CHECK = "import django; django.setup(); print('ok')"


def _run(**env):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "TINHSO_PUBLIC_URL": "https://dichvucong.example.gov.vn",
            **env,
        }
    )
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", CHECK], capture_output=True, text=True, env=environment, timeout=60
    )


def test_production_needs_a_secret_key():
    result = _run(SECRET_KEY="", TINHSO_PAYMENT_GATEWAY="vnpay")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_payment_simulator():
    result = _run(SECRET_KEY="x" * 50, TINHSO_PAYMENT_GATEWAY="simulator")
    assert result.returncode != 0
    assert "TINHSO_PAYMENT_GATEWAY" in result.stderr


def test_production_starts_with_a_real_gateway_or_an_explicit_staging_switch():
    real = _run(SECRET_KEY="x" * 50, TINHSO_PAYMENT_GATEWAY="vnpay")
    staging = _run(
        SECRET_KEY="x" * 50, TINHSO_PAYMENT_GATEWAY="simulator", ALLOW_PAYMENT_SIMULATOR="true"
    )
    assert (real.returncode, real.stdout.strip()) == (0, "ok"), real.stderr
    assert (staging.returncode, staging.stdout.strip()) == (0, "ok"), staging.stderr


def test_production_needs_the_public_address():
    # QR codes and links on results, receipts and messages are built on it
    missing = _run(SECRET_KEY="x" * 50, TINHSO_PAYMENT_GATEWAY="vnpay", TINHSO_PUBLIC_URL="")
    assert missing.returncode != 0
    assert "TINHSO_PUBLIC_URL must be set" in missing.stderr
    bare = _run(
        SECRET_KEY="x" * 50, TINHSO_PAYMENT_GATEWAY="vnpay", TINHSO_PUBLIC_URL="dichvucong.vn"
    )
    assert bare.returncode != 0
    assert "https://" in bare.stderr
