"""GET /api/v1/ioc/indicators-766 and its drill-down: answers, scope and refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from tinhso.core.auth import api_token_issue
from tinhso.dossiers.tests.factories import at
from tinhso.ioc.tests.test_indicators_766 import dossier

URL = "/api/v1/ioc/indicators-766"


def client_for(user) -> Client:
    _token, key = api_token_issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def january(world):
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), channel="online")
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9), supplements=2)
    return world


def indicator(body, code):
    for group in body["groups"]:
        for item in group["indicators"]:
            if item["code"] == code:
                return item
    raise AssertionError(code)


def test_the_leader_gets_the_five_groups_with_rates_points_and_sources(january):
    response = client_for(january.leader).get(URL, {"from": "2026-01-01", "to": "2026-01-31"})
    assert response.status_code == 200
    body = response.json()
    assert [g["code"] for g in body["groups"]] == [
        "publicity",
        "progress",
        "digitisation",
        "online",
        "satisfaction",
    ]
    on_time = indicator(body, "progress_on_time")
    assert (on_time["numerator"], on_time["denominator"], on_time["rate"]) == (1, 2, 0.5)
    assert on_time["points"] == 12.5  # 0.5 × 20 ÷ 0.8
    assert "766" in on_time["source"]
    assert indicator(body, "satisfaction_procedures")["measured"] is False


def test_the_drill_down_pages_the_late_dossiers(january):
    response = client_for(january.leader).get(
        f"{URL}/progress_on_time/late", {"from": "2026-01-01", "to": "2026-01-31"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["supplement_count"] == 2


def test_a_citizen_is_refused_with_the_error_format(january):
    response = client_for(january.citizen_user).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_anonymous_is_refused(january):
    assert Client().get(URL).status_code == 401


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "bad_period"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "period_too_long"),
        ({"from": "hôm qua"}, "invalid_input"),
    ],
)
def test_a_bad_period_is_a_clear_400(january, params, code):
    response = client_for(january.leader).get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_an_unknown_unit_or_indicator_is_404(january):
    client = client_for(january.leader)
    assert client.get(URL, {"unit": "99999"}).status_code == 404
    assert client.get(URL, {"organisation": "nope"}).status_code == 404
    assert client.get(f"{URL}/satisfaction_procedures/numerator").status_code == 404
    assert client.get(f"{URL}/progress_on_time/all").status_code == 400
