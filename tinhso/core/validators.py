"""Validators for Vietnamese identity numbers.

Citizen ID (CCCD, số định danh cá nhân), 12 digits ``PPP G YY NNNNNN``
(Decree 137/2015/NĐ-CP art. 7, Circular 07/2016/TT-BCA, kept by Decree
59/2022/NĐ-CP and the 2023 Law on Identification):

- ``PPP``: where the birth was registered: one of the 63 pre-2025 province
  codes, zero-padded (030 Hải Dương, 031 Hải Phòng), or for a birth registered
  abroad the country's code. Which country codes the Ministry of Public
  Security uses is not in the public texts we could read; ISO 3166-1 numeric is
  assumed, and where it collides with a province code (004 is both Cao Bằng and
  Afghanistan) the province wins (see docs/domain.md, "check");
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

# Names as the pre-reform list writes them, for "what does this number encode".
OLD_PROVINCE_NAMES = dict(
    pair.split(":")
    for pair in (
        "01:Hà Nội;02:Hà Giang;04:Cao Bằng;06:Bắc Kạn;08:Tuyên Quang;10:Lào Cai;11:Điện Biên;"
        "12:Lai Châu;14:Sơn La;15:Yên Bái;17:Hoà Bình;19:Thái Nguyên;20:Lạng Sơn;22:Quảng Ninh;"
        "24:Bắc Giang;25:Phú Thọ;26:Vĩnh Phúc;27:Bắc Ninh;30:Hải Dương;31:Hải Phòng;33:Hưng Yên;"
        "34:Thái Bình;35:Hà Nam;36:Nam Định;37:Ninh Bình;38:Thanh Hóa;40:Nghệ An;42:Hà Tĩnh;"
        "44:Quảng Bình;45:Quảng Trị;46:Thừa Thiên Huế;48:Đà Nẵng;49:Quảng Nam;51:Quảng Ngãi;"
        "52:Bình Định;54:Phú Yên;56:Khánh Hòa;58:Ninh Thuận;60:Bình Thuận;62:Kon Tum;64:Gia Lai;"
        "66:Đắk Lắk;67:Đắk Nông;68:Lâm Đồng;70:Bình Phước;72:Tây Ninh;74:Bình Dương;75:Đồng Nai;"
        "77:Bà Rịa - Vũng Tàu;79:Hồ Chí Minh;80:Long An;82:Tiền Giang;83:Bến Tre;84:Trà Vinh;"
        "86:Vĩnh Long;87:Đồng Tháp;89:An Giang;91:Kiên Giang;92:Cần Thơ;93:Hậu Giang;"
        "94:Sóc Trăng;95:Bạc Liêu;96:Cà Mau"
    ).split(";")
)

# ASCII digits only: ``\d`` would also accept Arabic-Indic or full-width digits.
_CCCD_RE = re.compile(r"[0-9]{12}")
_SEPARATORS_RE = re.compile(r"[\s.\-]+")
_BHYT_OLD_RE = re.compile(r"([A-Z]{2})([1-5])([0-9]{2})([0-9]{10})")
_BHYT_NEW_RE = re.compile(r"[0-9]{10}")


@dataclass(frozen=True)
class CccdInfo:
    number: str
    place_code: str
    born_abroad: bool
    century_start: int
    sex: str  # "male" | "female"
    year_of_birth: int

    @property
    def place_name(self) -> str:
        return cccd_place_name(self.place_code)


def cccd_place_name(place_code: str) -> str:
    """The province (pre-2025 name) or the country a CCCD's first three digits name."""
    if place_code in _PROVINCE_PREFIXES:
        return OLD_PROVINCE_NAMES[place_code[1:]]
    country = iso3166.countries_by_numeric.get(place_code)
    return country.name if country else ""


def normalise_id_number(value: str | None) -> str:
    """Drop the spaces, dots and dashes people type inside a number: "030 095 000123"."""
    return _SEPARATORS_RE.sub("", value or "")


def parse_cccd(
    value: str,
    *,
    date_of_birth: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> CccdInfo:
    """Check a CCCD's structure (and its agreement with a known birth date and sex).

    Raises ``ValidationError`` with one of the codes ``cccd_format`` (not 12
    digits; ``details.reason`` is "length" or "characters"), ``cccd_place``,
    ``cccd_birth_year`` (encodes a future year), ``date_of_birth_future``,
    ``cccd_birth_mismatch``, ``cccd_sex_mismatch``, ``sex_invalid``.
    """
    number = normalise_id_number(value if isinstance(value, str) else "")
    if not _CCCD_RE.fullmatch(number):
        digits_only = number.isascii() and (number.isdigit() or not number)
        reason = "length" if digits_only else "characters"
        message = (
            _("Số CCCD chỉ gồm chữ số (0–9), đúng 12 chữ số.")
            if reason == "characters"
            else _("Số CCCD phải gồm đúng 12 chữ số (đã nhập %(n)s).") % {"n": len(number)}
        )
        raise ValidationError(message, code="cccd_format", details={"reason": reason})
    if sex not in (None, "", "male", "female"):
        raise ValidationError(
            _("Giới tính phải là “male” (nam) hoặc “female” (nữ)."), code="sex_invalid"
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
    today = today or _local_today()
    if year > today.year:
        raise ValidationError(
            _("Số CCCD cho năm sinh %(year)s, là năm trong tương lai.") % {"year": year},
            code="cccd_birth_year",
        )
    if date_of_birth is not None and date_of_birth > today:
        raise ValidationError(
            _("Ngày sinh %(dob)s ở trong tương lai.") % {"dob": date_of_birth.strftime("%d/%m/%Y")},
            code="date_of_birth_future",
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


def _local_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


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
    """Accept a 15-character card code (before April 2021) or a 10-digit number.

    Raises ``ValidationError`` with code ``bhyt_format``.
    """
    number = normalise_id_number(value if isinstance(value, str) else "").upper()
    match = _BHYT_OLD_RE.fullmatch(number)
    if match:
        group, level, province, si = match.groups()
        return BhytInfo(number, si, group, int(level), province)
    if _BHYT_NEW_RE.fullmatch(number):
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
