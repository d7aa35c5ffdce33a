"""The demo catalogue: real national codes and names, demo times, fees, components and processes.

``data/demo_catalogue.json`` is in the import format; ``load_demo_catalogue``
imports it (all marked ``is_demo``), once: when every procedure of the file is
already there it does nothing, so ``tinhso demo`` may call it on every start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tinhso.procedures.catalogue import catalogue_import
from tinhso.procedures.models import Procedure

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_catalogue.json"


@dataclass
class DemoCatalogueReport:
    total: int
    created: int = 0
    updated: int = 0
    skipped: bool = False


def demo_codes() -> list[str]:
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return [item["national_code"] for item in document["procedures"]]


def load_demo_catalogue(*, actor=None, force: bool = False) -> DemoCatalogueReport:
    """Import the demo catalogue unless it is already loaded (``force`` imports it again)."""
    codes = demo_codes()
    present = Procedure.objects.filter(national_code__in=codes).count()
    if present == len(codes) and not force:
        return DemoCatalogueReport(total=len(codes), skipped=True)
    report = catalogue_import(actor=actor, file=DEMO_FILE.read_bytes(), format="json", is_demo=True)
    return DemoCatalogueReport(total=len(codes), created=report.created, updated=report.updated)
