"""The second sign-in step (TOTP) and the account security page."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from tinhso.core.choices import Role
from tinhso.core.models import AuditEvent
from tinhso.core.tests import test_auth_support as support
from tinhso.core.tests.test_auth_support import PASSWORD, fresh, make_user, otp_code
from tinhso.core.views_auth import PENDING_KEY

pytestmark = pytest.mark.django_db

# Shared fixtures, bound here so pytest finds them in this module.
_fresh_cache = support._fresh_cache
world = support.world

LOGIN = "/dang-nhap/"
OTP = "/dang-nhap/xac-thuc/"
SECURITY = "/tai-khoan/bao-mat/"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def password_step(client, username):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def test_a_role_that_requires_totp_is_not_signed_in_after_the_password(client, world):
    response = password_step(client, "quan_tri")

    assert response.status_code == 302
    assert response["Location"] == OTP
    assert signed_in_user_id(client) is None
    page = client.get(OTP).content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page


def test_a_wrong_code_is_refused_and_the_right_code_signs_in(client, world):
    password_step(client, "quan_tri")

    wrong = client.post(OTP, {"code": "000000"})
    assert wrong.status_code == 401
    assert "Mã xác thực không đúng hoặc đã hết hạn." in wrong.content.decode()
    assert signed_in_user_id(client) is None

    right = client.post(OTP, {"code": otp_code(world.it_admin.totp_secret)})
    assert right.status_code == 302
    assert signed_in_user_id(client) == str(world.it_admin.pk)
    event = AuditEvent.objects.filter(action="user.login").latest("id")
    assert event.changes == {"channel": "page", "second_factor": True}


def test_a_code_that_is_not_six_digits_is_refused_with_a_field_error(client, world):
    password_step(client, "quan_tri")

    response = client.post(OTP, {"code": "12ab"})

    assert response.status_code == 400
    assert "Mã xác thực gồm đúng 6 chữ số." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_code_cannot_be_used_twice(client, world):
    code = otp_code(world.it_admin.totp_secret)
    password_step(client, "quan_tri")
    assert client.post(OTP, {"code": code}).status_code == 302
    client.post("/dang-xuat/")

    password_step(client, "quan_tri")
    replay = client.post(OTP, {"code": code})

    assert replay.status_code == 401
    assert signed_in_user_id(client) is None


def test_failed_codes_count_towards_the_lockout(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    password_step(client, "quan_tri")
    for _ in range(limit - 1):
        assert client.post(OTP, {"code": "000000"}).status_code == 401

    locked = client.post(OTP, {"code": "000000"})

    assert locked.status_code == 429
    assert "Tài khoản tạm bị khoá" in locked.content.decode()
    # the pending step is gone: a right code now leads back to the password
    after = client.post(OTP, {"code": otp_code(world.it_admin.totp_secret)})
    assert after.status_code == 302
    assert after["Location"] == LOGIN
    assert signed_in_user_id(client) is None
    assert password_step(client, "quan_tri").status_code == 429


def test_the_pending_step_expires(client, world):
    password_step(client, "quan_tri")
    session = client.session
    pending = session[PENDING_KEY]
    pending["at"] = time.time() - 3600
    session[PENDING_KEY] = pending
    session.save()

    response = client.post(OTP, {"code": otp_code(world.it_admin.totp_secret)})

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None


def test_the_second_step_cannot_be_reached_without_the_password(client, world):
    response = client.post(OTP, {"code": otp_code(world.it_admin.totp_secret)})

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_a_required_role_without_totp_enrols_at_first_sign_in(client, world):
    admin = make_user("quan_tri_moi", Role.IT_ADMIN, organisation=world.org_province)
    password_step(client, "quan_tri_moi")

    page = client.get(OTP).content.decode()
    assert "<svg" in page  # the QR code, drawn on the server
    secret = client.session[PENDING_KEY]["secret"]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    response = client.post(OTP, {"code": otp_code(secret)})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(admin.pk)
    admin = fresh(admin)
    assert admin.totp_secret == secret
    assert admin.totp_confirmed_at is not None
    assert AuditEvent.objects.filter(action="user.totp_enabled", object_id=str(admin.pk)).exists()


def test_a_citizen_without_totp_signs_in_with_the_password_alone(client, world):
    assert password_step(client, "031090000001")["Location"] != OTP
    assert signed_in_user_id(client) == str(world.citizen.pk)


def test_a_citizen_who_enabled_totp_needs_the_code(client, world):
    user = world.citizen
    user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    user.totp_confirmed_at = timezone.now()
    user.save()

    assert password_step(client, "031090000001")["Location"] == OTP
    assert signed_in_user_id(client) is None


@override_settings(TINHSO_TOTP_REQUIRED_ROLES=["it_admin", "leader"])
def test_the_roles_that_require_totp_are_a_setting(client, world):
    assert password_step(client, "lanh_dao_tinh")["Location"] == OTP


def test_the_security_page_needs_a_signed_in_user(client):
    response = client.get(SECURITY)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_user_enables_totp_on_the_security_page(client, world):
    client.force_login(world.desk_a)
    page = client.get(SECURITY).content.decode()
    assert "<svg" in page
    secret = client.session["tinhso_totp_setup"]

    wrong = client.post(SECURITY, {"code": "000000"})
    assert wrong.status_code == 401
    assert not fresh(world.desk_a).totp_confirmed_at

    right = client.post(SECURITY, {"code": otp_code(secret)})
    assert right.status_code == 302
    desk = fresh(world.desk_a)
    assert desk.totp_secret == secret
    assert desk.totp_confirmed_at is not None


def test_a_user_turns_totp_off_with_a_current_code_unless_their_role_requires_it(client, world):
    desk = world.desk_a
    desk.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    desk.totp_confirmed_at = timezone.now()
    desk.save()
    client.force_login(desk)

    response = client.post(SECURITY, {"code": otp_code(desk.totp_secret)})

    assert response.status_code == 302
    assert not fresh(desk).totp_secret

    client.force_login(world.it_admin)
    refused = client.post(SECURITY, {"code": otp_code(world.it_admin.totp_secret)})
    assert refused.status_code == 400
    assert fresh(world.it_admin).totp_secret == world.it_admin.totp_secret
