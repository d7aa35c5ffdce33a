"""``{{ amount|money }}``: "250.000 đồng" in Vietnamese, "250,000 VND" in English (core.money)."""

from __future__ import annotations

from django import template

from tinhso.core.money import format_money

register = template.Library()


@register.filter
def money(value) -> str:
    return format_money(value)
