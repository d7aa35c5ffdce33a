"""The demo agencies of Hải Phòng and their electronic identifier codes.

Identifier codes follow the structure of Decision 20/2020/QĐ-TTg (mã định danh
điện tử của cơ quan, tổ chức): four dot-separated groups ``NNN.MM.LL.XKK``
read from the right. ``XKK`` is the level-1 code (a letter for the kind of
body, H for provinces and centrally-run cities, then a two-digit number), ``LL``
the level-2 unit under it (a department, for a province), ``MM`` level 3, ``NNN``
level 4; zeros fill the levels a unit does not use. The provincial people's
committee itself is ``000.00.00.XKK``. Procedure codes on the public-service
portals end with that level-1 code (``2.000205.000.00.00.H17`` for Đà Nẵng).

Hải Phòng's level-1 code ``H24`` is inferred, not read from the decision's annex:
the annex numbers provinces alphabetically (Đà Nẵng H17, Lào Cai H38, Thái
Nguyên H55, Thanh Hóa H56 are seen on their portals), which puts Hải Dương at
H23 and Hải Phòng at H24. CHECK against the annex before relying on it.

The level-2 and level-3 numbers below are a DEMO scheme, not the real
assignments: departments get 01–49 in the order listed, other city bodies
50–89, and the 114 commune people's committees (which hang directly under the
city since districts were abolished) use ``LL`` 90–91 with ``MM`` their rank in
code order (``000.01.90.H24`` … ``000.14.91.H24``). Codes hold only digits, dots
and a capital letter, so they are safe in URLs and in dossier codes
``{identifier}-{yyMMdd}-{NNNN}`` (no hyphen inside).
"""

from __future__ import annotations

from dataclasses import dataclass

from tinhso.core.choices import OrganisationKind

# Level-1 codes (Decision 20/2020/QĐ-TTg annex, inferred; see the module doc).
PROVINCE_LEVEL1 = {"31": "H24", "30": "H23"}
DEMO_PROVINCE_CODE = "31"
DEMO_LEVEL1 = PROVINCE_LEVEL1[DEMO_PROVINCE_CODE]

COMMUNE_LL_BASE = 90


def identifier(level1: str, level2: int = 0, level3: int = 0, level4: int = 0) -> str:
    """``identifier("H24", 14)`` → ``"000.00.14.H24"``."""
    if not (0 <= level2 < 100 and 0 <= level3 < 100 and 0 <= level4 < 1000):
        raise ValueError("identifier level out of range")
    return f"{level4:03d}.{level3:02d}.{level2:02d}.{level1}"


def commune_identifier(rank: int, level1: str = DEMO_LEVEL1) -> str:
    """The demo identifier of the commune committee ranked ``rank`` (1-based, code order)."""
    return identifier(level1, COMMUNE_LL_BASE + rank // 100, rank % 100)


@dataclass(frozen=True)
class AgencySpec:
    level2: int
    name: str
    short_name: str
    kind: str
    parent_level2: int | None = 0  # 0: the city people's committee; None: no parent


# The city's own bodies after the 2025 reorganisation of departments (Hải Phòng
# merged several departments in March 2025 and took over Hải Dương's on 1 July).
# DEMO list: names as published in the press; CHECK each against the city's
# decision on its organisation before using it for anything real.
CITY_COMMITTEE = AgencySpec(
    0, "Ủy ban nhân dân thành phố Hải Phòng", "UBND TP", OrganisationKind.PROVINCIAL_COMMITTEE, None
)

DEPARTMENTS: tuple[AgencySpec, ...] = (
    AgencySpec(1, "Văn phòng Ủy ban nhân dân thành phố", "VP UBND", OrganisationKind.DEPARTMENT),
    AgencySpec(2, "Sở Nội vụ", "SNV", OrganisationKind.DEPARTMENT),
    AgencySpec(3, "Sở Tư pháp", "STP", OrganisationKind.DEPARTMENT),
    AgencySpec(4, "Sở Tài chính", "STC", OrganisationKind.DEPARTMENT),
    AgencySpec(5, "Sở Xây dựng", "SXD", OrganisationKind.DEPARTMENT),
    AgencySpec(6, "Sở Nông nghiệp và Môi trường", "SNNMT", OrganisationKind.DEPARTMENT),
    AgencySpec(7, "Sở Công Thương", "SCT", OrganisationKind.DEPARTMENT),
    AgencySpec(8, "Sở Y tế", "SYT", OrganisationKind.DEPARTMENT),
    AgencySpec(9, "Sở Giáo dục và Đào tạo", "SGDĐT", OrganisationKind.DEPARTMENT),
    AgencySpec(10, "Sở Khoa học và Công nghệ", "SKHCN", OrganisationKind.DEPARTMENT),
    AgencySpec(11, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", OrganisationKind.DEPARTMENT),
    AgencySpec(12, "Sở Ngoại vụ", "SNgV", OrganisationKind.DEPARTMENT),
    AgencySpec(13, "Thanh tra thành phố", "TTr", OrganisationKind.DEPARTMENT),
    AgencySpec(14, "Ban Quản lý Khu kinh tế Hải Phòng", "BQL KKT", OrganisationKind.DEPARTMENT),
)

OTHER_BODIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        50,
        "Trung tâm Phục vụ hành chính công thành phố Hải Phòng",
        "TTPVHCC",
        OrganisationKind.PUBLIC_SERVICE_CENTRE,
    ),
    AgencySpec(
        60,
        "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp thành phố",
        "BQLDA DD&CN",
        OrganisationKind.PROJECT_BOARD,
    ),
    AgencySpec(
        61,
        "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông thành phố",
        "BQLDA GT",
        OrganisationKind.PROJECT_BOARD,
    ),
    AgencySpec(
        62,
        "Ban Quản lý dự án đầu tư xây dựng các công trình nông nghiệp và phát triển nông thôn thành phố",
        "BQLDA NN",
        OrganisationKind.PROJECT_BOARD,
    ),
    AgencySpec(70, "Công an thành phố Hải Phòng", "CATP", OrganisationKind.OTHER),
    AgencySpec(71, "Bảo hiểm xã hội thành phố Hải Phòng", "BHXH", OrganisationKind.OTHER),
    AgencySpec(72, "Thuế thành phố Hải Phòng", "Thuế TP", OrganisationKind.OTHER),
)

CITY_AGENCIES: tuple[AgencySpec, ...] = (CITY_COMMITTEE, *DEPARTMENTS, *OTHER_BODIES)

# Dates: the merged city and its communes exist from the reform day.
VALID_FROM_ISO = "2025-07-01"

# Who the demo accounts work for (identifier codes).
CENTRE_CODE = identifier(DEMO_LEVEL1, 50)
JUSTICE_CODE = identifier(DEMO_LEVEL1, 3)
CITY_COMMITTEE_CODE = identifier(DEMO_LEVEL1)
IT_CENTRE_CODE = identifier(DEMO_LEVEL1, 10)  # the IT centre sits under Khoa học và Công nghệ
CIVIL_BOARD_CODE = identifier(DEMO_LEVEL1, 60)  # the city's civil-works project board
