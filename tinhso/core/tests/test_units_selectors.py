"""Unit look-ups as of a date, search without diacritics, succession both ways, the tree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.core.choices import UnitLevel, UnitVersion
from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.models import AdministrativeUnit
from tinhso.core.selectors.units import (
    parse_date,
    unit_ancestors,
    unit_descendant_ids,
    unit_descendants,
    unit_get,
    unit_search,
    unit_sources,
    unit_successors,
)

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)


# Look-up by code as of a date


def test_the_same_code_names_different_wards_either_side_of_the_reform():
    before = unit_get("30307", on=BEFORE)
    after = unit_get("30307", on=AFTER)
    assert (before.full_name, before.version) == ("Phường Mỹ Hòa", UnitVersion.PRE_2025)
    assert (after.full_name, after.version) == ("Phường Long Xuyên", UnitVersion.POST_2025)


def test_look_up_accepts_an_iso_date_string_and_defaults_to_today():
    assert unit_get("10507", on="2025-08-01").full_name == "Phường Thành Đông"
    assert unit_get("10507", on="2024-01-01").full_name == "Phường Cẩm Thượng"
    # today is after the reform, so the current list answers
    assert unit_get("10507").version == UnitVersion.POST_2025


def test_look_up_of_an_unknown_code_is_unit_not_found_with_code_and_date():
    with pytest.raises(NotFound) as error:
        unit_get("99999", on=AFTER)
    assert error.value.code == "unit_not_found"
    assert error.value.status == 404
    assert str(error.value.message) == (
        "Không tìm thấy đơn vị hành chính có mã 99999 vào ngày 01/07/2025."
    )


def test_a_code_abolished_by_the_reform_is_not_found_after_it():
    # Hải Dương (30) exists only before 1 July 2025.
    assert unit_get("30", on=BEFORE).full_name == "Tỉnh Hải Dương"
    with pytest.raises(NotFound):
        unit_get("30", on=AFTER)


@pytest.mark.parametrize("code", ["", "abc", "1050'7", "123456", "10507 OR 1=1"])
def test_malformed_codes_are_simply_not_found(code):
    with pytest.raises(NotFound):
        unit_get(code, on=AFTER)


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01", "01/07/2025", "2025-7-1", "hôm nay"])
def test_impossible_or_malformed_dates_are_invalid_date(value):
    with pytest.raises(ValidationError) as error:
        unit_get("10507", on=value)
    assert error.value.code == "invalid_date"
    assert error.value.status == 400
    assert "Ngày không hợp lệ" in str(error.value.message)


def test_parse_date_passes_dates_through_and_uses_the_default_for_empty():
    assert parse_date(AFTER) == AFTER
    assert parse_date("", default=BEFORE) == BEFORE
    assert parse_date(None) is None


def test_look_up_is_one_query_with_the_parent():
    with CaptureQueriesContext(connection) as queries:
        unit = unit_get("10507", on=AFTER)
        assert unit.parent.full_name == "Thành phố Hải Phòng"
    assert len(queries) == 1


# Search


def test_search_without_diacritics_finds_thanh_dong_first():
    results = unit_search("thanh dong", on=AFTER)
    assert results[0].code == "10507"
    assert results[0].full_name == "Phường Thành Đông"


def test_search_ignores_case_and_accepts_diacritics_and_the_type_word():
    for text in ["THÀNH ĐÔNG", "Phường Thành Đông", "phuong thanh dong"]:
        assert unit_search(text, on=AFTER)[0].code == "10507"


def test_hai_duong_is_a_province_before_the_reform_and_not_after():
    before = unit_search("hai duong", on=BEFORE, level=UnitLevel.PROVINCE)
    assert [u.full_name for u in before] == ["Tỉnh Hải Dương"]
    assert unit_search("hai duong", on=AFTER, level=UnitLevel.PROVINCE) == []


def test_search_without_a_date_spans_both_versions():
    codes = {(u.version, u.code) for u in unit_search("hai duong", limit=50)}
    assert (UnitVersion.PRE_2025, "30") in codes
    assert (UnitVersion.POST_2025, "10525") in codes  # Phường Hải Dương, in Hải Phòng


def test_prefix_matches_rank_before_other_substrings():
    # "an" is inside countless names; names starting with "An" come first.
    results = unit_search("an", on=AFTER, province="31", limit=10)
    assert results
    assert all(u.name.lower().startswith("an") for u in results)


def test_exact_name_ranks_before_longer_names_with_the_same_prefix():
    results = unit_search("kinh mon", on=AFTER)
    assert results[0].code == "10675"  # Phường Kinh Môn


def test_search_filters_by_level_and_province():
    results = unit_search("an", on=BEFORE, level=UnitLevel.COMMUNE, province="30", limit=100)
    assert results
    assert {u.level for u in results} == {UnitLevel.COMMUNE}
    assert {u.parent.parent.code for u in results} == {"30"}


def test_search_respects_the_limit_and_rejects_out_of_range_limits():
    assert len(unit_search("xa", limit=3)) == 3
    for limit in (0, 101, -1):
        with pytest.raises(ValidationError) as error:
            unit_search("xa", limit=limit)
        assert error.value.code == "invalid_limit"


def test_search_rejects_an_unknown_level():
    with pytest.raises(ValidationError) as error:
        unit_search("xa", level="village")
    assert error.value.code == "invalid_level"


def test_search_for_blank_text_returns_nothing():
    assert unit_search("  ") == []


# Successors and sources


def test_an_old_commune_leads_to_its_new_unit():
    items = unit_successors(unit_get("10963", on=BEFORE))  # Xã Long Xuyên, Bình Giang
    assert [(i.unit.code, i.merge) for i in items] == [("10966", "full")]


def test_a_split_commune_leads_to_every_receiving_unit():
    items = unit_successors(unit_get("18796", on=BEFORE))  # Xã Kỳ Lợi
    assert [(i.unit.code, i.merge) for i in items] == [
        ("18754", "partial"),
        ("18823", "full"),
        ("18832", "partial"),
    ]


def test_an_old_province_aggregates_its_communes_into_new_communes():
    items = unit_successors(unit_get("30", on=BEFORE))  # Hải Dương
    assert len(items) == 64
    assert {i.unit.parent.code for i in items} == {"31"}
    assert {i.merge for i in items} == {"partial"}
    # every old commune of the province appears behind some entry
    assert len({code for i in items for code in i.via}) == 207


def test_an_island_district_without_communes_leads_to_its_special_zone():
    items = unit_successors(unit_get("318", on=BEFORE))  # Huyện Bạch Long Vĩ
    assert [(i.unit.code, i.merge) for i in items] == [("11948", "full")]


def test_a_current_unit_has_no_successors():
    assert unit_successors(unit_get("10507", on=AFTER)) == []


def test_a_new_commune_lists_its_old_communes():
    items = unit_sources(unit_get("10966", on=AFTER))  # Xã Bình Giang
    assert [(i.unit.code, i.merge) for i in items] == [
        ("10960", "partial"),
        ("10963", "full"),
        ("10966", "full"),
        ("10978", "full"),
        ("10984", "full"),
    ]
    assert all(i.unit.version == UnitVersion.PRE_2025 for i in items)


def test_a_source_without_an_old_code_keeps_its_label_and_district():
    items = unit_sources(unit_get("14698", on=AFTER))  # Xã Kim Đông
    (item,) = [i for i in items if i.unit is None]
    assert item.label == "Khu vực bãi bồi ven biển do huyện Kim Sơn quản lý"
    assert item.old_parent.code == "376"


def test_successors_and_sources_agree_both_ways():
    old = unit_get("10738", on=BEFORE)  # Phường Long Xuyên, Kinh Môn
    (succ,) = unit_successors(old)
    assert old.code in [i.unit.code for i in unit_sources(succ.unit) if i.unit]


def test_a_new_province_lists_the_old_provinces_it_was_formed_from():
    items = unit_sources(unit_get("31", on=AFTER))
    assert [(i.unit.code, i.unit.full_name, i.merge) for i in items] == [
        ("30", "Tỉnh Hải Dương", "full"),
        ("31", "Thành phố Hải Phòng", "full"),
    ]


def test_an_old_unit_has_no_sources():
    assert unit_sources(unit_get("10507", on=BEFORE)) == []


# Ancestors and descendants


def test_ancestors_of_an_old_commune_are_its_district_then_province_root_first():
    chain = unit_ancestors(unit_get("10738", on=BEFORE))
    assert [u.code for u in chain] == ["30", "292"]


def test_ancestors_of_a_new_commune_is_its_province():
    assert [u.code for u in unit_ancestors(unit_get("10507", on=AFTER))] == ["31"]
    assert unit_ancestors(unit_get("31", on=AFTER)) == []


def test_descendants_stay_within_the_units_version():
    old = unit_descendants(unit_get("31", on=BEFORE))
    new = unit_descendants(unit_get("31", on=AFTER))
    assert {u.version for u in old} == {UnitVersion.PRE_2025}
    assert {u.version for u in new} == {UnitVersion.POST_2025}
    assert len(new) == 114
    # parents before children
    levels = [u.level for u in old]
    assert levels == sorted(levels, key=[UnitLevel.DISTRICT, UnitLevel.COMMUNE].index)


def test_descendants_filter_by_level():
    hai_duong = unit_get("30", on=BEFORE)
    assert len(unit_descendants(hai_duong, UnitLevel.COMMUNE)) == 207
    assert len(unit_descendants(hai_duong, UnitLevel.DISTRICT)) == 12


def test_descendant_ids_cover_the_subtree_in_one_query():
    hai_duong = unit_get("30", on=BEFORE)
    with CaptureQueriesContext(connection) as queries:
        ids = unit_descendant_ids(hai_duong)
    assert len(queries) == 1
    expected = set(
        AdministrativeUnit.objects.filter(parent__parent=hai_duong).values_list("id", flat=True)
    ) | set(hai_duong.children.values_list("id", flat=True))
    assert ids == expected
    assert hai_duong.pk not in ids
    assert hai_duong.pk in unit_descendant_ids(hai_duong.pk, include_self=True)


def test_selectors_accept_a_user_and_read_through_restrict(django_user_model):
    user = django_user_model(username="khach", role="citizen")
    assert unit_get("10507", on=AFTER, user=user).code == "10507"
    assert unit_search("thanh dong", on=AFTER, user=user)[0].code == "10507"
