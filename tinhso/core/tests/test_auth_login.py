"""The sign-in and sign-out pages: password step, lockout, CSRF, audit."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tinhso.core.models import AuditEvent
from tinhso.core.tests import test_auth_support as support
from tinhso.core.tests.test_auth_support import PASSWORD

pytestmark = pytest.mark.django_db

# Shared fixtures, bound here so pytest finds them in this module.
_fresh_cache = support._fresh_cache
world = support.world

LOGIN = "/dang-nhap/"
LOCK_MESSAGE = "Tài khoản tạm bị khoá do đăng nhập sai nhiều lần"


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_the_urls_have_their_names():
    assert reverse("core:login") == LOGIN
    assert reverse("core:logout") == "/dang-xuat/"
    assert reverse("core:login_otp") == "/dang-nhap/xac-thuc/"
    assert reverse("core:account_security") == "/tai-khoan/bao-mat/"


def test_the_login_form_is_accessible(client):
    response = client.get(LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'aria-describedby="id_username-hint' in html


def test_an_officer_signs_in_with_username_and_password(client, world):
    response = post_login(client, "mot_cua_a", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in_user_id(client) == str(world.desk_a.pk)
    event = AuditEvent.objects.filter(action="user.login").latest("id")
    assert event.actor_id == world.desk_a.pk
    assert event.changes == {"channel": "page", "second_factor": False}


def test_a_citizen_signs_in_on_the_same_form_with_their_id_number(client, world):
    response = post_login(client, "031090000001", PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(world.citizen.pk)


def test_a_safe_next_address_is_followed_and_a_foreign_one_ignored(client, world):
    response = post_login(client, "mot_cua_a", PASSWORD, next="/tra-cuu-ho-so/")
    assert response["Location"] == "/tra-cuu-ho-so/"

    client.logout()
    response = post_login(client, "mot_cua_a", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_a_wrong_password_is_refused_in_vietnamese_and_audited_without_the_password(client, world):
    response = post_login(client, "mot_cua_a", "sai-mat-khau-roi")

    html = response.content.decode()
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    # the error is announced and tied to both inputs
    assert 'role="alert" id="login-error"' in html
    assert re.search(r'id="id_password"[^>]*aria-describedby="[^"]*login-error', html, re.S)
    assert signed_in_user_id(client) is None
    event = AuditEvent.objects.filter(action="user.login_failed").latest("id")
    assert event.changes == {
        "username": "mot_cua_a",
        "reason": "invalid_credentials",
        "channel": "page",
    }
    assert "sai-mat-khau-roi" not in str(event.changes) + event.object_repr


def test_an_empty_form_is_refused_with_field_errors(client, world):
    response = client.post(LOGIN, {"username": "", "password": ""})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Vui lòng nhập tên đăng nhập." in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_username-error"' in html


def test_a_deactivated_account_cannot_sign_in(client, world):
    world.desk_a.is_active = False
    world.desk_a.save()

    response = post_login(client, "mot_cua_a", PASSWORD)

    assert response.status_code == 401
    assert signed_in_user_id(client) is None


def test_repeated_failures_lock_the_account_with_429_and_a_vietnamese_message(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert post_login(client, "mot_cua_a", "sai-mat-khau").status_code == 401

    locked = post_login(client, "mot_cua_a", "sai-mat-khau")
    assert locked.status_code == 429
    assert LOCK_MESSAGE in locked.content.decode()
    assert "account_locked" in locked.content.decode()

    # while locked, even the right password is refused
    again = post_login(client, "mot_cua_a", PASSWORD)
    assert again.status_code == 429
    assert signed_in_user_id(client) is None


def test_the_lockout_is_per_account_and_address(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "mot_cua_a", "sai-mat-khau")

    other_account = post_login(client, "truong_a", PASSWORD)
    assert other_account.status_code == 302
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert post_login(other_address, "mot_cua_a", PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        post_login(client, "mot_cua_a", "sai-mat-khau")
    assert post_login(client, "mot_cua_a", PASSWORD).status_code == 302
    client.post("/dang-xuat/")

    for _ in range(limit - 1):
        assert post_login(client, "mot_cua_a", "sai-mat-khau").status_code == 401
    assert post_login(client, "mot_cua_a", PASSWORD).status_code == 302


def test_the_login_form_enforces_csrf(world):
    browser = Client(enforce_csrf_checks=True)

    refused = post_login(browser, "mot_cua_a", PASSWORD)
    assert refused.status_code == 403
    assert signed_in_user_id(browser) is None

    browser.get(LOGIN)
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = post_login(browser, "mot_cua_a", PASSWORD, csrfmiddlewaretoken=token)
    assert accepted.status_code == 302
    assert signed_in_user_id(browser) == str(world.desk_a.pk)


def test_sign_out_is_post_only_and_audited(client, world):
    client.force_login(world.desk_a)

    assert client.get("/dang-xuat/").status_code == 405
    assert signed_in_user_id(client) == str(world.desk_a.pk)

    response = client.post("/dang-xuat/")
    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="user.logout", actor_id=world.desk_a.pk).exists()


def test_sign_out_enforces_csrf(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.desk_a)

    assert browser.post("/dang-xuat/").status_code == 403
    assert signed_in_user_id(browser) == str(world.desk_a.pk)
