"""tinhso seed_dossiers: bulk demo dossiers consistent with the workflow, one audit event."""

import pytest
from django.core.management import call_command

from tinhso.core.management.base import TinhsoCommandError
from tinhso.core.models import AuditEvent
from tinhso.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def test_seed_dossiers_inserts_coded_rows_and_one_audit_event(world):
    call_command("seed_dossiers", "--scale", "500", "--batch", "200", verbosity=0)
    assert Dossier.objects.count() == 500
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(set(codes)) == 500
    assert all(code.split("-")[-1] > "1000" for code in codes)
    assert AuditEvent.objects.filter(action="dossier.bulk_seed").count() == 1
    # a second run takes other days: no clash
    call_command("seed_dossiers", "--scale", "100", verbosity=0)
    assert Dossier.objects.count() == 600


def test_seed_dossiers_refuses_a_bad_scale(world):
    with pytest.raises(TinhsoCommandError) as error:
        call_command("seed_dossiers", "--scale", "abc", verbosity=0)
    assert error.value.code == "invalid_scale"
