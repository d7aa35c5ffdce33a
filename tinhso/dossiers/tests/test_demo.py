"""The demo dossiers: made through the services, in many statuses, once."""

import pytest

from tinhso.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_base():
    from tinhso.core.demo.seeder import demo_seed
    from tinhso.procedures.demo import load_demo_catalogue

    demo_seed(actor=None, citizens=60)
    load_demo_catalogue(actor=None)


def test_demo_dossiers_cover_the_statuses_and_are_made_once(demo_base):
    from tinhso.dossiers.demo import dossiers_demo_seed

    # when the demo dossiers are seeded
    report = dossiers_demo_seed(actor=None)
    # then there are a few dozen, in several statuses, one waiting for a supplement
    assert report.created >= 30
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {"new", "received", "processing", "processed", "returned", "refused"} <= statuses
    assert (
        Dossier.objects.filter(status="supplement_requested", paused_since__isnull=False).count()
        == 1
    )
    assert Dossier.objects.filter(events__action="receive").exists()
    # and a second run adds nothing
    again = dossiers_demo_seed(actor=None)
    assert again.skipped
    assert Dossier.objects.count() == report.created


def test_demo_dossiers_include_overdue_ones(demo_base):
    from tinhso.core import calendar
    from tinhso.core.workflow import overdue_q
    from tinhso.dossiers.choices import RUNNING_STATUSES
    from tinhso.dossiers.demo import dossiers_demo_seed

    dossiers_demo_seed(actor=None)
    running = Dossier.objects.filter(status__in=RUNNING_STATUSES)
    assert running.filter(overdue_q(now=calendar.now())).exists()
