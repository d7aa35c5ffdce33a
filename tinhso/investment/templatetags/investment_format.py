"""Amounts and rates as the province's reports write them: 1.234,5 in Vietnamese, 1,234.5 in English."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()

BILLION = Decimal(1_000_000_000)


def _local(text: str) -> str:
    if (get_language() or "vi").startswith("en"):
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _one(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register.filter
def dong(value) -> str:
    """Whole đồng with thousands separators: 1.500.000.000."""
    if value is None or value == "":
        return "—"
    return _local(f"{int(value):,}")


@register.filter
def ty(value) -> str:
    """Billions of đồng to two decimals: 1.234,57 (tỷ đồng)."""
    if value is None or value == "":
        return "—"
    amount = (Decimal(value) / BILLION).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _local(f"{amount:,.2f}")


@register.filter
def pct(value) -> str:
    """A rate in percent to one decimal, or a dash when there is no plan."""
    if value is None or value == "":
        return "—"
    return _local(f"{_one(value):,.1f}") + "%"


@register.filter
def points(value) -> str:
    """A gap in percentage points, signed."""
    if value is None or value == "":
        return "—"
    return _local(f"{_one(value):+,.1f}")


@register.filter
def gap_abs(value) -> str:
    """The size of a gap in percentage points, unsigned (the words say which way)."""
    if value is None or value == "":
        return "—"
    return _local(f"{abs(_one(value)):,.1f}")
