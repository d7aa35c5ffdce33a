"""Validators for Vietnamese identity numbers.

Citizen ID (CCCD, số định danh cá nhân), 12 digits ``PPP G YY NNNNNN``
(Decree 137/2015/NĐ-CP art. 7, Circular 07/2016/TT-BCA, kept by Decree
59/2022/NĐ-CP and the 2023 Law on Identification):

- ``PPP``: where the birth was registered: one of the 63 pre-2025 province
  codes, zero-padded (030 Hải Dương, 031 Hải Phòng), or for a birth registered
  abroad the country's code (ISO 3166-1 numeric is assumed, see docs/domain.md);
- ``G``: century and sex: 0/1 1900s male/female, 2/3 2000s, 4/5 2100s, 6/7
  2200s, 8/9 2300s;
- ``YY``: the last two digits of the year of birth;
- ``NNNNNN``: a random number. There is no check digit.

Health insurance (BHYT): the card before April 2021 carries 15 characters,
2 letters for the beneficiary group, a benefit level 1–5, a 2-digit province
code and the 10-digit social-insurance number (``GD4010120152431``); cards
issued since (QĐ 1666/QĐ-BHXH) show only the 10-digit number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import iso3166
from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import ValidationError

# The 63 provinces before 1 July 2025, as the GSO numbers them. CCCDs keep these
# codes after the reform: the number is fixed at birth registration.
OLD_PROVINCE_CODES = frozenset(
    (
        "01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 "
        "42 44 45 46 48 49 51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 "
        "86 87 89 91 92 93 94 95 96"
    ).split()
)
_PROVINCE_PREFIXES = frozenset(f"0{code}" for code in OLD_PROVINCE_CODES)
_COUNTRY_PREFIXES = frozenset(c.numeric for c in iso3166.countries if c.numeric != "704")

_CCCD_RE = re.compile(r"^\d{12}$")
_BHYT_OLD_RE = re.compile(r"^([A-Z]{2})([1-5])(\d{2})(\d{10})$")
_BHYT_NEW_RE = re.compile(r"^\d{10}$")


@dataclass(frozen=True)
class CccdInfo:
    number: str
    place_code: str
    born_abroad: bool
    century_start: int
    sex: str  # "male" | "female"
    year_of_birth: int


def parse_cccd(
    value: str,
    *,
    date_of_birth: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> CccdInfo:
    """Check a CCCD's structure (and its agreement with a known birth date and sex)."""
    number = (value or "").strip()
    if not _CCCD_RE.match(number):
        raise ValidationError(
            _("Số CCCD phải gồm đúng 12 chữ số."), code="cccd_format", details={"value": "***"}
        )
    place = number[:3]
    if place in _PROVINCE_PREFIXES:
        born_abroad = False
    elif place in _COUNTRY_PREFIXES:
        born_abroad = True
    else:
        raise ValidationError(
            _(
                "Ba chữ số đầu của số CCCD (%(code)s) không phải mã tỉnh hoặc mã quốc gia nơi đăng ký khai sinh."
            )
            % {"code": place},
            code="cccd_place",
        )
    gender_digit = int(number[3])
    century_start = 1900 + (gender_digit // 2) * 100
    person_sex = "male" if gender_digit % 2 == 0 else "female"
    year = century_start + int(number[4:6])
    today = today or dt.date.today()
    if year > today.year:
        raise ValidationError(
            _("Số CCCD cho năm sinh %(year)s, là năm trong tương lai.") % {"year": year},
            code="cccd_birth_year",
        )
    if date_of_birth is not None and date_of_birth.year != year:
        raise ValidationError(
            _("Số CCCD (năm sinh %(year)s) không khớp với ngày sinh %(dob)s.")
            % {"year": year, "dob": date_of_birth.strftime("%d/%m/%Y")},
            code="cccd_birth_mismatch",
        )
    if sex and sex != person_sex:
        raise ValidationError(
            _("Số CCCD không khớp với giới tính đã khai."), code="cccd_sex_mismatch"
        )
    return CccdInfo(number, place, born_abroad, century_start, person_sex, year)


def validate_cccd(value: str) -> None:
    """Django field validator."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        parse_cccd(value)
    except ValidationError as exc:
        raise DjangoValidationError(str(exc.message), code=exc.code) from exc


def cccd_digit_for(year_of_birth: int, sex: str) -> str:
    """The century/sex digit for a birth year and sex (used by seeders and tests)."""
    century_index = (year_of_birth - 1900) // 100
    if not 0 <= century_index <= 4:
        raise ValueError("year out of the CCCD range (1900–2399)")
    return str(century_index * 2 + (1 if sex == "female" else 0))


@dataclass(frozen=True)
class BhytInfo:
    number: str
    social_insurance_number: str
    group_code: str | None
    benefit_level: int | None
    province_code: str | None


def parse_bhyt(value: str) -> BhytInfo:
    number = (value or "").strip().upper().replace(" ", "")
    match = _BHYT_OLD_RE.match(number)
    if match:
        group, level, province, si = match.groups()
        return BhytInfo(number, si, group, int(level), province)
    if _BHYT_NEW_RE.match(number):
        return BhytInfo(number, number, None, None, None)
    raise ValidationError(
        _(
            "Mã số BHYT phải gồm 10 chữ số (thẻ mới) hoặc 15 ký tự: 2 chữ cái, mức hưởng 1–5, "
            "2 số mã tỉnh và 10 số BHXH (thẻ cũ)."
        ),
        code="bhyt_format",
    )


def mask_id_number(value: str | None) -> str:
    """Show only the first three and last three digits: 030******789."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]
