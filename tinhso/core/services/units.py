"""Loading the administrative units and the old→new conversion table.

The files under ``tinhso/core/data/admin_units`` are the source of truth for
the two versions they describe (see their README). The loader compares them
with the database and writes only the difference, in one transaction, so a
second run reads three files, runs a handful of queries and changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.core.audit import audit_record
from tinhso.core.choices import MergeKind, UnitLevel, UnitVersion
from tinhso.core.exceptions import TinhsoError
from tinhso.core.models import AdministrativeUnit, UnitSuccession
from tinhso.core.models.units import PRE_REFORM_LAST_DAY, REFORM_DATE
from tinhso.core.text import fold, normalise

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "admin_units"


VERSION_FILES = {
    UnitVersion.PRE_2025: "units-2025-01.csv",
    UnitVersion.POST_2025: "units-2025-07.csv",
}
VERSION_VALIDITY = {
    UnitVersion.PRE_2025: (None, PRE_REFORM_LAST_DAY),
    UnitVersion.POST_2025: (REFORM_DATE, None),
}
MAPPING_FILE = "commune-mapping-2025-07.csv"

# Parents are created before their children.
LEVEL_ORDER = [UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE]

UNIT_FIELDS = ["name", "full_name", "level", "type", "parent_id", "valid_from", "valid_to"]


class UnitDataError(TinhsoError):
    status = 400
    code = "unit_data_invalid"


@dataclass
class UnitLoadReport:
    """What one run of the loader did, per table."""

    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_deleted: int = 0
    successions_unchanged: int = 0
    per_version: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(
            self.units_created
            or self.units_updated
            or self.successions_created
            or self.successions_updated
            or self.successions_deleted
        )

    def as_dict(self) -> dict:
        return {
            "units_created": self.units_created,
            "units_updated": self.units_updated,
            "units_unchanged": self.units_unchanged,
            "successions_created": self.successions_created,
            "successions_updated": self.successions_updated,
            "successions_deleted": self.successions_deleted,
            "successions_unchanged": self.successions_unchanged,
            "per_version": self.per_version,
        }


def _read_csv(path: Path, columns: list[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise UnitDataError(
                    _("Tệp %(file)s thiếu cột: %(columns)s.")
                    % {"file": path.name, "columns": ", ".join(missing)}
                )
            return [{k: (v or "").strip() for k, v in row.items()} for row in reader]
    except FileNotFoundError:
        raise UnitDataError(
            _("Không tìm thấy tệp dữ liệu đơn vị hành chính %(file)s.") % {"file": str(path)}
        ) from None


def _check_code(code: str, source: str) -> None:
    if not code.isdigit() or len(code) not in (2, 3, 5):
        raise UnitDataError(
            _("Mã đơn vị hành chính không hợp lệ trong %(file)s: %(code)s.")
            % {"file": source, "code": code}
        )


def _load_version(version: str, rows: list[dict[str, str]], report: UnitLoadReport, source: str):
    """Bring one version in line with its file; return {code: id} for that version."""
    valid_from, valid_to = VERSION_VALIDITY[version]
    existing = {
        row["code"]: row
        for row in AdministrativeUnit.objects.filter(version=version).values(
            "id", "code", "search_key", "name_key", *UNIT_FIELDS
        )
    }
    ids = {code: row["id"] for code, row in existing.items()}
    seen: set[str] = set()
    levels = {level.value for level in LEVEL_ORDER}
    for row in rows:
        _check_code(row["code"], source)
        if row["code"] in seen:
            raise UnitDataError(
                _("Mã %(code)s lặp lại trong %(file)s.") % {"code": row["code"], "file": source}
            )
        seen.add(row["code"])
        if row["level"] not in levels:
            raise UnitDataError(
                _("Cấp đơn vị không hợp lệ trong %(file)s: %(level)s.")
                % {"file": source, "level": row["level"]}
            )

    created = updated = 0
    for level in LEVEL_ORDER:
        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        for row in rows:
            if row["level"] != level:
                continue
            parent_id = None
            if row["parent_code"]:
                parent_id = ids.get(row["parent_code"])
                if parent_id is None:
                    raise UnitDataError(
                        _(
                            "Đơn vị %(code)s trong %(file)s có đơn vị cấp trên %(parent)s không tồn tại."
                        )
                        % {"code": row["code"], "file": source, "parent": row["parent_code"]}
                    )
            full_name = normalise(row["full_name"])
            wanted = {
                "name": normalise(row["name"]),
                "full_name": full_name,
                "level": row["level"],
                "type": normalise(row["type"]),
                "parent_id": parent_id,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "search_key": fold(full_name),
                "name_key": fold(row["name"]),
            }
            current = existing.get(row["code"])
            if current is None:
                to_create.append(AdministrativeUnit(version=version, code=row["code"], **wanted))
            elif any(current[key] != value for key, value in wanted.items()):
                to_update.append(AdministrativeUnit(id=current["id"], **wanted))
        if to_create:
            AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
            # Backends without RETURNING leave pks unset; read them back.
            if any(unit.pk is None for unit in to_create):
                codes = [unit.code for unit in to_create]
                ids.update(
                    AdministrativeUnit.objects.filter(version=version, code__in=codes).values_list(
                        "code", "id"
                    )
                )
            else:
                ids.update({unit.code: unit.pk for unit in to_create})
        if to_update:
            AdministrativeUnit.objects.bulk_update(
                to_update, [*UNIT_FIELDS, "search_key", "name_key"], batch_size=500
            )
        created += len(to_create)
        updated += len(to_update)

    report.units_created += created
    report.units_updated += updated
    report.units_unchanged += len(rows) - created - updated
    report.per_version[version] = {
        "units": len(rows),
        "created": created,
        "updated": updated,
    }
    return ids


def _load_successions(
    rows: list[dict[str, str]],
    old_ids: dict[str, int],
    new_ids: dict[str, int],
    report: UnitLoadReport,
) -> None:
    merges = {kind.value for kind in MergeKind}
    wanted: dict[tuple, dict] = {}
    for number, row in enumerate(rows, start=2):
        old_code, new_code = row["old_code"], row["new_code"]
        if old_code and old_code not in old_ids:
            raise UnitDataError(
                _("Dòng %(line)d của %(file)s: mã đơn vị cũ %(code)s không có trong danh mục.")
                % {"line": number, "file": MAPPING_FILE, "code": old_code}
            )
        if new_code not in new_ids:
            raise UnitDataError(
                _("Dòng %(line)d của %(file)s: mã đơn vị mới %(code)s không có trong danh mục.")
                % {"line": number, "file": MAPPING_FILE, "code": new_code}
            )
        if row["merge"] not in merges:
            raise UnitDataError(
                _("Dòng %(line)d của %(file)s: hình thức sắp xếp không hợp lệ: %(merge)s.")
                % {"line": number, "file": MAPPING_FILE, "merge": row["merge"]}
            )
        old_parent_id = old_ids.get(row["old_district_code"]) if row["old_district_code"] else None
        label = normalise(row["old_name"])
        old_unit_id = old_ids[old_code] if old_code else None
        # The same key the unique constraints use.
        key = (old_unit_id, None if old_unit_id else label, None if old_unit_id else old_parent_id)
        key = (*key, new_ids[new_code])
        wanted[key] = {
            "old_unit_id": old_unit_id,
            "old_label": label,
            "old_parent_id": old_parent_id,
            "new_unit_id": new_ids[new_code],
            "merge": row["merge"],
            "effective_on": REFORM_DATE,
        }

    existing: dict[tuple, dict] = {}
    for row in UnitSuccession.objects.filter(effective_on=REFORM_DATE).values(
        "id", "old_unit_id", "old_label", "old_parent_id", "new_unit_id", "merge", "effective_on"
    ):
        old_unit_id = row["old_unit_id"]
        key = (
            old_unit_id,
            None if old_unit_id else row["old_label"],
            None if old_unit_id else row["old_parent_id"],
            row["new_unit_id"],
        )
        existing[key] = row

    to_create = [UnitSuccession(**values) for key, values in wanted.items() if key not in existing]
    to_update = []
    for key, values in wanted.items():
        current = existing.get(key)
        if current is not None and any(current[k] != v for k, v in values.items()):
            to_update.append(UnitSuccession(id=current["id"], **values))
    stale = [row["id"] for key, row in existing.items() if key not in wanted]

    if stale:
        UnitSuccession.objects.filter(id__in=stale).delete()
    if to_create:
        UnitSuccession.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        UnitSuccession.objects.bulk_update(
            to_update, ["old_label", "old_parent_id", "merge", "effective_on"], batch_size=500
        )
    report.successions_created = len(to_create)
    report.successions_updated = len(to_update)
    report.successions_deleted = len(stale)
    report.successions_unchanged = len(wanted) - len(to_create) - len(to_update)


def units_load(*, actor=None, data_dir: Path | str | None = None) -> UnitLoadReport:
    """Load both versions of the unit list and the conversion table; idempotent.

    Units missing from a file are kept (history is never deleted, and other
    records may point at them); conversion rows of this reform missing from the
    file are removed, since the file is the official table. One audit event
    summarises the run when it changed something.
    """
    directory = Path(data_dir) if data_dir is not None else DATA_DIR
    unit_columns = ["code", "name", "full_name", "level", "type", "parent_code"]
    unit_rows = {
        version: _read_csv(directory / name, unit_columns)
        for version, name in VERSION_FILES.items()
    }
    mapping_rows = _read_csv(
        directory / MAPPING_FILE,
        ["old_code", "old_name", "old_district_code", "new_code", "merge"],
    )

    report = UnitLoadReport()
    with transaction.atomic():
        ids = {
            version: _load_version(version, rows, report, VERSION_FILES[version])
            for version, rows in unit_rows.items()
        }
        _load_successions(
            mapping_rows, ids[UnitVersion.PRE_2025], ids[UnitVersion.POST_2025], report
        )
        if report.changed:
            audit_record(
                actor=actor,
                action="units.load",
                object_type=AdministrativeUnit._meta.label_lower,
                object_repr=_("Danh mục đơn vị hành chính"),
                changes=report.as_dict(),
            )
    return report
