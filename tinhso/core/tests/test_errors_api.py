"""Bad input on the API: always a 4xx with a stable code and a Vietnamese message, nothing written.

A test-only API (``/api/test-errors/``) mounted next to the real one gives a
write endpoint whose service records an audit event and creates a user before
it checks the rest, so a failure must roll both back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import path
from ninja import File, NinjaAPI, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns
from tinhso.api import install_error_handlers
from tinhso.core.audit import audit_record, audit_verify
from tinhso.core.auth import SessionAuth
from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.models import AdministrativeUnit, AuditEvent, User
from tinhso.core.validators import parse_cccd

# -- the test-only API --------------------------------------------------------

test_api = install_error_handlers(NinjaAPI(urls_namespace="test_errors_api", docs_url=None))


class ThingIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    cccd: str
    unit_code: str
    start: dt.date
    end: dt.date | None = None


class ThingOut(Schema):
    id: int


def thing_create(*, actor, name: str, cccd: str, unit_code: str, start, end) -> User:
    """Writes first, checks after: a failed check must leave nothing behind."""
    with transaction.atomic():
        user = User.objects.create(username=name)
        audit_record(actor=actor, action="test.thing_create", obj=user, changes={"cccd": cccd})
        parse_cccd(cccd)
        if not AdministrativeUnit.objects.filter(code=unit_code).exists():
            raise NotFound(
                f"Không tìm thấy đơn vị hành chính có mã {unit_code[:10]}.",
                code="unit_not_found",
            )
        if end is not None and end < start:
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", code="date_range")
    return user


@test_api.post("/things", response={201: ThingOut})
def create_thing(request, payload: ThingIn):
    user = thing_create(actor=None, **payload.dict())
    return Status(201, ThingOut(id=user.pk))


@test_api.get("/things")
def list_things(request, limit: int = 10):
    return {"limit": limit}


@test_api.post("/boom")
def boom(request):
    User.objects.create(username="before-the-crash")
    raise RuntimeError("secret internals /etc/passwd")


@test_api.post("/duplicate")
def duplicate(request):
    User.objects.create(username="same")
    User.objects.create(username="same")


@test_api.post("/session-write", auth=SessionAuth())
def session_write(request):
    return {"ok": True}


@test_api.post("/uploads/file")
def upload(request, file: File[UploadedFile]):
    return {"name": file.name, "size": file.size}


urlpatterns = [path("api/test-errors/", test_api.urls), *project_urlpatterns]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

# -- helpers --------------------------------------------------------------------

VIETNAMESE = re.compile(
    r"[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.IGNORECASE
)
THINGS = "/api/test-errors/things"
VALID = {
    "name": "nguyen-van-an",
    "cccd": "031090012345",
    "unit_code": "",
    "start": "2025-07-01",
}


@pytest.fixture
def unit_code() -> str:
    code = AdministrativeUnit.objects.values_list("code", flat=True).first()
    if code is None:
        pytest.skip("no administrative units loaded")
    return code


@pytest.fixture
def counts():
    def snapshot() -> tuple[int, int]:
        return User.objects.count(), AuditEvent.objects.count()

    before = snapshot()
    yield lambda: snapshot() == before


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert VIETNAMESE.search(error["message"]), error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def post_json(client, url, data, **extra):
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


# -- the endpoint works, so failures below are the input's ---------------------


def test_a_valid_request_writes_the_thing_and_its_audit_event(client, unit_code):
    before = AuditEvent.objects.count()
    response = post_json(client, THINGS, {**VALID, "unit_code": unit_code})
    assert response.status_code == 201, response.content
    assert User.objects.filter(username="nguyen-van-an").exists()
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.request_id == response["X-Request-ID"]
    assert event.changes == {"cccd": "031******345"}


def test_request_id_sent_by_the_proxy_reaches_the_audit_event(client, unit_code):
    response = post_json(
        client, THINGS, {**VALID, "unit_code": unit_code}, HTTP_X_REQUEST_ID="proxy-req-42"
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == "proxy-req-42"
    assert AuditEvent.objects.order_by("-pk").first().request_id == "proxy-req-42"


# -- domain errors: raised after writing, rolled back --------------------------


@pytest.mark.parametrize(
    ("cccd", "code"),
    [("12345", "cccd_format"), ("03109001234X", "cccd_format"), ("999090012345", "cccd_place")],
)
def test_an_invalid_cccd_is_a_400_and_nothing_is_written(client, counts, unit_code, cccd, code):
    response = post_json(client, THINGS, {**VALID, "unit_code": unit_code, "cccd": cccd})
    assert_error(response, 400, code)
    assert counts()
    assert audit_verify().ok


def test_an_unknown_unit_code_is_a_404_and_nothing_is_written(client, counts):
    response = post_json(client, THINGS, {**VALID, "unit_code": "99999"})
    error = assert_error(response, 404, "unit_not_found")
    assert "99999" in error["message"]
    assert counts()


def test_an_end_date_before_the_start_is_a_400_and_nothing_is_written(client, counts, unit_code):
    data = {**VALID, "unit_code": unit_code, "start": "2025-07-10", "end": "2025-07-01"}
    assert_error(post_json(client, THINGS, data), 400, "date_range")
    assert counts()


# -- schema errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_date", ["2025-02-30", "2025-13-01", "2024-00-10", "hôm qua", "30/06/2025"]
)
def test_an_impossible_date_is_invalid_input_naming_the_field(client, counts, bad_date):
    response = post_json(client, THINGS, {**VALID, "unit_code": "x", "start": bad_date})
    error = assert_error(response, 400, "invalid_input")
    fields = {d["loc"][-1]: d for d in error["details"]}
    assert "start" in fields
    assert VIETNAMESE.search(fields["start"]["message"])
    assert counts()


def test_a_missing_field_is_invalid_input(client, counts):
    data = {k: v for k, v in VALID.items() if k != "cccd"}
    error = assert_error(post_json(client, THINGS, data), 400, "invalid_input")
    detail = error["details"][0]
    assert (detail["loc"], detail["type"]) == (["body", "payload", "cccd"], "missing")
    assert error["details"][0]["message"] == "Thiếu trường bắt buộc."
    assert counts()


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_invalid_input(client, counts, body):
    response = client.post(THINGS, data=body, content_type="application/json")
    assert_error(response, 400, "invalid_input")
    assert counts()


def test_a_wrong_query_parameter_type_is_invalid_input(client):
    error = assert_error(client.get(THINGS + "?limit=nhiều"), 400, "invalid_input")
    assert error["details"][0]["loc"] == ["query", "limit"]


# -- malformed bodies ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"{bad", b'{"name": "an",}', b"{'name': 'an'}", b'{"name": "\xff\xfe"}', b"\xef\xbb"],
)
def test_malformed_json_is_a_400_malformed_json(client, counts, body):
    response = client.post(THINGS, data=body, content_type="application/json")
    error = assert_error(response, 400, "malformed_json")
    assert "details" not in error
    assert counts()


def test_an_oversized_body_is_a_413_before_the_view(client, counts, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    data = {**VALID, "name": "x" * 2000}
    error = assert_error(post_json(client, THINGS, data), 413, "payload_too_large")
    assert error["details"]["max_bytes"] == 1000
    assert counts()


def test_an_oversized_upload_is_a_413(client, settings):
    settings.TINHSO_API_MULTIPART_PATHS = ["/api/test-errors/uploads/"]
    settings.TINHSO_MAX_UPLOAD_BYTES = 5000
    big = SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * 10_000, content_type="application/pdf")
    response = client.post("/api/test-errors/uploads/file", {"file": big})
    assert_error(response, 413, "payload_too_large")


# -- content types -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "multipart/form-data; boundary=x",
        "",
    ],
)
def test_a_body_that_is_not_json_is_a_415(client, counts, content_type):
    response = (
        client.post(THINGS, data=json.dumps(VALID), content_type=content_type or None)
        if content_type
        else client.generic("POST", THINGS, data=json.dumps(VALID).encode(), CONTENT_TYPE="")
    )
    error = assert_error(response, 415, "unsupported_media_type")
    assert error["details"]["accepted"] == ["application/json"]
    assert counts()


def test_json_with_a_charset_is_accepted(client, unit_code):
    response = client.post(
        THINGS,
        data=json.dumps({**VALID, "unit_code": unit_code}),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 201


def test_an_empty_post_needs_no_content_type(client):
    # no body, so no type to check: the schema then says what is missing
    response = client.generic("POST", THINGS, data=b"", CONTENT_TYPE="")
    assert_error(response, 400, "invalid_input")


def test_multipart_is_accepted_only_where_an_endpoint_opts_in(client, settings):
    def send():
        upload_file = SimpleUploadedFile(
            "giay-to.txt", "Giấy tờ".encode(), content_type="text/plain"
        )
        return client.post("/api/test-errors/uploads/file", {"file": upload_file})

    settings.TINHSO_API_MULTIPART_PATHS = []
    assert_error(send(), 415, "unsupported_media_type")
    settings.TINHSO_API_MULTIPART_PATHS = ["/api/test-errors/uploads/"]
    response = send()
    assert response.status_code == 200, response.content
    assert response.json() == {"name": "giay-to.txt", "size": len("Giấy tờ".encode())}


# -- routing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/nope", "/api/v1/nope", "/api/test-errors/nope", "/api/v9/me"]
)
def test_an_unknown_api_path_is_a_json_404(client, url):
    assert_error(client.get(url), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "url"), [("delete", THINGS), ("put", THINGS), ("post", "/api/v1/me")]
)
def test_a_wrong_method_is_a_json_405_with_allow(client, method, url):
    response = getattr(client, method)(url, data="{}", content_type="application/json")
    error = assert_error(response, 405, "method_not_allowed")
    assert response["Allow"]
    assert error["details"]["method"] == method.upper()


# -- authentication on a real endpoint -----------------------------------------------------


def test_me_without_credentials_is_a_401(client):
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_me_with_a_bad_token_is_a_401(client):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer tso_not-a-real-token")
    assert_error(response, 401, "not_authenticated")


def test_a_session_write_without_the_csrf_token_is_a_403_csrf_failed():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create(username="canbo-csrf"))
    response = client.post(
        "/api/test-errors/session-write", data="{}", content_type="application/json"
    )
    assert_error(response, 403, "csrf_failed")


def test_real_endpoint_unknown_unit_code_is_a_404_in_vietnamese(client):
    response = client.get("/api/v1/units/99999")
    assert response.status_code == 404
    assert VIETNAMESE.search(response.json()["error"]["message"])


def test_real_endpoint_invalid_cccd_is_a_400_in_vietnamese(client):
    response = post_json(client, "/api/v1/people/validate-cccd", {"id_number": "12AB"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"]
    assert VIETNAMESE.search(error["message"])


# -- the unexpected -----------------------------------------------------------------------


def test_an_unexpected_exception_is_a_json_500_with_the_request_id_and_is_logged(client, caplog):
    before = User.objects.count()
    with caplog.at_level(logging.ERROR, logger="tinhso.api"):
        response = client.post("/api/test-errors/boom", data="{}", content_type="application/json")
    error = assert_error(response, 500, "server_error")
    assert "RuntimeError" not in response.content.decode()
    assert "/etc/passwd" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["request_id"]
    logged = [r for r in caplog.records if r.name == "tinhso.api"]
    assert logged and logged[0].exc_info[0] is RuntimeError
    # ninja runs the view outside a transaction, so the row before the crash is
    # there: services, not views, are where writes belong
    assert User.objects.count() == before + 1


def test_a_unique_clash_is_a_409_conflict(client):
    response = client.post("/api/test-errors/duplicate", data="{}", content_type="application/json")
    assert_error(response, 409, "conflict")


# -- a chunked body without Content-Length (ASGI buffers it) ----------------------------------


def _asgi(method: str, url: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]):
    from asgiref.sync import async_to_sync
    from django.core.handlers.asgi import ASGIHandler

    messages = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict] = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    async_to_sync(ASGIHandler())(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


@pytest.mark.django_db(False)
@pytest.mark.parametrize(
    ("url", "content_type", "json_body"),
    [(THINGS, b"application/json", True), ("/", b"application/x-www-form-urlencoded", False)],
)
def test_a_chunked_body_over_the_limit_is_a_413(settings, url, content_type, json_body):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    chunks = [b"a=" + b"x" * 600, b"x" * 600]
    status, headers, body = _asgi(
        "POST", url, chunks, [(b"content-type", content_type), (b"transfer-encoding", b"chunked")]
    )
    assert status == 413
    assert headers[b"x-request-id"]
    if json_body:
        error = json.loads(body)["error"]
        assert error["code"] == "payload_too_large"
        assert error["details"]["max_bytes"] == 1000  # stopped by the middleware, not later
    else:
        assert "payload_too_large" in body.decode()
        assert VIETNAMESE.search(body.decode())
