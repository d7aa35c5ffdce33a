"""The provincial report names its authority from the platform's configuration."""

import datetime as dt

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tinhso.core.context_processors import forget_province_name
from tinhso.investment import excel
from tinhso.investment.tests.factories import BN, make_line, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_province_name():
    forget_province_name()
    yield
    forget_province_name()


def heading(user) -> str:
    output = excel.report_workbook(user, year=2025, as_of=dt.date(2025, 12, 31))
    sheet = load_workbook(output, read_only=True).worksheets[0]
    return next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))[0]


def test_the_heading_names_the_city_after_the_reform(world):
    make_line(world, make_project(world, code="HD-1"), 10 * BN)
    assert heading(world.leader) == "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"
    # Vietnamese whatever the page's language.
    with translation.override("en"):
        assert heading(world.leader) == "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"


def test_the_heading_follows_the_configured_province(world, settings):
    settings.TINHSO_PROVINCE_CODE = "37"
    assert heading(world.leader) == "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH"


def test_without_the_unit_the_configured_name_is_used(world, settings):
    settings.TINHSO_PROVINCE_CODE = "99"
    settings.TINHSO_PROVINCE_NAME = "Tỉnh Hải Dương"
    assert heading(world.leader) == "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG"
