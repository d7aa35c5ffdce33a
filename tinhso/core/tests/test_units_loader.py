"""The unit loader: the data README's invariants, idempotence, repairs and bad data.

The test database was loaded once by the session fixture in ``conftest.py``.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from tinhso.core.choices import MergeKind, UnitLevel, UnitVersion
from tinhso.core.models import AdministrativeUnit, AuditEvent, UnitSuccession
from tinhso.core.services.units import DATA_DIR, UnitDataError, units_load
from tinhso.core.text import fold

pytestmark = pytest.mark.django_db

PRE, POST = UnitVersion.PRE_2025, UnitVersion.POST_2025


def _counts() -> dict[tuple[str, str], int]:
    rows = AdministrativeUnit.objects.values("version", "level").annotate(n=Count("id"))
    return {(r["version"], r["level"]): r["n"] for r in rows}


def _unit(version: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(version=version, code=code)


def test_both_versions_are_loaded_with_the_published_counts_per_level():
    # Given the session load, when counting units per version and level
    counts = _counts()
    # then they match the README (63/696/10,035 before, 34/3,321 after)
    assert counts == {
        (PRE, UnitLevel.PROVINCE): 63,
        (PRE, UnitLevel.DISTRICT): 696,
        (PRE, UnitLevel.COMMUNE): 10035,
        (POST, UnitLevel.PROVINCE): 34,
        (POST, UnitLevel.COMMUNE): 3321,
    }
    assert UnitSuccession.objects.count() == 10571
    assert UnitSuccession.objects.filter(merge=MergeKind.FULL).count() == 9602
    assert UnitSuccession.objects.filter(merge=MergeKind.PARTIAL).count() == 969


def test_codes_are_kept_as_zero_padded_strings_with_validity_dates():
    commune = _unit(PRE, "00004")
    assert commune.code == "00004"
    assert commune.valid_from is None
    assert commune.valid_to == dt.date(2025, 6, 30)
    new = _unit(POST, "01")
    assert new.valid_from == dt.date(2025, 7, 1)
    assert new.valid_to is None


def test_parents_follow_each_version_tree():
    # Before the reform a commune hangs under a district, after it under a province.
    old = _unit(PRE, "10507")
    assert (old.parent.code, old.parent.level) == ("288", UnitLevel.DISTRICT)
    assert old.parent.parent.code == "30"
    new = _unit(POST, "10507")
    assert (new.parent.code, new.parent.level) == ("31", UnitLevel.PROVINCE)
    assert new.parent.version == POST


def test_search_key_is_the_folded_full_name_including_d_with_stroke():
    unit = _unit(POST, "10507")
    assert unit.full_name == "Phường Thành Đông"
    assert unit.search_key == "phuong thanh dong" == fold(unit.full_name)


def test_every_old_commune_maps_to_at_least_one_new_commune():
    old_communes = AdministrativeUnit.objects.filter(version=PRE, level=UnitLevel.COMMUNE)
    unmapped = old_communes.exclude(successions__isnull=False)
    assert unmapped.count() == 0
    # and every mapped old unit is an old commune, every new one a new commune
    assert not UnitSuccession.objects.exclude(old_unit__isnull=True).exclude(
        old_unit__version=PRE, old_unit__level=UnitLevel.COMMUNE
    )
    assert not UnitSuccession.objects.exclude(
        new_unit__version=POST, new_unit__level=UnitLevel.COMMUNE
    )


def test_every_new_commune_has_a_source():
    new_communes = AdministrativeUnit.objects.filter(version=POST, level=UnitLevel.COMMUNE)
    assert new_communes.filter(sources__isnull=True).count() == 0


def test_hai_duong_communes_all_go_to_hai_phong():
    # Given old Hải Dương (30) with its 207 communes
    old_communes = AdministrativeUnit.objects.filter(
        version=PRE, level=UnitLevel.COMMUNE, parent__parent__code="30"
    )
    assert old_communes.count() == 207
    rows = UnitSuccession.objects.filter(old_unit__parent__parent__code="30")
    # then all 243 rows land in new Hải Phòng (31)
    assert rows.count() == 243
    assert set(rows.values_list("new_unit__parent__code", flat=True)) == {"31"}


def test_hai_phong_has_114_communes_fed_by_either_old_province_never_both():
    new = AdministrativeUnit.objects.filter(
        version=POST, level=UnitLevel.COMMUNE, parent__code="31"
    )
    assert new.count() == 114
    assert sorted(new.values("type").annotate(n=Count("id")).values_list("type", "n")) == [
        ("phường", 45),
        ("xã", 67),
        ("đặc khu", 2),
    ]
    from_hai_duong = set(
        UnitSuccession.objects.filter(
            new_unit__in=new, old_unit__parent__parent__code="30"
        ).values_list("new_unit__code", flat=True)
    )
    from_hai_phong = set(
        UnitSuccession.objects.filter(new_unit__in=new)
        .exclude(old_unit__parent__parent__code="30")
        .values_list("new_unit__code", flat=True)
    )
    assert len(from_hai_duong) == 64
    assert len(from_hai_phong) == 50
    assert not from_hai_duong & from_hai_phong


def test_long_xuyen_communes_of_hai_duong_are_not_confused():
    # Phường Long Xuyên (10738, Kinh Môn) → Phường Kinh Môn only;
    # Xã Long Xuyên (10963, Bình Giang) → Xã Bình Giang only; both full.
    ward = UnitSuccession.objects.filter(old_unit=_unit(PRE, "10738"))
    assert list(ward.values_list("new_unit__code", "merge")) == [("10675", "full")]
    commune = UnitSuccession.objects.filter(old_unit=_unit(PRE, "10963"))
    assert list(commune.values_list("new_unit__code", "merge")) == [("10966", "full")]


def test_ky_loi_has_one_full_row_and_two_partial_rows():
    rows = UnitSuccession.objects.filter(old_unit=_unit(PRE, "18796")).order_by("new_unit__code")
    assert list(rows.values_list("new_unit__code", "merge")) == [
        ("18754", "partial"),
        ("18823", "full"),
        ("18832", "partial"),
    ]


def test_rows_without_an_old_code_keep_their_label_and_old_district():
    rows = UnitSuccession.objects.filter(old_unit__isnull=True).order_by("new_unit__code")
    assert list(rows.values_list("old_label", "old_parent__code", "new_unit__code")) == [
        ("Huyện Bạch Long Vĩ", "318", "11948"),
        ("Khu vực bãi bồi ven biển do huyện Kim Sơn quản lý", "376", "14698"),
        ("Huyện Cồn Cỏ", "471", "19742"),
        ("Huyện Hoàng Sa", "498", "20333"),
        ("Huyện Lý Sơn", "536", "21548"),
        ("Huyện Côn Đảo", "755", "26732"),
    ]
    assert set(rows.values_list("old_parent__version", flat=True)) == {PRE}


def test_a_second_load_changes_nothing_and_writes_no_audit_event():
    # Given the loaded database and its current state
    before_units = dict(AdministrativeUnit.objects.values_list("id", "search_key"))
    before_rows = set(UnitSuccession.objects.values_list("id", "merge"))
    events_before = AuditEvent.objects.count()
    # when loading again
    report = units_load(actor=None)
    # then nothing was created, updated or deleted
    assert not report.changed
    assert report.units_unchanged == 10794 + 3355
    assert report.successions_unchanged == 10571
    assert dict(AdministrativeUnit.objects.values_list("id", "search_key")) == before_units
    assert set(UnitSuccession.objects.values_list("id", "merge")) == before_rows
    assert AuditEvent.objects.count() == events_before


def test_load_repairs_edited_rows_and_audits_one_summary_event():
    # Given a unit renamed by hand, a mapping row altered and one deleted
    unit = _unit(POST, "10507")
    AdministrativeUnit.objects.filter(pk=unit.pk).update(full_name="Sai tên", search_key="sai ten")
    UnitSuccession.objects.filter(old_unit__code="10738").update(merge=MergeKind.PARTIAL)
    UnitSuccession.objects.filter(old_unit__code="10963").delete()
    events_before = AuditEvent.objects.count()
    # when loading
    report = units_load(actor=None)
    # then exactly those rows are put back
    assert (report.units_created, report.units_updated) == (0, 1)
    assert (report.successions_created, report.successions_updated) == (1, 1)
    assert report.successions_deleted == 0
    unit.refresh_from_db()
    assert (unit.full_name, unit.search_key) == ("Phường Thành Đông", "phuong thanh dong")
    assert UnitSuccession.objects.get(old_unit__code="10738").merge == MergeKind.FULL
    assert UnitSuccession.objects.filter(old_unit__code="10963").count() == 1
    assert UnitSuccession.objects.count() == 10571
    # and one audit event summarises the run
    events = AuditEvent.objects.order_by("id")[events_before:]
    assert [e.action for e in events] == ["units.load"]
    assert events[0].changes["units_updated"] == 1
    assert events[0].changes["successions_created"] == 1


def test_load_removes_a_conversion_row_that_is_not_in_the_table():
    stray = UnitSuccession.objects.create(
        old_unit=_unit(PRE, "10507"),
        old_label="Phường Cẩm Thượng",
        old_parent=_unit(PRE, "288"),
        new_unit=_unit(POST, "10525"),
        merge=MergeKind.PARTIAL,
        effective_on=dt.date(2025, 7, 1),
    )
    report = units_load(actor=None)
    assert report.successions_deleted == 1
    assert not UnitSuccession.objects.filter(pk=stray.pk).exists()


def test_load_from_a_folder_without_the_files_is_a_clean_error(tmp_path):
    with pytest.raises(UnitDataError) as error:
        units_load(actor=None, data_dir=tmp_path)
    assert error.value.code == "unit_data_invalid"
    assert "Không tìm thấy tệp dữ liệu" in str(error.value.message)


def test_load_rejects_a_mapping_to_an_unknown_code_and_changes_nothing(tmp_path):
    # Given a copy of the data whose mapping names a new code that does not exist
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    mapping = tmp_path / "commune-mapping-2025-07.csv"
    text = mapping.read_text(encoding="utf-8").replace(",11948,", ",99998,", 1)
    mapping.write_text(text, encoding="utf-8")
    # and a unit edited in the database
    AdministrativeUnit.objects.filter(version=POST, code="01").update(full_name="Sai")
    # when loading, then the error names the line and the code
    with pytest.raises(UnitDataError) as error:
        units_load(actor=None, data_dir=tmp_path)
    assert "99998" in str(error.value.message)
    # and the transaction left the database as it was (the repair was rolled back)
    assert _unit(POST, "01").full_name == "Sai"


def test_load_units_command_reports_a_missing_folder_in_vietnamese(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("load_units", data_dir=str(tmp_path / "nowhere"), verbosity=0)
    assert "Không tìm thấy tệp dữ liệu đơn vị hành chính" in str(error.value)


def test_load_units_command_says_when_nothing_changed(capsys):
    call_command("load_units")
    assert "không có gì thay đổi" in capsys.readouterr().out
