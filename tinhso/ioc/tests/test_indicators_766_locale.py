"""The Decision 766 page writes rates and points with the language's decimal mark."""

from __future__ import annotations

import re

import pytest

from tinhso.ioc.tests.test_indicators_766_pages import JANUARY, PAGE, january  # noqa: F401

pytestmark = pytest.mark.django_db


def _cells(html: str, name: str) -> tuple[str, str]:
    """The rate and the points cells of the row of the indicator called ``name``."""
    row = re.search(rf"<th scope=\"row\">{re.escape(name)}.*?</tr>", html, re.S)
    assert row, f"no row for {name}"
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    return cells[2].strip(), cells[3].strip()


def _page(client, user, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(PAGE, JANUARY)
    assert response.status_code == 200
    return response.content.decode()


def test_vietnamese_uses_the_decimal_comma_for_rates_and_points(client, january):  # noqa: F811
    from tinhso.ioc.indicators import DEFINITIONS

    html = _page(client, january.leader, "vi")
    name = next(d.name for d in DEFINITIONS if d.code == "progress_on_time")
    rate, points = _cells(html, str(name))
    # one of the two dossiers on time: 50% of the rate, 0.5 × 20 ÷ 0.8 = 12.5 points
    assert rate == "50,0%"
    assert points.startswith("12,50 / ")
    # no rate anywhere on the page is written with a decimal point
    assert not re.search(r">\d+\.\d%<", html)


def test_english_uses_the_decimal_point_for_rates_and_points(client, january):  # noqa: F811
    from django.utils import translation

    from tinhso.ioc.indicators import DEFINITIONS

    html = _page(client, january.leader, "en")
    with translation.override("en"):
        name = next(str(d.name) for d in DEFINITIONS if d.code == "progress_on_time")
    rate, points = _cells(html, name)
    assert rate == "50.0%"
    assert points.startswith("12.50 / ")
    assert not re.search(r">\d+,\d%<", html)
