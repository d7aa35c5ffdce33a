"""Vietnamese first, English available: the catalogue, its compiled form, the switch."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tinhso.core import i18n_compile

EN_PO = Path(settings.BASE_DIR) / "tinhso" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_committed_mo_is_in_step_with_the_po():
    po_files = i18n_compile.po_files()
    assert EN_PO in po_files
    for po_path in po_files:
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} missing: run make messages"
        assert i18n_compile.compiled_catalogue(po_path) == i18n_compile.committed_catalogue(
            mo_path
        ), f"{mo_path} is stale: run make messages"


def test_stale_check_notices_a_changed_translation(tmp_path):
    po = polib.pofile(str(EN_PO))
    po.save(str(tmp_path / "django.po"))
    po.save_as_mofile(str(tmp_path / "django.mo"))
    assert not i18n_compile.stale(tmp_path / "django.po")
    entry = next(e for e in po if e.msgstr and not e.msgid_plural)
    entry.msgstr = entry.msgstr + " (changed)"
    po.save(str(tmp_path / "django.po"))
    assert i18n_compile.stale(tmp_path / "django.po")


def test_every_string_has_an_english_translation():
    po = polib.pofile(str(EN_PO))
    missing = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert missing == []
    assert fuzzy == []


def test_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\(\w+\)[-+ #0-9.]*[sdfr]|\{\{ ?\w+ ?\}\}|%[sd]")
    po = polib.pofile(str(EN_PO))
    for entry in po.translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(placeholder.findall(entry.msgid)) == sorted(placeholder.findall(text)), (
                entry.msgid
            )


def test_source_strings_are_vietnamese_with_diacritics():
    po = polib.pofile(str(EN_PO))
    vietnamese = re.compile(
        r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.I
    )
    with_marks = [e.msgid for e in po if vietnamese.search(e.msgid)]
    assert len(with_marks) > 0.8 * len(po)


@pytest.mark.django_db
def test_switching_to_english_changes_the_rendered_home_page(client):
    vietnamese = client.get("/").content.decode()
    assert "Dịch vụ công của tỉnh, ở một nơi" in vietnamese

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert "Skip to main content" in english
    assert "Public services of the province, in one place" in english
    assert "Dịch vụ công của tỉnh, ở một nơi" not in english
    assert 'aria-pressed="true">English' in english


@pytest.mark.django_db
def test_english_error_page_and_api_error_message(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/khong-co/").content.decode()
    assert "The page you asked for was not found." in html
    assert "<code>not_found</code>" in html


@pytest.mark.django_db
def test_switching_back_to_vietnamese(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()


TRANSLATION_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "gettext_noop",
}
TEMPLATIZED_CALL = re.compile(
    r"\b(?:n?p?gettext)\((u?'(?:[^'\\]|\\.)*'(?:\s*,\s*u?'(?:[^'\\]|\\.)*')*)"
)


def _source_strings() -> set[str]:
    """Every msgid in the platform's Python code and templates, found without GNU gettext."""
    import ast

    from django.utils.translation.template import templatize

    root = Path(settings.BASE_DIR) / "tinhso"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in TRANSLATION_FUNCTIONS or not node.args:
                continue
            index = 1 if name.startswith("pgettext") else 0
            argument = node.args[index] if len(node.args) > index else None
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    for path in root.rglob("templates/**/*.html"):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in TEMPLATIZED_CALL.finditer(code):
            first = re.match(r"u?'((?:[^'\\]|\\.)*)'", match.group(1)).group(1)
            found.add(ast.literal_eval(f"'{first}'"))
    return found


def test_every_source_string_is_in_the_english_catalogue():
    """A string added to the code or a template without running makemessages fails here."""
    po = polib.pofile(str(EN_PO))
    catalogue = {entry.msgid for entry in po if not entry.obsolete}
    missing = sorted(text for text in _source_strings() - catalogue if text.strip())
    assert missing == [], "run makemessages and translate: " + "; ".join(missing[:10])
