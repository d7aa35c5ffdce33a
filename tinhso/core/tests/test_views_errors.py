"""Error pages: Vietnamese, with the error code and request id, safe with the database down."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.test import RequestFactory

from tinhso.core import views
from tinhso.core.models import User

pytestmark = pytest.mark.django_db


def test_unknown_page_is_the_vietnamese_404_page_with_code_and_request_id(client):
    response = client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="req-404-test")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Không tìm thấy trang bạn yêu cầu." in html
    assert "<code>not_found</code>" in html
    assert "<code>req-404-test</code>" in html
    # the full layout, not the bare fallback page
    assert "Bỏ qua, đến nội dung chính" in html
    assert 'href="/"' in html


def test_unknown_api_path_is_json_with_code_and_request_id(client):
    response = client.get("/api/khong-co/", HTTP_X_REQUEST_ID="req-api-404")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert body["error"]["request_id"] == "req-api-404"
    assert body["error"]["message"]


@pytest.mark.parametrize(
    ("handler", "status", "code"),
    [
        (views.error_400, 400, "bad_request"),
        (views.error_403, 403, "permission_denied"),
        (views.error_404, 404, "not_found"),
    ],
)
def test_error_handlers_render_the_page_with_their_code(handler, status, code):
    request = RequestFactory().get("/x/")
    request.request_id = "req-handler"
    request.user = AnonymousUser()
    response = handler(request, Exception())
    assert response.status_code == status
    html = response.content.decode()
    assert f"<code>{code}</code>" in html
    assert "<code>req-handler</code>" in html
    assert "Bỏ qua, đến nội dung chính" in html


def test_error_500_page_is_vietnamese():
    request = RequestFactory().get("/x/")
    request.request_id = "req-500"
    response = views.error_500(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Hệ thống gặp sự cố khi xử lý yêu cầu." in html
    assert "<code>server_error</code>" in html
    assert "Về trang chủ" in html


def test_error_page_makes_no_database_query_even_for_a_signed_in_user(
    client, django_assert_num_queries
):
    user = User.objects.create_user(username="u1", password="x", full_name="Lê Văn C")
    client.force_login(user)
    with django_assert_num_queries(0):
        response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Lê Văn C" not in response.content.decode()


def test_error_page_renders_in_full_while_the_database_is_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", refuse
    )
    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    request = RequestFactory().get("/x/")
    request.request_id = "req-db-down"
    response = views.error_500(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Bỏ qua, đến nội dung chính" in html  # the layout, not the bare fallback
    assert "Tỉnh số · Thành phố Hải Phòng" in html
    assert "<code>req-db-down</code>" in html
