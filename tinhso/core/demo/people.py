"""Deterministic generator of DEMO citizens: Vietnamese names and valid CCCDs.

Used by the demo seeder (a few hundred people) and by ``tinhso seed --scale N``
(millions, for benchmarks), so it is written for speed: plain tuples, choices
drawn in batches, no model instances.

CCCD numbers are unique by construction, not by checking: a number is
``PPP G YY`` (the bucket: place, century/sex, year) followed by six digits
``(k * STEP + offset(bucket)) mod 10**6`` where ``k`` counts the numbers already
drawn in that bucket. ``STEP`` is prime to 10**6, so the six digits run through
a permutation of 000000–999999 and never repeat within a bucket. A run that
starts from the counts already in the database (``bucket_counts``) therefore
never collides with an earlier run of this generator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

from tinhso.core.validators import cccd_digit_for

# Family names with rough shares in northern Vietnam (Nguyễn is about 38% nationally).
FAMILY_NAMES = (
    ("Nguyễn", 34), ("Trần", 10), ("Lê", 8), ("Phạm", 8), ("Vũ", 5), ("Hoàng", 4),
    ("Đỗ", 4), ("Bùi", 4), ("Đặng", 3), ("Ngô", 2), ("Phan", 2), ("Đinh", 2),
    ("Dương", 2), ("Lương", 1), ("Mạc", 1), ("Đào", 2), ("Tạ", 1), ("Trịnh", 1),
    ("Phùng", 1), ("Lưu", 1), ("Hà", 1), ("Tô", 1), ("Cao", 1), ("Chu", 1),
)  # fmt: skip
MIDDLE_NAMES = {
    "male": ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Công", "Tiến", "Mạnh", "Anh", "Ngọc", "Trọng", "Đình"),
    "female": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Thùy", "Mai", "Kim", "Bích", "Diệu"),
}  # fmt: skip
GIVEN_NAMES = {
    "male": ("Anh", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Kiên", "Long", "Lâm", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh"),
    "female": ("Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền", "Hương", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Yến"),
}  # fmt: skip
# Where births were registered (pre-2025 province codes, zero-padded): the demo
# city is post-merger Hải Phòng, so most people are from Hải Dương (030) or old
# Hải Phòng (031), the rest from neighbours and the big cities.
PLACE_CODES = (
    ("030", 55), ("031", 25), ("001", 4), ("022", 3), ("033", 3), ("034", 3),
    ("036", 2), ("027", 2), ("079", 2), ("038", 1),
)  # fmt: skip
MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "088", "091", "094", "070", "076", "077", "078", "079", "089", "090", "093", "081", "082", "083", "084", "085")  # fmt: skip

FIRST_YEAR, LAST_YEAR = 1940, 2007  # adults who hold a CCCD and file dossiers
STEP = 7_919  # prime to 10**6: k → k*STEP mod 10**6 is a permutation
SERIALS = 1_000_000
COLUMNS = ("id_number", "full_name", "date_of_birth", "sex", "phone", "email")


@dataclass(frozen=True)
class Person:
    id_number: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    email: str = ""

    def as_row(self) -> tuple:
        return (
            self.id_number,
            self.full_name,
            self.date_of_birth,
            self.sex,
            self.phone,
            self.email,
        )


def _offset(bucket: str) -> int:
    return int.from_bytes(hashlib.blake2b(bucket.encode(), digest_size=4).digest(), "big") % SERIALS


class PeopleGenerator:
    """Draws people one batch at a time; the same seed gives the same people."""

    def __init__(self, *, seed: int = 2025, bucket_counts: dict[str, int] | None = None):
        self.rng = random.Random(seed)
        self.counts: dict[str, int] = dict(bucket_counts or {})
        self._offsets: dict[str, int] = {}
        self._family = [name for name, _ in FAMILY_NAMES]
        self._family_w = [w for _, w in FAMILY_NAMES]
        self._places = [code for code, _ in PLACE_CODES]
        self._places_w = [w for _, w in PLACE_CODES]
        self._years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        # Prebuilt century/sex digits and two-digit years per (year, sex).
        self._g = {
            (year, sex): cccd_digit_for(year, sex) + f"{year % 100:02d}"
            for year in self._years
            for sex in ("male", "female")
        }

    def _serial(self, bucket: str) -> str:
        k = self.counts.get(bucket, 0)
        if k >= SERIALS:
            raise OverflowError(f"CCCD bucket {bucket} is full")
        self.counts[bucket] = k + 1
        offset = self._offsets.get(bucket)
        if offset is None:
            offset = self._offsets[bucket] = _offset(bucket)
        return f"{(k * STEP + offset) % SERIALS:06d}"

    def rows(self, size: int) -> list[tuple]:
        """``size`` rows as tuples in ``COLUMNS`` order (the fast path for bulk writes)."""
        rng = self.rng
        choices = rng.choices
        family = choices(self._family, self._family_w, k=size)
        places = choices(self._places, self._places_w, k=size)
        years = choices(self._years, k=size)
        sexes = choices(("male", "female"), k=size)
        middles = choices(range(len(MIDDLE_NAMES["male"])), k=size)
        givens = choices(range(len(GIVEN_NAMES["male"]) * len(GIVEN_NAMES["female"])), k=size)
        months = choices(range(1, 13), k=size)
        # Day 1–28 keeps every month valid without a calendar lookup.
        days = choices(range(1, 29), k=size)
        prefixes = choices(MOBILE_PREFIXES, k=size)
        digits = choices(range(10_000_000), k=size)
        serial = self._serial
        g = self._g
        date = dt.date
        out = []
        append = out.append
        for i in range(size):
            sex = sexes[i]
            year = years[i]
            bucket = places[i] + g[(year, sex)]
            given_names = GIVEN_NAMES[sex]
            append(
                (
                    bucket + serial(bucket),
                    f"{family[i]} {MIDDLE_NAMES[sex][middles[i]]} "
                    f"{given_names[givens[i] % len(given_names)]}",
                    date(year, months[i], days[i]),
                    sex,
                    f"{prefixes[i]}{digits[i]:07d}",
                    "",
                )
            )
        return out

    def batch(self, size: int) -> list[Person]:
        return [Person(*row) for row in self.rows(size)]

    def row_batches(self, total: int, batch_size: int = 10_000) -> Iterator[list[tuple]]:
        left = total
        while left > 0:
            size = min(batch_size, left)
            yield self.rows(size)
            left -= size


def bucket_of(id_number: str) -> str:
    """The generator's bucket of a number: place, century/sex digit and year."""
    return id_number[:6]
