"""Bad input on pages: a Vietnamese error page with the right status, never a 500."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns
from tinhso.core.exceptions import NotFound
from tinhso.core.models import User


def crash(request):
    raise RuntimeError("secret internals /etc/passwd")


def forbidden(request):
    raise DjangoPermissionDenied


def tinhso_not_found(request):
    raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")


def form(request):
    if request.method == "POST":
        User.objects.create(username=request.POST.get("username", "x"))
    return HttpResponse("ok")


@csrf_exempt
def upload(request):
    return HttpResponse(str(len(request.FILES)))


urlpatterns = [
    path("test-errors/crash/", crash),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/not-found/", tinhso_not_found),
    path("test-errors/form/", form),
    path("test-errors/upload/", upload),
    *project_urlpatterns,
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

VIETNAMESE = re.compile(
    r"[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.IGNORECASE
)


def assert_page(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert code in html
    assert VIETNAMESE.search(html)
    assert response["X-Request-ID"] in html
    assert "Traceback" not in html
    return html


def test_an_unknown_page_is_a_vietnamese_404(client):
    assert_page(client.get("/khong-co-trang-nay/"), 404, "not_found")


def test_a_tinhso_error_raised_by_a_page_view_is_its_own_page(client):
    html = assert_page(client.get("/test-errors/not-found/"), 404, "dossier_not_found")
    assert "Không tìm thấy hồ sơ." in html


def test_a_forbidden_page_is_a_vietnamese_403(client):
    assert_page(client.get("/test-errors/forbidden/"), 403, "permission_denied")


def test_a_crash_is_a_vietnamese_500_without_internals():
    client = Client(raise_request_exception=False)
    html = assert_page(client.get("/test-errors/crash/"), 500, "server_error")
    assert "/etc/passwd" not in html
    assert "RuntimeError" not in html


def test_a_page_asked_for_json_gets_the_json_error(client):
    response = client.get("/khong-co-trang-nay/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_csrf_failure_is_a_vietnamese_403_and_nothing_is_written():
    client = Client(enforce_csrf_checks=True)
    before = User.objects.count()
    response = client.post("/test-errors/form/", {"username": "an"})
    assert_page(response, 403, "csrf_failed")
    assert User.objects.count() == before


def test_a_form_within_the_limits_goes_through():
    client = Client(enforce_csrf_checks=True)
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/test-errors/form/", {"username": "an", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert User.objects.filter(username="an").exists()


def test_an_oversized_form_is_a_413_page_and_nothing_is_written(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = User.objects.count()
    response = client.post("/test-errors/form/", {"username": "x" * 5000})
    assert_page(response, 413, "payload_too_large")
    assert User.objects.count() == before


def test_a_form_with_too_many_fields_is_a_400_not_a_500(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"f{i}": "1" for i in range(50)}
    assert_page(client.post("/test-errors/form/", data), 400, "too_many_fields")


def test_a_multipart_with_too_many_files_is_a_400(client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"f{i}": SimpleUploadedFile(f"{i}.txt", b"x") for i in range(5)}
    assert_page(client.post("/test-errors/upload/", files), 400, "too_many_fields")


def test_a_broken_multipart_body_is_a_400(client):
    response = client.generic(
        "POST",
        "/test-errors/upload/",
        data=b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end',
        CONTENT_TYPE="multipart/form-data; boundary=",
    )
    assert_page(response, 400, "malformed_body")


def test_an_oversized_upload_is_a_413_page(client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TINHSO_MAX_UPLOAD_BYTES = 2000
    big = SimpleUploadedFile("a.pdf", b"0" * 10_000)
    assert_page(client.post("/test-errors/upload/", {"f": big}), 413, "payload_too_large")


def test_a_disallowed_host_is_a_400_not_a_500(settings):
    settings.ALLOWED_HOSTS = ["tinhso.example.vn"]
    client = Client(raise_request_exception=False)
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert VIETNAMESE.search(response.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        "/%00",
        "/..%2f..%2fetc/passwd",
        "/%ff%fe",
        "/?q=%ff",
        "/static/../../config/settings/base.py",
        "/api/v1/units/%00",
        "/api/v1/units?q=%ff%fe",
        "/" + "a" * 5000,
    ],
)
def test_suspicious_requests_never_500(url):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)


def test_every_response_carries_a_request_id(client):
    for response in (client.get("/"), client.get("/healthz"), client.get("/nope/")):
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


# /healthz, /api/docs, /api/openapi.json


def test_healthz_reports_database_migrations_and_version(client):
    import tinhso

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "version": tinhso.__version__,
        "database": "ok",
        "migrations": "ok",
        "status": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch("tinhso.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response.json()["status"] == "unavailable"


def test_openapi_is_3_1_and_lists_the_api(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/me" in schema["paths"]


def test_api_docs_load_nothing_from_the_internet(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["']((?:https?:)?//[^"']+)""", html)
    assert external == []
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset
