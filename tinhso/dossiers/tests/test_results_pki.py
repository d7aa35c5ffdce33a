"""``tinhso demo_pki``: the demo authority and the agencies' certificates, created once."""

import io

import pytest
from django.core.management import call_command

from tinhso.core.models import Organisation

pytestmark = pytest.mark.django_db


def test_demo_pki_creates_root_and_one_certificate_per_agency_once(world, tmp_path, settings):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    # when the command runs twice
    first, second = io.StringIO(), io.StringIO()
    call_command("demo_pki", stdout=first)
    root = (tmp_path / "pki" / "root" / "cert.pem").read_bytes()
    call_command("demo_pki", stdout=second)
    # then the root is created once and kept, one certificate per agency
    agencies = Organisation.objects.exclude(identifier_code="").count()
    assert len(list((tmp_path / "pki" / "agencies").glob("*/cert.pem"))) == agencies
    assert (tmp_path / "pki" / "root" / "cert.pem").read_bytes() == root
    assert "mới tạo" in first.getvalue()
    assert "đã có" in second.getvalue()
