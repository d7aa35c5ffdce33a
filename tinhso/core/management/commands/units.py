"""``tinhso units``: look administrative units up from the command line.

    tinhso units get 10507 --on 2025-08-01
    tinhso units search "thanh dong" --on 2025-08-01 --level commune
    tinhso units successors 10963
    tinhso units sources 10966
    tinhso units ancestors 10738 --on 2025-06-30
    tinhso units descendants 30 --on 2025-06-30 --level district

Every sub-command takes ``--json`` for machine-readable output.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.core.models import AdministrativeUnit
from tinhso.core.selectors.units import (
    PRE_REFORM_LAST_DAY,
    Succession,
    parse_date,
    unit_ancestors,
    unit_descendants,
    unit_get,
    unit_search,
    unit_sources,
    unit_successors,
)


def _unit_dict(unit: AdministrativeUnit | None) -> dict | None:
    if unit is None:
        return None
    parent = unit.parent if unit.parent_id is not None else None
    return {
        "code": unit.code,
        "version": unit.version,
        "name": unit.name,
        "full_name": unit.full_name,
        "level": unit.level,
        "type": unit.type,
        "parent": (
            {"code": parent.code, "full_name": parent.full_name, "level": parent.level}
            if parent is not None
            else None
        ),
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
    }


def _validity(unit: AdministrativeUnit) -> str:
    if unit.valid_from and unit.valid_to:
        return _("hiệu lực %(start)s–%(end)s") % {
            "start": unit.valid_from.strftime("%d/%m/%Y"),
            "end": unit.valid_to.strftime("%d/%m/%Y"),
        }
    if unit.valid_to:
        return _("hiệu lực đến %(day)s") % {"day": unit.valid_to.strftime("%d/%m/%Y")}
    if unit.valid_from:
        return _("hiệu lực từ %(day)s") % {"day": unit.valid_from.strftime("%d/%m/%Y")}
    return ""


def _unit_line(unit: AdministrativeUnit) -> str:
    parts = [f"{unit.code}  {unit.full_name}"]
    if unit.parent_id is not None:
        parts.append(f"— {unit.parent.full_name}")
    parts.append(f"[{_validity(unit)}]")
    return " ".join(parts)


def _merge_label(merge: str) -> str:
    return _("nhập toàn bộ") if merge == "full" else _("nhập một phần")


class Command(TinhsoCommand):
    help = _("Tra cứu đơn vị hành chính theo mã, tên, ngày và quan hệ cũ ↔ mới.")

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="lệnh")

        def add(name: str, help_text: str, *, code: bool = True, on: bool = True):
            sub = commands.add_parser(name, help=help_text)
            if code:
                sub.add_argument("code", help=_("mã đơn vị hành chính, ví dụ 10507"))
            if on:
                sub.add_argument("--on", help=_("ngày tra cứu YYYY-MM-DD"))
            sub.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
            return sub

        add("get", _("đơn vị có mã này vào một ngày (mặc định hôm nay)"))
        search = add("search", _("tìm theo tên, không cần dấu"), code=False)
        search.add_argument("text", help=_("tên cần tìm"))
        search.add_argument("--level", help=_("province, district hoặc commune"))
        search.add_argument("--province", help=_("mã tỉnh"))
        search.add_argument("--limit", type=int, default=20, help=_("số kết quả tối đa (1–100)"))
        add("successors", _("đơn vị mới mà đơn vị cũ đã trở thành (mặc định tra ngày 30/6/2025)"))
        add("sources", _("các đơn vị cũ hợp thành đơn vị mới"))
        add("ancestors", _("các đơn vị cấp trên"))
        descendants = add("descendants", _("các đơn vị cấp dưới"))
        descendants.add_argument("--level", help=_("district hoặc commune"))

    def handle(self, *args, **options):
        # Selectors raise TinhsoError for bad input; TinhsoCommand turns it
        # into one line with the Vietnamese message and the error code.
        result = getattr(self, f"_{options['subcommand']}")(options)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    # Each sub-command prints its lines unless --json, and returns the JSON value.

    def _emit(self, options, lines: list[str], empty: str) -> None:
        if options["json"]:
            return
        for line in lines or [empty]:
            self.stdout.write(line)

    def _get(self, options):
        unit = unit_get(options["code"], options["on"])
        self._emit(options, [_unit_line(unit)], "")
        return _unit_dict(unit)

    def _search(self, options):
        units = unit_search(
            options["text"],
            on=options["on"],
            level=options["level"],
            province=options["province"],
            limit=options["limit"],
        )
        self._emit(options, [_unit_line(u) for u in units], _("Không có đơn vị nào phù hợp."))
        return [_unit_dict(u) for u in units]

    def _succession_lines(self, items: list[Succession]) -> list[str]:
        lines = []
        for item in items:
            name = (
                f"{item.unit.code}  {item.unit.full_name}" if item.unit is not None else item.label
            )
            if item.unit is None and item.old_parent and item.old_parent.full_name != item.label:
                name += f" ({item.old_parent.full_name})"
            line = f"{name}: {_merge_label(item.merge)}"
            if len(item.via) > 1:
                line += " " + _("(từ %(codes)s)") % {"codes": ", ".join(item.via)}
            lines.append(line)
        return lines

    def _succession_json(self, items: list[Succession]) -> list[dict]:
        return [
            {
                "unit": _unit_dict(item.unit),
                "merge": item.merge,
                "label": item.label or (item.unit.full_name if item.unit else ""),
                "old_parent": item.old_parent.code if item.old_parent else None,
                "via": item.via,
            }
            for item in items
        ]

    def _successors(self, options):
        unit = unit_get(options["code"], parse_date(options["on"], default=PRE_REFORM_LAST_DAY))
        items = unit_successors(unit)
        if not options["json"]:
            self.stdout.write(_("%(unit)s đã trở thành:") % {"unit": unit.full_name})
        self._emit(
            options,
            self._succession_lines(items),
            _("Không có đơn vị kế thừa (đơn vị đang có hiệu lực)."),
        )
        return self._succession_json(items)

    def _sources(self, options):
        unit = unit_get(options["code"], options["on"])
        items = unit_sources(unit)
        if not options["json"]:
            self.stdout.write(_("%(unit)s được hình thành từ:") % {"unit": unit.full_name})
        self._emit(options, self._succession_lines(items), _("Không có đơn vị cũ nào."))
        return self._succession_json(items)

    def _ancestors(self, options):
        units = unit_ancestors(unit_get(options["code"], options["on"]))
        self._emit(options, [_unit_line(u) for u in units], _("Không có đơn vị cấp trên."))
        return [_unit_dict(u) for u in units]

    def _descendants(self, options):
        units = unit_descendants(unit_get(options["code"], options["on"]), options["level"])
        self._emit(options, [_unit_line(u) for u in units], _("Không có đơn vị cấp dưới."))
        return [_unit_dict(u) for u in units]
