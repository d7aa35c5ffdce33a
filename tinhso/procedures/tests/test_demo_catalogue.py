"""The demo catalogue: enough real procedures, valid processes, loaded once."""

import re

import pytest

from tinhso.procedures.demo import demo_codes, load_demo_catalogue
from tinhso.procedures.models import Procedure, ProcessTemplate
from tinhso.procedures.services import template_validate

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_has_at_least_60_procedures_with_national_codes():
    report = load_demo_catalogue()
    assert report.created >= 60
    codes = list(Procedure.objects.values_list("national_code", flat=True))
    assert all(re.fullmatch(r"\d\.\d{6}", code) for code in codes)
    assert Procedure.objects.filter(is_demo=False).count() == 0
    assert {"1.001193", "1.000894", "1.000656", "1.004222", "1.001612"} <= set(codes)
    assert {"province", "commune"} == set(Procedure.objects.values_list("level", flat=True))


def test_every_demo_process_fits_its_legal_time():
    load_demo_catalogue()
    templates = ProcessTemplate.objects.select_related("procedure", "case")
    assert templates.count() >= Procedure.objects.count()
    for template in templates:
        template_validate(template)


def test_loading_the_demo_catalogue_twice_changes_nothing():
    load_demo_catalogue()
    before = Procedure.objects.count()
    again = load_demo_catalogue()
    assert again.skipped and Procedure.objects.count() == before == len(demo_codes())


def test_the_demo_hook_reports_the_catalogue():
    from django.apps import apps

    message = apps.get_app_config("procedures").demo_load()
    assert str(len(demo_codes())) in message
    assert "đã có sẵn" in apps.get_app_config("procedures").demo_load()
