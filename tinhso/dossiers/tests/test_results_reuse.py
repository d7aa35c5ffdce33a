"""A stored result reused as a paper of a later dossier ("Kho giấy tờ")."""

import pytest

from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.models import Dossier, DossierFile
from tinhso.dossiers.results import PaperNotReusable, result_issue
from tinhso.dossiers.services import dossier_submit
from tinhso.dossiers.tests.factories import at, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pki(tmp_path, settings):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _submit(world, key, *, files=None, papers=None, user=None, applicant=None):
    return dossier_submit(
        actor=user or world.citizen_user,
        procedure=world.procedure,
        applicant=applicant or world.citizen,
        channel=Channel.ONLINE,
        unit=world.commune,
        form_data={"address": "Số 1 Lê Lợi"},
        files=files,
        papers=papers,
        idempotency_key=key,
    )


@pytest.fixture
def stored_result(world, clock):
    clock.set(at(2026, 3, 6, 9))
    dossier = _submit(world, "reuse-key-0001", files={"to-khai": [pdf_upload()]})
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.PROCESSED)
    dossier.refresh_from_db()
    return result_issue(actor=world.head, dossier=dossier)


@pytest.fixture
def reusable(world):
    component = world.procedure.components_for(None)[0]
    type(component).objects.filter(pk=component.pk).update(reusable=True)
    return component


def test_a_reusable_component_is_satisfied_by_a_stored_result(
    world, clock, stored_result, reusable
):
    # when the citizen submits a later dossier picking their result instead of uploading
    clock.set(at(2026, 3, 9, 9))
    later = _submit(world, "reuse-key-0002", papers={reusable.code: stored_result.pk})
    # then the paper is the stored signed file, linked without a copy
    rows = list(DossierFile.objects.filter(dossier=later))
    assert [row.stored_file_id for row in rows] == [stored_result.stored_file_id]
    assert rows[0].component_id == reusable.pk


def test_a_component_not_marked_reusable_refuses_a_stored_result(world, clock, stored_result):
    clock.set(at(2026, 3, 9, 9))
    code = world.procedure.components_for(None)[0].code
    with pytest.raises(PaperNotReusable) as caught:
        _submit(world, "reuse-key-0003", papers={code: stored_result.pk})
    assert caught.value.code == "paper_not_reusable"
    assert Dossier.objects.count() == 1


def test_another_citizens_result_cannot_be_used(world, clock, stored_result, reusable):
    clock.set(at(2026, 3, 9, 9))
    with pytest.raises(PaperNotReusable):
        _submit(
            world,
            "reuse-key-0004",
            papers={reusable.code: stored_result.pk},
            user=world.other_citizen_user,
            applicant=world.other_citizen,
        )
    with pytest.raises(PaperNotReusable):
        _submit(world, "reuse-key-0005", papers={reusable.code: "not-a-number"})
    assert Dossier.objects.count() == 1
