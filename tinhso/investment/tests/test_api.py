"""The investment API: scope, measures, disbursement refusals as error codes, alerts."""

import datetime as dt

import pytest
from django.test import Client

from tinhso.core.auth import api_token_issue
from tinhso.investment.alerts import alerts_evaluate
from tinhso.investment.models import Disbursement, Project
from tinhso.investment.tests.factories import BN, make_disbursement, make_line, make_project

pytestmark = pytest.mark.django_db

BASE = "/api/v1/investment"


class Api:
    def __init__(self):
        self.keys = {}

    def client(self, user):
        if user.pk not in self.keys:
            _token, self.keys[user.pk] = api_token_issue(user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.keys[user.pk]}")

    def get(self, user, path, **params):
        return self.client(user).get(BASE + path, params)

    def post(self, user, path, body):
        return self.client(user).post(BASE + path, body, content_type="application/json")

    def patch(self, user, path, body):
        return self.client(user).patch(BASE + path, body, content_type="application/json")


@pytest.fixture
def api():
    return Api()


@pytest.fixture
def setup(world):
    mine = make_project(world, code="A-1", name="Trường tiểu học")
    theirs = make_project(world, code="B-1", owner=world.traffic_board, name="Đường tỉnh 391")
    line = make_line(world, mine, 10 * BN)
    other_line = make_line(world, theirs, 10 * BN)
    make_disbursement(world, line, 2 * BN, dt.date(2025, 3, 1))
    make_disbursement(world, other_line, 5 * BN, dt.date(2025, 3, 1), actor=world.other_owner)
    return mine, theirs, line, other_line


def test_anonymous_is_refused(client, setup):
    assert client.get(f"{BASE}/projects").status_code == 401


def test_owner_lists_only_their_projects(api, world, setup):
    body = api.get(world.owner, "/projects").json()
    assert [p["code"] for p in body["results"]] == ["A-1"]
    body = api.get(world.leader, "/projects").json()
    assert {p["code"] for p in body["results"]} == {"A-1", "B-1"}
    assert api.get(world.commune_leader, "/projects").json()["count"] == 0
    assert api.get(world.it_admin, "/projects").json()["count"] == 0


def test_another_owners_project_is_not_found(api, world, setup):
    answer = api.get(world.owner, "/projects/B-1")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    answer = api.patch(world.owner, "/projects/B-1", {"expected_version": 1, "name": "X"})
    assert answer.status_code == 404
    assert Project.objects.get(code="B-1").name == "Đường tỉnh 391"


def test_project_detail_with_lines_disbursements_and_measures(api, world, setup):
    body = api.get(world.owner, "/projects/A-1", year=2025, as_of="2025-03-31").json()
    assert body["owner"] == world.board.name
    assert [line["amount"] for line in body["plan_lines"]] == [10 * BN]
    assert [d["amount"] for d in body["disbursements"]] == [2 * BN]
    assert body["measures"]["rate"] == 20.0
    assert body["measures"]["target"] == 19.0
    assert body["measures"]["days_to_deadline"] == 306


def test_patch_with_stale_version_answers_409(api, world, setup):
    mine = setup[0]
    mine.refresh_from_db()
    answer = api.patch(
        world.owner, "/projects/A-1", {"expected_version": mine.version, "phase": "completed"}
    )
    assert answer.status_code == 200
    assert answer.json()["version"] == mine.version + 1
    answer = api.patch(
        world.owner, "/projects/A-1", {"expected_version": mine.version, "name": "Y"}
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "stale_version"
    assert Project.objects.get(code="A-1").phase == "completed"


def test_measures_for_the_leader(api, world, setup):
    body = api.get(world.leader, "/measures", year=2025, as_of="2025-03-31").json()
    assert body["total"]["plan"] == 20 * BN
    assert body["total"]["disbursed"] == 7 * BN
    assert body["total"]["rate"] == 35.0
    assert body["target"] == 19.0
    assert len(body["curve"]) == 13
    assert body["curve"][2]["disbursed"] == 7 * BN
    assert body["curve"][3]["disbursed"] is None
    owner = api.get(world.owner, "/measures", year=2025, as_of="2025-03-31").json()
    assert owner["total"]["disbursed"] == 2 * BN


def test_disbursement_recorded_through_the_api(api, world, setup, monkeypatch):
    line = setup[2]
    monkeypatch.setattr("tinhso.investment.services._today", lambda: dt.date(2025, 12, 1))
    body = {"plan_line": line.pk, "date": "2025-04-02", "amount": 1_500_000_000}
    answer = api.post(world.owner, "/disbursements", body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["amount"] == 1_500_000_000
    assert answer.json()["status"] == "reported"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"amount": -1}, 400, "invalid_amount"),
        ({"amount": 0}, 400, "invalid_amount"),
        ({"amount": 10**20}, 400, "invalid_amount"),
        ({"amount": 9 * BN}, 400, "disbursement_above_plan"),
        ({"date": "2024-12-31"}, 400, "date_outside_plan"),
        ({"date": "2026-02-01"}, 400, "date_outside_plan"),
        ({"plan_line": 99999999}, 404, "plan_line_not_found"),
        ({"kind": "gift"}, 400, "invalid_project"),
        ({"amount": "một tỷ"}, 400, "invalid_input"),
        ({"expected_version": 1}, 409, "stale_version"),
    ],
)
def test_disbursement_refusals(api, world, setup, monkeypatch, change, status, code):
    line = setup[2]
    monkeypatch.setattr("tinhso.investment.services._today", lambda: dt.date(2026, 3, 1))
    before = Disbursement.objects.count()
    body = {"plan_line": line.pk, "date": "2025-04-02", "amount": BN} | change
    answer = api.post(world.owner, "/disbursements", body)
    assert answer.status_code == status, answer.content
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert Disbursement.objects.count() == before


def test_another_owners_plan_line_is_not_found(api, world, setup):
    other_line = setup[3]
    body = {"plan_line": other_line.pk, "date": "2025-04-02", "amount": BN}
    answer = api.post(world.owner, "/disbursements", body)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "plan_line_not_found"


def test_confirm_by_the_leader(api, world, setup):
    row = Disbursement.objects.filter(project=setup[0]).first()
    assert api.post(world.owner, f"/disbursements/{row.pk}/confirm", {}).status_code == 403
    answer = api.post(world.leader, f"/disbursements/{row.pk}/confirm", {})
    assert answer.json()["status"] == "treasury_confirmed"
    answer = api.post(world.leader, f"/disbursements/{row.pk}/confirm", {"confirmed": False})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "disbursement_not_reported"


def test_alerts_list_and_acknowledge(api, world, setup):
    from django.utils import timezone

    Project.objects.update(
        last_reported_at=None,
        created_at=timezone.make_aware(dt.datetime(2025, 1, 2, 9)),
    )
    alerts_evaluate(today=dt.date(2025, 7, 5))
    mine = api.get(world.owner, "/alerts").json()
    assert mine["count"] >= 1
    assert {a["project"] for a in mine["results"]} == {"A-1"}
    leader = api.get(world.leader, "/alerts").json()
    assert {a["project"] for a in leader["results"]} == {"A-1", "B-1"}
    theirs = next(a for a in leader["results"] if a["project"] == "B-1")
    assert api.post(world.owner, f"/alerts/{theirs['id']}/ack", {}).status_code == 404
    answer = api.post(world.other_owner, f"/alerts/{theirs['id']}/ack", {})
    assert answer.status_code == 200
    assert answer.json()["acknowledged_at"]


def test_openapi_lists_the_investment_paths(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/investment/measures" in paths
    assert "/api/v1/investment/disbursements" in paths
