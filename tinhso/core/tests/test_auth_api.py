"""API sign-in: token issue, use, expiry, revocation, lockout, TOTP, CSRF on session writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tinhso.core.auth import token_hash
from tinhso.core.models import ApiToken, AuditEvent
from tinhso.core.services.users import api_token_issue
from tinhso.core.tests import test_auth_support as support
from tinhso.core.tests.test_auth_support import PASSWORD, otp_code

pytestmark = pytest.mark.django_db

# Shared fixtures, bound here so pytest finds them in this module.
_fresh_cache = support._fresh_cache
world = support.world

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"


def ask_token(client, username, password=PASSWORD, **extra):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def error_of(response):
    return response.json()["error"]


def test_a_token_is_issued_for_the_right_password_and_shown_once(client, world):
    response = ask_token(client, "mot_cua_a", name="máy tính bàn")

    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("tso_")
    assert body["name"] == "máy tính bàn"
    stored = ApiToken.objects.get(user=world.desk_a)
    assert stored.key_hash == token_hash(body["token"])
    # only the hash is kept: the key appears in no column
    assert body["token"] not in {stored.prefix, stored.key_hash, stored.name}
    assert stored.expires_at > timezone.now() + timedelta(days=settings.TINHSO_API_TOKEN_DAYS - 1)
    assert AuditEvent.objects.filter(action="user.login", actor_id=world.desk_a.pk).exists()


def test_the_token_authenticates_api_calls(client, world):
    key = ask_token(client, "mot_cua_a").json()["token"]

    response = client.get(ME_URL, **bearer(key))

    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "mot_cua_a"
    assert me["role"] == "desk_officer"
    assert me["organisation"]["id"] == world.org_a.pk
    assert me["authenticated_by"] == "token"


def test_a_wrong_password_gets_401_invalid_credentials_in_vietnamese(client, world):
    response = ask_token(client, "mot_cua_a", "sai-mat-khau")

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_credentials"
    assert error_of(response)["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    event = AuditEvent.objects.filter(action="user.login_failed").latest("id")
    assert event.changes["channel"] == "api"
    assert "sai-mat-khau" not in str(event.changes)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client, world):
    response = ask_token(client, "khong_ton_tai", "sai-mat-khau")

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_credentials"


def test_repeated_failures_lock_the_account_with_429(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask_token(client, "mot_cua_a", "sai-mat-khau").status_code == 401

    locked = ask_token(client, "mot_cua_a", "sai-mat-khau")
    assert locked.status_code == 429
    assert error_of(locked)["code"] == "account_locked"
    assert "Tài khoản tạm bị khoá" in error_of(locked)["message"]

    assert ask_token(client, "mot_cua_a").status_code == 429


def test_the_page_and_the_api_share_one_failure_count(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/dang-nhap/", {"username": "mot_cua_a", "password": "sai"})

    assert ask_token(client, "mot_cua_a", "sai-mat-khau").status_code == 429


def test_a_token_issue_resets_the_failure_count(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        ask_token(client, "mot_cua_a", "sai-mat-khau")
    assert ask_token(client, "mot_cua_a").status_code == 201

    for _ in range(limit - 1):
        assert ask_token(client, "mot_cua_a", "sai-mat-khau").status_code == 401


def test_totp_is_required_for_the_roles_that_need_it(client, world):
    secret = world.it_admin.totp_secret

    missing = ask_token(client, "quan_tri")
    assert missing.status_code == 401
    assert error_of(missing)["code"] == "otp_required"

    wrong = ask_token(client, "quan_tri", otp="000000")
    assert wrong.status_code == 401
    assert error_of(wrong)["code"] == "otp_invalid"

    right = ask_token(client, "quan_tri", otp=otp_code(secret))
    assert right.status_code == 201


def test_wrong_codes_lock_the_api_too(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask_token(client, "quan_tri", otp="000000").status_code == 401

    locked = ask_token(client, "quan_tri", otp="000000")

    assert locked.status_code == 429
    assert error_of(locked)["code"] == "account_locked"


def test_an_expired_token_is_refused(client, world):
    token, key = api_token_issue(actor=world.desk_a, user=world.desk_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(ME_URL, **bearer(key))

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_a_token_of_a_deactivated_account_is_refused(client, world):
    _, key = api_token_issue(actor=world.desk_a, user=world.desk_a)
    world.desk_a.is_active = False
    world.desk_a.save()

    assert client.get(ME_URL, **bearer(key)).status_code == 401


def test_delete_revokes_the_presenting_token_only(client, world):
    _, key = api_token_issue(actor=world.desk_a, user=world.desk_a)
    _, other_key = api_token_issue(actor=world.desk_a, user=world.desk_a)

    response = client.delete(TOKEN_URL, **bearer(key))

    assert response.status_code == 204
    assert client.get(ME_URL, **bearer(key)).status_code == 401
    assert client.get(ME_URL, **bearer(other_key)).status_code == 200
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_without_credentials_the_api_answers_401_not_authenticated(client, world):
    for response in (
        client.get(ME_URL),
        client.get(ME_URL, **bearer("tso_not-a-real-token")),
        client.get(ME_URL, HTTP_AUTHORIZATION="Basic Zm9vOmJhcg=="),
        Client(enforce_csrf_checks=True).delete(TOKEN_URL),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "not_authenticated"


def test_the_page_session_authenticates_api_reads_without_csrf(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.head_a)

    response = browser.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["authenticated_by"] == "session"


def test_session_authenticated_api_writes_need_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.head_a)

    refused = browser.delete(TOKEN_URL)
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "csrf_failed"

    browser.get("/tai-khoan/bao-mat/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value
    passed = browser.delete(TOKEN_URL, HTTP_X_CSRFTOKEN=csrf)
    # past authentication: the session carries no token to revoke
    assert passed.status_code == 400
    assert error_of(passed)["code"] == "no_token"


def test_bearer_token_writes_need_no_csrf(world):
    _, key = api_token_issue(actor=world.head_a, user=world.head_a)
    script = Client(enforce_csrf_checks=True)

    assert script.delete(TOKEN_URL, **bearer(key)).status_code == 204


def test_bad_bodies_are_400_not_500(client, world):
    malformed = client.post(TOKEN_URL, "{not json", content_type="application/json")
    assert malformed.status_code == 400

    missing = client.post(TOKEN_URL, {"username": "mot_cua_a"}, content_type="application/json")
    assert missing.status_code == 400
    assert error_of(missing)["code"] == "invalid_input"

    too_long = ask_token(client, "x" * 500)
    assert too_long.status_code == 400
