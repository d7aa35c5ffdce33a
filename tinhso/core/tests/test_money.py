"""Money on pages: "250.000 đồng" in Vietnamese, "250,000 VND" in English, from one helper."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from tinhso.core.money import format_money, group_thousands


@pytest.mark.parametrize(
    ("amount", "vietnamese", "english"),
    [
        (250_000, "250.000 đồng", "250,000 VND"),
        (0, "0 đồng", "0 VND"),
        (999, "999 đồng", "999 VND"),
        (1_000, "1.000 đồng", "1,000 VND"),
        (10_000_000_000, "10.000.000.000 đồng", "10,000,000,000 VND"),
        ("1500000", "1.500.000 đồng", "1,500,000 VND"),
    ],
)
def test_amounts_are_written_the_way_each_language_writes_them(amount, vietnamese, english):
    assert format_money(amount, language="vi") == vietnamese
    assert format_money(amount, language="en") == english


def test_the_active_language_decides_when_none_is_given():
    with translation.override("vi"):
        assert format_money(250_000) == "250.000 đồng"
        assert group_thousands(250_000) == "250.000"
    with translation.override("en"):
        assert format_money(250_000) == "250,000 VND"
        assert group_thousands(250_000) == "250,000"


def test_a_missing_amount_is_a_dash():
    assert format_money(None) == "—"
    assert format_money("") == "—"


def test_the_template_filter_follows_the_page_language():
    template = Template("{% load money %}{{ amount|money }}")
    with translation.override("vi"):
        assert template.render(Context({"amount": 250_000})) == "250.000 đồng"
    with translation.override("en"):
        assert template.render(Context({"amount": 250_000})) == "250,000 VND"
