"""CCCD and BHYT numbers: every way a number can be wrong, and what a right one encodes."""

from __future__ import annotations

import datetime as dt

import pytest

from tinhso.core.exceptions import ValidationError
from tinhso.core.validators import cccd_digit_for, mask_id_number, parse_bhyt, parse_cccd

TODAY = dt.date(2026, 3, 1)


def _code(callable_, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        callable_(*args, **kwargs)
    return info.value.code


# --- valid numbers ------------------------------------------------------------------


def test_a_hai_duong_man_born_in_1985():
    info = parse_cccd("030085000123", today=TODAY)
    assert info.place_code == "030"
    assert info.place_name == "Hải Dương"
    assert not info.born_abroad
    assert info.sex == "male"
    assert info.year_of_birth == 1985


def test_a_hai_phong_girl_born_in_2010_with_matching_date_and_sex():
    info = parse_cccd("031310123456", date_of_birth=dt.date(2010, 5, 17), sex="female", today=TODAY)
    assert info.year_of_birth == 2010
    assert info.sex == "female"
    assert info.century_start == 2000


def test_spaces_dots_and_dashes_inside_the_number_are_ignored():
    assert parse_cccd(" 030 085.000-123 ", today=TODAY).number == "030085000123"


def test_a_birth_registered_abroad_uses_the_country_code():
    info = parse_cccd("840195000001", today=TODAY)  # 840: United States (ISO 3166-1)
    assert info.born_abroad
    assert "United States" in info.place_name


def test_a_code_both_province_and_country_is_read_as_the_province():
    info = parse_cccd("004090000001", today=TODAY)  # Cao Bằng, also Afghanistan's ISO code
    assert not info.born_abroad
    assert info.place_name == "Cao Bằng"


@pytest.mark.parametrize(
    ("year", "sex", "digit"),
    [(1950, "male", "0"), (1999, "female", "1"), (2000, "male", "2"), (2025, "female", "3")],
)
def test_century_digit_for_a_birth_year(year, sex, digit):
    assert cccd_digit_for(year, sex) == digit
    number = f"001{digit}{year % 100:02d}000777"
    assert parse_cccd(number, today=TODAY).year_of_birth == year


# --- invalid numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("03008500012", "length"),  # 11 digits
        ("0300850001234", "length"),  # 13 digits
        ("", "length"),
        ("03008500012A", "characters"),
        ("O30085000123", "characters"),  # letter O for zero
        ("０３００８５０００１２３", "characters"),  # full-width digits
        ("٠٣٠٠٨٥٠٠٠١٢٣", "characters"),  # Arabic-Indic digits
    ],
)
def test_malformed_numbers(value, reason):
    with pytest.raises(ValidationError) as info:
        parse_cccd(value, today=TODAY)
    assert info.value.code == "cccd_format"
    assert info.value.details == {"reason": reason}


def test_a_non_string_is_malformed():
    assert _code(parse_cccd, None, today=TODAY) == "cccd_format"
    assert _code(parse_cccd, 30085000123, today=TODAY) == "cccd_format"


@pytest.mark.parametrize("place", ["000", "003", "097", "099", "704", "999"])
def test_unknown_place_codes(place):
    # 003/097/099: no such province and no such country; 704 is Viet Nam itself.
    assert _code(parse_cccd, f"{place}085000123", today=TODAY) == "cccd_place"


def test_a_birth_year_in_the_future():
    assert _code(parse_cccd, "030330000123", today=TODAY) == "cccd_birth_year"  # 2030
    assert _code(parse_cccd, "030485000123", today=TODAY) == "cccd_birth_year"  # 2185


def test_century_digit_inconsistent_with_the_date_of_birth():
    # Digit 0 (1900s) and 85 → 1985, but the person was born in 2085? No: in 1995.
    code = _code(parse_cccd, "030085000123", date_of_birth=dt.date(1995, 1, 2), today=TODAY)
    assert code == "cccd_birth_mismatch"
    # Digit 2 (2000s) with a 1905 birth date.
    code = _code(parse_cccd, "030205000123", date_of_birth=dt.date(1905, 1, 2), today=TODAY)
    assert code == "cccd_birth_mismatch"


def test_a_date_of_birth_in_the_future():
    code = _code(parse_cccd, "030326000123", date_of_birth=dt.date(2026, 6, 1), today=TODAY)
    assert code == "date_of_birth_future"


def test_sex_mismatch():
    assert _code(parse_cccd, "030085000123", sex="female", today=TODAY) == "cccd_sex_mismatch"


def test_unknown_sex_value():
    assert _code(parse_cccd, "030085000123", sex="nam", today=TODAY) == "sex_invalid"


def test_messages_are_vietnamese():
    with pytest.raises(ValidationError) as info:
        parse_cccd("12", today=TODAY)
    assert "chữ số" in str(info.value.message)


# --- BHYT ---------------------------------------------------------------------------


def test_old_fifteen_character_card():
    info = parse_bhyt("GD4010120152431")
    assert info.group_code == "GD"
    assert info.benefit_level == 4
    assert info.province_code == "01"
    assert info.social_insurance_number == "0120152431"


def test_old_card_in_lower_case_with_spaces():
    assert parse_bhyt(" dn 4 30 0120152431 ").group_code == "DN"


def test_new_ten_digit_number():
    info = parse_bhyt("0120152431")
    assert info.group_code is None
    assert info.social_insurance_number == "0120152431"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "012015243",  # 9 digits
        "01201524311",  # 11 digits
        "GD6010120152431",  # benefit level 6
        "GD0010120152431",  # benefit level 0
        "G14010120152431",  # one letter
        "GD401012015243",  # 14 characters
        "GD40101201524311",  # 16 characters
        "０１２０１５２４３１",  # full-width digits
    ],
)
def test_bad_bhyt_numbers(value):
    assert _code(parse_bhyt, value) == "bhyt_format"


# --- masking ------------------------------------------------------------------------


def test_mask_keeps_three_digits_each_side():
    assert mask_id_number("030085000123") == "030******123"
    assert mask_id_number("12345") == "*****"
    assert mask_id_number("") == ""
