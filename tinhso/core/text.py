"""Text helpers for Vietnamese: folding for diacritic-insensitive search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics and collapse spaces: "Đăng ký  Khai sinh" → "dang ky khai sinh".

    NFD splits a precomposed letter into its base and combining marks; the marks
    are dropped. "đ"/"Đ" is a letter of its own, not a d with a mark, so it is
    mapped by hand. This is the key every search column stores and every query uses.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def normalise(text: str | None) -> str:
    """NFC with collapsed whitespace: how names are stored."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
