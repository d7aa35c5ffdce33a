"""Amounts of money as pages show them: "250.000 đồng" in Vietnamese, "250,000 VND" in English.

Amounts on the platform are whole đồng (VND has no minor unit). Vietnamese writes
the thousands with dots and the unit in words; English pages use commas and the
ISO 4217 code. This is the one place that formats money for pages, e-mails and
history notes; the template filter ``money`` (``{% load money %}``) calls it.
"""

from __future__ import annotations

from django.utils.translation import get_language


def _english(language: str | None) -> bool:
    return (language or get_language() or "vi").lower().startswith("en")


def group_thousands(amount, *, language: str | None = None) -> str:
    """The whole number with its thousands grouped: 250.000 (vi) or 250,000 (en)."""
    text = f"{int(amount):,}"
    return text if _english(language) else text.replace(",", ".")


def format_money(amount, *, language: str | None = None) -> str:
    """``250000`` → "250.000 đồng" (Vietnamese) or "250,000 VND" (English); "—" for none.

    ``language`` defaults to the active one (the request's, or the text's reader's).
    """
    if amount is None or amount == "":
        return "—"
    number = group_thousands(amount, language=language)
    return f"{number} VND" if _english(language) else f"{number} đồng"
