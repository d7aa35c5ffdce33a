"""Compile the translation catalogues (.po → .mo) with polib, without GNU gettext.

    python -m tinhso.core.i18n_compile           # write every .mo next to its .po
    python -m tinhso.core.i18n_compile --check   # exit 1 if a committed .mo is stale

Source strings are Vietnamese; the catalogues hold the other languages (English).
Both the .po and the compiled .mo are committed, so a deployment needs neither
gettext nor this step; it runs when a translator changes a .po (``make messages``).
Fuzzy and untranslated entries are left out of the .mo, so the page shows the
Vietnamese source for them rather than a wrong guess.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

LOCALE_ROOT = Path(__file__).resolve().parent.parent / "locale"


def po_files(root: Path = LOCALE_ROOT) -> list[Path]:
    return sorted(root.glob("*/LC_MESSAGES/*.po"))


def catalogue(entries) -> dict[tuple[str, str], tuple[str, ...]]:
    """What a compiled catalogue maps: (context, msgid[, plural]) → translations."""
    mapping: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry in entries:
        if entry.obsolete:
            continue
        key = (
            entry.msgctxt or "",
            entry.msgid + ("\x00" + entry.msgid_plural if entry.msgid_plural else ""),
        )
        if entry.msgid_plural:
            mapping[key] = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            mapping[key] = (entry.msgstr,)
    return mapping


def compiled_catalogue(po_path: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """The mapping a fresh compile of ``po_path`` would contain (header included)."""
    po = polib.pofile(str(po_path))
    mo = polib.mofile(_to_mo_bytes(po))
    return catalogue(mo)


def committed_catalogue(mo_path: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    return catalogue(polib.mofile(str(mo_path)))


def _to_mo_bytes(po: polib.POFile) -> bytes:
    # polib writes only translated, non-fuzzy, non-obsolete entries to a .mo.
    return po.to_binary()


def stale(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return True
    return compiled_catalogue(po_path) != committed_catalogue(mo_path)


def compile_all(root: Path = LOCALE_ROOT) -> list[Path]:
    written = []
    for po_path in po_files(root):
        po = polib.pofile(str(po_path))
        mo_path = po_path.with_suffix(".mo")
        mo_path.write_bytes(_to_mo_bytes(po))
        written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale .mo files")
    args = parser.parse_args(argv)
    if args.check:
        bad = [p for p in po_files() if stale(p)]
        for path in bad:
            print(f"stale: {path.with_suffix('.mo')} (run: make messages)", file=sys.stderr)
        return 1 if bad else 0
    for path in compile_all():
        po = polib.pofile(str(path.with_suffix(".po")))
        print(
            f"{path}: {len(po.translated_entries())} translated, {len(po.untranslated_entries())} untranslated, {len(po.fuzzy_entries())} fuzzy"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
