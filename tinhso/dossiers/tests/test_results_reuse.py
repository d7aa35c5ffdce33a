"""A stored result reused as a paper of a later dossier ("Kho giấy tờ")."""

import json

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


# --- the submission page and the API --------------------------------------------------


def _page_key(html: str) -> str:
    import re

    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


def _page_post(client, world, **extra):
    from django.core.cache import cache

    cache.clear()
    url = f"/nop-ho-so/{world.procedure.national_code}/"
    key = _page_key(client.get(url).content.decode())
    data = {"idempotency_key": key, "result_delivery": "online"}
    data.update(extra)
    return client.post(url, data)


def test_the_form_offers_the_citizens_results_for_a_reusable_component_only(
    client, world, clock, stored_result, reusable
):
    client.force_login(world.citizen_user)
    html = client.get(f"/nop-ho-so/{world.procedure.national_code}/").content.decode()
    assert f'name="paper__{reusable.code}"' in html
    assert f'<option value="{stored_result.pk}">' in html
    assert stored_result.dossier.code in html
    assert 'name="paper__anh"' not in html  # the photo is not reusable
    # another citizen has no results: no picker
    client.force_login(world.other_citizen_user)
    html = client.get(f"/nop-ho-so/{world.procedure.national_code}/").content.decode()
    assert "paper__" not in html


def test_picking_a_stored_result_on_the_page_submits_without_an_upload(
    client, world, clock, stored_result, reusable
):
    clock.set(at(2026, 3, 9, 9))
    client.force_login(world.citizen_user)
    response = _page_post(client, world, **{f"paper__{reusable.code}": str(stored_result.pk)})
    assert response.status_code == 302
    later = Dossier.objects.exclude(pk=stored_result.dossier_id).get()
    rows = list(DossierFile.objects.filter(dossier=later))
    assert [row.stored_file_id for row in rows] == [stored_result.stored_file_id]


def test_a_paper_of_someone_else_or_for_another_component_is_refused_on_the_page(
    client, world, clock, stored_result, reusable
):
    from tinhso.core.models import StoredFile

    clock.set(at(2026, 3, 9, 9))
    files_before = StoredFile.objects.count()
    # the other citizen picks the first citizen's result by its number
    client.force_login(world.other_citizen_user)
    response = _page_post(client, world, **{f"paper__{reusable.code}": str(stored_result.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không tìm thấy giấy tờ đã chọn trong kho giấy tờ của người nộp." in html
    assert 'id="file-to-khai-error"' in html
    # the owner picks it for the photo, which is not reusable
    client.force_login(world.citizen_user)
    response = _page_post(
        client,
        world,
        **{f"paper__{reusable.code}": str(stored_result.pk), "paper__anh": str(stored_result.pk)},
    )
    assert response.status_code == 400
    assert "không dùng lại được từ kho giấy tờ" in response.content.decode()
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 1
    assert StoredFile.objects.count() == files_before


def test_the_api_lists_the_citizens_papers_and_submits_with_one(
    world, api, clock, stored_result, reusable
):
    clock.set(at(2026, 3, 9, 9))
    mine = api.get(world.citizen_user, "/results/mine")
    assert mine.status_code == 200
    assert [row["id"] for row in mine.json()] == [stored_result.pk]
    assert api.get(world.other_citizen_user, "/results/mine").json() == []
    assert api.get(world.head, "/results/mine").status_code == 403
    response = api.submit(
        world.citizen_user,
        {
            "procedure": world.procedure.national_code,
            "unit": world.commune.code,
            "papers": json.dumps({reusable.code: stored_result.pk}),
        },
        key="papers-api-0001",
    )
    assert response.status_code == 201, response.content
    later = Dossier.objects.get(code=response.json()["code"])
    assert [f.stored_file_id for f in DossierFile.objects.filter(dossier=later)] == [
        stored_result.stored_file_id
    ]


def test_the_api_refuses_a_paper_not_theirs_or_not_reusable_and_bad_json(
    world, api, clock, stored_result, reusable
):
    clock.set(at(2026, 3, 9, 9))
    base = {"procedure": world.procedure.national_code, "unit": world.commune.code}
    cases = [
        (
            world.other_citizen_user,
            json.dumps({reusable.code: stored_result.pk}),
            "paper_not_reusable",
        ),
        (world.citizen_user, json.dumps({"anh": stored_result.pk}), "paper_not_reusable"),
        (world.citizen_user, json.dumps({reusable.code: "x"}), "invalid_papers"),
        (world.citizen_user, "[1, 2]", "invalid_papers"),
        (world.citizen_user, "{not json", "invalid_papers"),
    ]
    for n, (user, papers, code) in enumerate(cases):
        response = api.submit(user, {**base, "papers": papers}, key=f"papers-api-bad-{n}")
        assert response.status_code == 400, (papers, response.content)
        assert response.json()["error"]["code"] == code
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 1
