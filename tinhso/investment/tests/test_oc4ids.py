"""The OC4IDS export: valid against the 0.9.5 schema (libcoveoc4ids, offline), scoped, public."""

import datetime as dt
import functools
import http.server
import json
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tinhso.investment import oc4ids, services
from tinhso.investment.choices import DecisionKind, Sector
from tinhso.investment.tests.factories import BN, make_line, make_project

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(settings.BASE_DIR).parent / "shared" / "data" / "oc4ids"


@pytest.fixture(scope="module")
def schema_server():
    """The OC4IDS schema and codelists served on loopback, so validation needs no internet."""
    if not (SCHEMA_DIR / "project-package-schema.json").exists():
        pytest.skip("the OC4IDS schema folder is not beside the project")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SCHEMA_DIR))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def validate(package: dict, base: str, tmp_path) -> dict:
    libcove = pytest.importorskip("libcoveoc4ids")
    from libcoveoc4ids.api import oc4ids_json_output
    from libcoveoc4ids.config import LibCoveOC4IDSConfig

    assert libcove
    config = LibCoveOC4IDSConfig(
        {
            "schema_host": base,
            "schema_version_choices": {"0.9.5": ("0.9.5", base)},
            "schema_codelists": {"0.9": base + "codelists/"},
            "cache_all_requests": False,
        }
    )
    return oc4ids_json_output(str(tmp_path), json_data=package, lib_cove_oc4ids_config=config)


@pytest.fixture
def setup(world):
    school = make_project(
        world,
        code="A-1",
        name="Trường tiểu học xã",
        sector=Sector.HEALTH_CULTURE_EDUCATION,
        latitude="20.94",
        longitude="106.33",
        description="Xây mới 12 phòng học",
    )
    road = make_project(world, code="B-1", owner=world.traffic_board, name="Đường tỉnh 391")
    empty = make_project(world, code="A-2", name="Dự án chưa có kế hoạch", total=0)
    line = make_line(world, school, 10 * BN)
    make_line(world, road, 20 * BN)
    services.disbursement_record(
        actor=world.owner,
        plan_line_id=line.pk,
        date=dt.date(2025, 3, 1),
        amount=3 * BN,
        treasury_reference="KB-SECRET",
        today=dt.date(2025, 12, 31),
    )
    services.decision_add(
        actor=world.leader,
        project_id=school.pk,
        kind=DecisionKind.INVESTMENT,
        number="123/QĐ-UBND",
        date=dt.date(2024, 5, 1),
    )
    return school, road, empty


def test_export_is_valid_oc4ids_without_errors(world, setup, schema_server, tmp_path):
    package = oc4ids.project_package(None, uri="https://tinhso.example/oc4ids.json")
    assert [p["id"] for p in package["projects"]] == [
        "oc4ids-tinhso-A-1",
        "oc4ids-tinhso-A-2",
        "oc4ids-tinhso-B-1",
    ]
    result = validate(package, schema_server, tmp_path)
    assert result["validation_errors"] == []
    assert result.get("additional_closed_codelist_values", {}) == {}
    school = package["projects"][0]
    assert school["budget"]["amount"] == {"amount": 100 * BN, "currency": "VND"}
    breakdown = school["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]
    assert breakdown[0]["amount"]["amount"] == 10 * BN
    assert school["metrics"][0]["observations"][0]["value"]["amount"] == 3 * BN
    assert school["locations"][0]["geometry"]["coordinates"] == [106.33, 20.94]
    assert school["documents"][0]["title"].endswith("123/QĐ-UBND")
    assert "health" in school["sector"] and school["status"] == "implementation"


def test_validator_catches_a_broken_package(world, setup, schema_server, tmp_path):
    package = oc4ids.project_package(None, uri="https://tinhso.example/oc4ids.json")
    package["projects"][0]["budget"]["amount"]["amount"] = "nhiều"
    package["projects"][0]["status"] = "dang-lam"
    result = validate(package, schema_server, tmp_path)
    assert result["validation_errors"]
    assert result["additional_closed_codelist_values"]


def test_export_is_scoped_and_public_only(world, setup):
    package = oc4ids.project_package(world.owner, uri="u")
    assert [p["identifiers"][0]["id"] for p in package["projects"]] == ["A-1", "A-2"]
    text = json.dumps(package, ensure_ascii=False)
    for private in ("KB-SECRET", world.owner.username, world.owner.email, "chudautu"):
        assert private not in text


def test_command_writes_the_file(world, setup, tmp_path):
    target = tmp_path / "oc4ids.json"
    call_command("investment_oc4ids", "--output", str(target))
    package = json.loads(target.read_text(encoding="utf-8"))
    assert len(package["projects"]) == 3 and package["version"] == "0.9"
