"""Drill-down pages bounded at scale: a capped count, next page without a count, right rows."""

from __future__ import annotations

import datetime as dt

import pytest

from tinhso.dossiers.tests.factories import at
from tinhso.ioc import api, paging, views
from tinhso.ioc.indicators import drill_down, make_period
from tinhso.ioc.tests.test_indicators_766 import dossier
from tinhso.ioc.tests.test_indicators_766_api import client_for

pytestmark = pytest.mark.django_db
PAGE = "/quan-tri/chi-so-766/online_submitted/denominator/"
JANUARY = {"tu": "2026-01-01", "den": "2026-01-31"}
API = "/api/v1/ioc/indicators-766/online_submitted/denominator"
API_JANUARY = {"from": "2026-01-01", "to": "2026-01-31"}


@pytest.fixture
def seven(world, monkeypatch):
    """Seven dossiers submitted on seven days of January (newest first: day 13 … 7);
    pages of 3 and a count capped at 5."""
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    monkeypatch.setattr(api, "PAGE_SIZE", 3)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    world.newest_first = [
        dossier(world, received=at(2026, 1, day, 8), due=at(2026, 1, 20), finished=at(2026, 1, 19))
        for day in range(7, 14)
    ][::-1]
    return world


def codes(rows):
    return [row.code for row in rows]


def test_each_page_shows_the_right_rows_in_order(seven, client):
    client.force_login(seven.leader)
    expected = [d.code for d in seven.newest_first]
    seen = []
    for page in (1, 2, 3):
        response = client.get(PAGE, {**JANUARY, "page": page})
        assert response.status_code == 200
        seen += codes(response.context["dossiers"])
        assert response.context["has_next"] == (page < 3)
    assert seen == expected
    # the heading says "more than" the cap, not a wrong exact number
    html = response.content.decode()
    assert "hơn 5" in html and ": 7<" not in html


def test_a_list_under_the_cap_shows_its_exact_count(seven, client):
    client.force_login(seven.leader)
    response = client.get("/quan-tri/chi-so-766/progress_on_time/late/", JANUARY)
    assert response.context["total"] == 0 and not response.context["capped"]


def test_the_api_pages_with_a_capped_count(seven):
    client = client_for(seven.leader)
    first = client.get(API, API_JANUARY).json()
    assert (first["count"], first["count_capped"], first["has_next"]) == (5, True, True)
    last = client.get(API, {**API_JANUARY, "page": 3}).json()
    assert [r["code"] for r in last["results"]] == [seven.newest_first[-1].code]
    assert last["has_next"] is False


def test_the_page_keeps_the_scope(seven):
    # a construction dossier, newest of all, is outside the justice head's scope
    other = dossier(seven, received=at(2026, 1, 14, 8), organisation=seven.construction)
    period = make_period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    queryset = drill_down(seven.head, period, "online_submitted", "denominator")
    listed = paging.page_of(queryset, page=1, size=10)
    assert other.code not in codes(listed.rows)
    assert codes(listed.rows) == [d.code for d in seven.newest_first]
    assert (listed.count, listed.capped, listed.has_next) == (5, True, False)
