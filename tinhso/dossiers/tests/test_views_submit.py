"""The citizen's submission page: a form from the procedure's components, refusals by the fields."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.dossiers.models import Dossier
from tinhso.dossiers.tests.factories import pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _url(procedure) -> str:
    return f"/nop-ho-so/{procedure.national_code}/"


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


def _form(client, procedure) -> str:
    response = client.get(_url(procedure))
    assert response.status_code == 200
    return response.content.decode()


def test_form_has_one_file_input_per_component_with_types_size_and_required_mark(client, world):
    client.force_login(world.citizen_user)
    html = _form(client, world.procedure)
    declaration = re.search(r'<input type="file" id="file-to-khai"[^>]*>', html).group(0)
    assert 'name="file__to-khai"' in declaration
    assert 'accept=".pdf"' in declaration
    assert 'aria-required="true"' in declaration
    assert 'aria-describedby="file-to-khai-hint"' in declaration
    photo = re.search(r'<input type="file" id="file-anh"[^>]*>', html).group(0)
    assert "aria-required" not in photo
    assert 'accept=".jpg,.jpeg,.png"' in photo
    assert "Định dạng PDF; mỗi tệp tối đa 1 MB" in html
    assert "Định dạng JPG, PNG; mỗi tệp tối đa 1 MB" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert _key(html)


def test_each_rendering_gets_a_new_idempotency_key(client, world):
    client.force_login(world.citizen_user)
    assert _key(_form(client, world.procedure)) != _key(_form(client, world.procedure))


def test_anonymous_visitor_is_sent_to_sign_in_and_an_officer_is_refused(client, world):
    response = client.get(_url(world.procedure))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
    client.force_login(world.desk)
    response = client.get(_url(world.procedure))
    assert response.status_code == 403
    assert "citizens_only" in response.content.decode()


def test_submitting_every_required_component_creates_the_dossier_and_shows_its_code(client, world):
    client.force_login(world.citizen_user)
    key = _key(_form(client, world.procedure))
    response = client.post(
        _url(world.procedure),
        {
            "idempotency_key": key,
            "case": "",
            "unit": "",
            "receiving_organisation": "",
            "phone": "0912345678",
            "email": "",
            "address": "Số 1 Lạch Tray",
            "result_delivery": "online",
            "note": "",
            "file__to-khai": pdf_upload(),
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/ca-nhan/ho-so/{dossier.code}/da-nop/"
    assert dossier.channel == "online" and dossier.applicant == world.citizen
    assert dossier.form_data["address"] == "Số 1 Lạch Tray"
    assert dossier.files.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert dossier.code in page
    assert f"/ca-nhan/ho-so/{dossier.code}/giay-tiep-nhan.pdf" in page


def _post(client, world, key, **extra):
    data = {"idempotency_key": key, "result_delivery": "online"}
    data.update(extra)
    return client.post(_url(world.procedure), data)


def test_a_missing_required_component_is_shown_next_to_its_input_and_nothing_is_created(
    client, world
):
    client.force_login(world.citizen_user)
    key = _key(_form(client, world.procedure))
    response = _post(client, world, key)
    assert response.status_code == 400
    html = response.content.decode()
    declaration = re.search(r'<input type="file" id="file-to-khai"[^>]*>', html).group(0)
    assert 'aria-describedby="file-to-khai-hint file-to-khai-error"' in declaration
    assert 'aria-invalid="true"' in declaration
    assert 'id="file-to-khai-error"' in html
    assert 'href="#file-to-khai"' in html  # the summary links to the input
    assert Dossier.objects.count() == 0
    # the same key is kept, so correcting and sending again still makes one dossier
    assert _key(html) == key


def test_a_file_of_the_wrong_type_is_refused_next_to_its_input(client, world):
    client.force_login(world.citizen_user)
    key = _key(_form(client, world.procedure))
    fake = SimpleUploadedFile("to-khai.pdf", png_bytes(), content_type="application/pdf")
    response = _post(client, world, key, **{"file__to-khai": fake})
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'<p class="field__error" id="file-to-khai-error">([^<]*)</p>', html)
    assert error is not None
    assert "Tệp “to-khai.pdf”" in error.group(1) or "Tên tệp “to-khai.pdf”" in error.group(1)
    assert Dossier.objects.count() == 0


def test_a_file_over_the_components_size_is_refused(client, world):
    client.force_login(world.citizen_user)
    key = _key(_form(client, world.procedure))
    big = pdf_upload()
    big = SimpleUploadedFile("to-khai.pdf", big.read() + b"%" * (1024 * 1024 + 10))
    response = _post(client, world, key, **{"file__to-khai": big})
    assert response.status_code == 413
    assert "quá lớn" in response.content.decode()
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    "forged",
    [{"status": "returned"}, {"applicant_id_number": "031085005678"}, {"file__khac": "x"}],
)
def test_a_forged_field_is_refused_and_nothing_is_created(client, world, forged):
    client.force_login(world.citizen_user)
    key = _key(_form(client, world.procedure))
    data = {"file__to-khai": pdf_upload()}
    if "file__khac" in forged:
        data["file__khac"] = pdf_upload("khac.pdf")
    else:
        data.update(forged)
    response = _post(client, world, key, **data)
    assert response.status_code == 400
    assert "Biểu mẫu có trường không hợp lệ" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_an_empty_optional_file_input_as_a_browser_sends_it_is_accepted(client, world):
    client.force_login(world.citizen_user)
    key = _key(_form(client, world.procedure))
    response = _post(client, world, key, **{"file__to-khai": pdf_upload(), "file__anh": ""})
    assert response.status_code == 302
    assert Dossier.objects.get().files.count() == 1


def test_a_double_submit_with_the_same_key_creates_one_dossier(client, world):
    client.force_login(world.citizen_user)
    key = _key(_form(client, world.procedure))
    first = _post(client, world, key, **{"file__to-khai": pdf_upload()})
    second = _post(client, world, key, **{"file__to-khai": pdf_upload()})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1


def test_a_case_that_is_not_the_procedures_is_refused(client, world):
    client.force_login(world.citizen_user)
    response = client.get(_url(world.procedure), {"case": "khong-co"})
    assert response.status_code == 400
    assert "invalid_case" in response.content.decode()


def test_an_information_only_procedure_has_no_submission_form(client, world):
    client.force_login(world.citizen_user)
    response = client.get(_url(world.info_procedure))
    assert response.status_code == 400
    assert "procedure_not_online" in response.content.decode()


def test_an_unknown_procedure_is_the_404_page(client, world):
    client.force_login(world.citizen_user)
    assert client.get("/nop-ho-so/9.999999/").status_code == 404


def test_a_commune_procedure_needs_a_commune(client, world):
    client.force_login(world.citizen_user)
    url = _url(world.commune_procedure)
    key = _key(client.get(url).content.decode())
    response = client.post(
        url, {"idempotency_key": key, "result_delivery": "online", "file__to-khai": pdf_upload()}
    )
    assert response.status_code == 400
    assert 'id="id_unit-error"' in response.content.decode()
    response = client.post(
        url,
        {
            "idempotency_key": key,
            "result_delivery": "online",
            "unit": world.commune.code,
            "file__to-khai": pdf_upload(),
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.competent_organisation == world.commune_committee
