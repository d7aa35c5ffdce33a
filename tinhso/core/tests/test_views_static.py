"""The app serves its own assets; the stylesheet keeps to its promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "tinhso" / "core" / "static" / "core" / "css" / "tinhso.css"


def _contrast(foreground: str, background: str) -> float:
    def luminance(hex_colour: str) -> float:
        value = hex_colour.lstrip("#")
        channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.django_db
def test_stylesheet_is_served_by_the_app(client):
    response = client.get("/static/core/css/tinhso.css")
    assert response.status_code == 200
    assert "text/css" in response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"--c-primary" in body


def test_stylesheet_loads_nothing_from_elsewhere():
    css = CSS.read_text()
    assert "@import" not in css
    assert "@font-face" not in css
    assert not re.search(r"url\(", css)


def test_stylesheet_has_a_visible_focus_style_and_a_vietnamese_font_stack():
    css = CSS.read_text()
    assert ":focus-visible" in css
    assert "outline: 3px solid" in css
    assert '"Noto Sans"' in css and "Roboto" in css and '"Segoe UI"' in css


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("#ffffff", "--c-primary"),  # header text
        ("#ffffff", "--c-primary-dark"),  # citizen nav
        ("--c-link", "#ffffff"),
        ("--c-link", "--c-page"),
        ("--c-muted", "#ffffff"),
        ("--c-muted", "--c-page"),
        ("--c-error", "#ffffff"),
        ("#ffffff", "--c-bo"),  # back-office header
        ("--c-text", "--c-bo-nav"),
        ("--c-text", "--c-focus"),  # skip link
    ],
)
def test_text_colours_meet_wcag_aa_contrast(foreground, background):
    variables = dict(re.findall(r"(--c-[\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))

    def colour(name):
        return variables[name] if name.startswith("--") else name

    assert _contrast(colour(foreground), colour(background)) >= 4.5
