"""The demo catalogue: enough real procedures, valid processes, loaded once.

The checks of one load share it (``loaded``, once for the class); the demo hook's test
loads the catalogue itself, to see the message of a first load.
"""

import re

import pytest

from tinhso.core.tests.shared_data import outer_transaction
from tinhso.procedures.demo import demo_codes, load_demo_catalogue
from tinhso.procedures.models import Procedure, ProcessTemplate
from tinhso.procedures.services import template_validate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """The demo catalogue loaded once for the class (its tests read it)."""
    with outer_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            report = load_demo_catalogue()
        yield report


class TestTheLoadedCatalogue:
    """One load of the demo catalogue, checked from several sides."""

    def test_it_has_at_least_60_procedures_with_national_codes(self, loaded):
        report = loaded
        assert report.created >= 60
        codes = list(Procedure.objects.values_list("national_code", flat=True))
        assert all(re.fullmatch(r"\d\.\d{6}", code) for code in codes)
        assert Procedure.objects.filter(is_demo=False).count() == 0
        assert {"1.001193", "1.000894", "1.000656", "1.004222", "1.001612"} <= set(codes)
        assert {"province", "commune"} == set(Procedure.objects.values_list("level", flat=True))

    def test_every_demo_process_fits_its_legal_time(self, loaded):
        templates = ProcessTemplate.objects.select_related("procedure", "case")
        assert templates.count() >= Procedure.objects.count()
        for template in templates:
            template_validate(template)

    def test_loading_it_twice_changes_nothing(self, loaded):
        before = Procedure.objects.count()
        again = load_demo_catalogue()
        assert again.skipped and Procedure.objects.count() == before == len(demo_codes())


def test_the_demo_hook_reports_the_catalogue():
    from django.apps import apps

    message = apps.get_app_config("procedures").demo_load()
    assert str(len(demo_codes())) in message
    assert "đã có sẵn" in apps.get_app_config("procedures").demo_load()
