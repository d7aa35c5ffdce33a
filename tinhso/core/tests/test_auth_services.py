"""Account services: creation rules, passwords, deactivation, second factor, audit hygiene."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

from tinhso.core.auth import OtpInvalid
from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.models import ApiToken, AuditEvent, Citizen
from tinhso.core.services.users import (
    api_token_issue,
    api_token_revoke,
    totp_disable,
    totp_enable,
    user_create,
    user_deactivate,
    user_set_password,
)
from tinhso.core.tests import test_auth_support as support
from tinhso.core.tests.test_auth_support import PASSWORD, fresh, otp_code

pytestmark = pytest.mark.django_db

# Shared fixtures, bound here so pytest finds them in this module.
_fresh_cache = support._fresh_cache
world = support.world

NEW_PASSWORD = "Banh-chung-ngay-Tet-2026"


def test_passwords_are_hashed_with_argon2_outside_the_test_settings():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password(PASSWORD)
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password(PASSWORD, encoded)


def test_production_settings_keep_the_argon2_hasher(tmp_path):
    # A fresh interpreter: the production module reads the environment at import.
    import os
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings.production as p; print(p.PASSWORD_HASHERS[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "SECRET_KEY": "only-for-this-test",
            "TINHSO_VAR_DIR": str(tmp_path),
            "TINHSO_PAYMENT_GATEWAY": "vnpay",
            "TINHSO_PUBLIC_URL": "https://dichvucong.example.gov.vn",
        },
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_weak_password_is_refused_with_the_reasons_in_vietnamese(world):
    with pytest.raises(ValidationError) as refused:
        user_create(
            actor=world.it_admin,
            username="can_bo_moi",
            password="12345678",
            role=Role.SPECIALIST,
            organisation=world.org_a,
        )

    assert refused.value.code == "weak_password"
    assert refused.value.status == 400
    assert str(refused.value.message).startswith("Mật khẩu chưa đủ mạnh")
    reasons = refused.value.details["reasons"]
    assert len(reasons) >= 2  # too short, too common, entirely numeric
    assert any("Mật khẩu" in reason or "mật khẩu" in reason for reason in reasons)


def test_a_password_like_the_username_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        user_create(
            actor=None,
            username="nguyenvanbinh2025",
            password="nguyenvanbinh2025",
            role=Role.SPECIALIST,
            organisation=world.org_a,
        )
    assert refused.value.code == "weak_password"


def test_an_official_role_needs_an_organisation(world):
    with pytest.raises(ValidationError) as refused:
        user_create(actor=None, username="khong_co_quan", password=PASSWORD, role=Role.HEAD)
    assert refused.value.code == "organisation_required"


def test_a_citizen_account_needs_a_citizen_not_yet_linked(world):
    with pytest.raises(ValidationError) as missing:
        user_create(actor=None, username="cong_dan", password=PASSWORD, role=Role.CITIZEN)
    assert missing.value.code == "citizen_required"

    with pytest.raises(ValidationError) as taken:
        user_create(
            actor=None,
            username="cong_dan_2",
            password=PASSWORD,
            role=Role.CITIZEN,
            citizen=world.citizen_row,
        )
    assert taken.value.code == "citizen_taken"


def test_a_username_is_unique_regardless_of_case_and_must_be_well_formed(world):
    with pytest.raises(ValidationError) as taken:
        user_create(
            actor=None,
            username="MOT_CUA_A",
            password=PASSWORD,
            role=Role.DESK_OFFICER,
            organisation=world.org_a,
        )
    assert taken.value.code == "username_taken"

    with pytest.raises(ValidationError) as malformed:
        user_create(
            actor=None,
            username="có dấu cách",
            password=PASSWORD,
            role=Role.DESK_OFFICER,
            organisation=world.org_a,
        )
    assert malformed.value.code == "invalid_username"


def test_an_unknown_role_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        user_create(
            actor=None, username="x_y", password=PASSWORD, role="god", organisation=world.org_a
        )
    assert refused.value.code == "invalid_role"


def test_only_an_it_administrator_creates_accounts_and_it_is_audited(world):
    with pytest.raises(PermissionDenied):
        user_create(
            actor=world.province_leader,
            username="nguoi_moi",
            password=PASSWORD,
            role=Role.SPECIALIST,
            organisation=world.org_a,
        )

    user = user_create(
        actor=world.it_admin,
        username="nguoi_moi",
        password=PASSWORD,
        role=Role.SPECIALIST,
        organisation=world.org_a,
        units=[world.commune_a],
    )

    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD
    assert set(user.units.all()) == {world.commune_a}
    event = AuditEvent.objects.get(action="user.created", object_id=str(user.pk))
    assert event.actor_id == world.it_admin.pk
    assert event.changes["role"] == "specialist"


def test_a_user_changes_their_own_password_and_their_tokens_are_revoked(world):
    token, _ = api_token_issue(actor=world.desk_a, user=world.desk_a)

    user_set_password(actor=world.desk_a, user=world.desk_a, password=NEW_PASSWORD)

    assert fresh(world.desk_a).check_password(NEW_PASSWORD)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="user.password_changed").exists()


def test_nobody_else_but_an_it_administrator_sets_a_password(world):
    with pytest.raises(NotFound):
        user_set_password(actor=world.head_a, user=world.desk_a, password=NEW_PASSWORD)

    user_set_password(actor=world.it_admin, user=world.desk_a, password=NEW_PASSWORD)
    assert fresh(world.desk_a).check_password(NEW_PASSWORD)


def test_a_new_password_is_validated_too(world):
    with pytest.raises(ValidationError) as refused:
        user_set_password(actor=world.desk_a, user=world.desk_a, password="password")
    assert refused.value.code == "weak_password"
    assert fresh(world.desk_a).check_password(PASSWORD)


def test_an_it_administrator_deactivates_an_account_but_not_their_own(world):
    token, _ = api_token_issue(actor=world.desk_a, user=world.desk_a)

    with pytest.raises(PermissionDenied):
        user_deactivate(actor=world.head_a, user=world.desk_a)
    with pytest.raises(ValidationError) as own:
        user_deactivate(actor=world.it_admin, user=world.it_admin)
    assert own.value.code == "cannot_deactivate_self"

    user_deactivate(actor=world.it_admin, user=world.desk_a)

    assert not fresh(world.desk_a).is_active
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="user.deactivated").exists()


def test_totp_is_enabled_only_with_a_right_code(world):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

    with pytest.raises(OtpInvalid) as wrong:
        totp_enable(actor=world.desk_a, user=world.desk_a, secret=secret, code="000000")
    assert wrong.value.code == "otp_invalid"
    assert not fresh(world.desk_a).totp_secret

    totp_enable(actor=world.desk_a, user=world.desk_a, secret=secret, code=otp_code(secret))
    assert fresh(world.desk_a).totp_confirmed_at is not None
    assert AuditEvent.objects.filter(action="user.totp_enabled").exists()


def test_someone_else_cannot_enrol_a_users_phone(world):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with pytest.raises(PermissionDenied):
        totp_enable(actor=world.it_admin, user=world.desk_a, secret=secret, code=otp_code(secret))


def test_a_mandatory_second_factor_is_reset_only_by_an_it_administrator(world):
    admin = world.it_admin
    with pytest.raises(ValidationError) as refused:
        totp_disable(actor=admin, user=admin, code=otp_code(admin.totp_secret))
    assert refused.value.code == "otp_mandatory"

    other_admin = user_create(
        actor=None,
        username="quan_tri_2",
        password=PASSWORD,
        role=Role.IT_ADMIN,
        organisation=world.org_province,
    )
    totp_disable(actor=other_admin, user=admin)

    assert not fresh(admin).totp_secret


def test_a_token_is_revoked_by_its_owner_or_an_it_administrator_only(world):
    token, _ = api_token_issue(actor=world.desk_a, user=world.desk_a)

    with pytest.raises(NotFound):
        api_token_revoke(actor=world.head_a, token=token)
    api_token_revoke(actor=world.it_admin, token=token)

    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_no_password_code_secret_or_token_key_is_ever_written_to_the_audit_trail(client, world):
    # given everything that touches a secret
    citizen_row = Citizen.objects.create(id_number="031090000077", full_name="Lê Văn Cường")
    user_create(
        actor=world.it_admin,
        username="le_van_cuong",
        password=PASSWORD,
        role=Role.CITIZEN,
        citizen=citizen_row,
    )
    client.post("/dang-nhap/", {"username": "le_van_cuong", "password": "Sai-Mat-Khau-123"})
    client.post("/dang-nhap/", {"username": "le_van_cuong", "password": PASSWORD})
    client.post("/dang-xuat/")
    user_set_password(actor=world.desk_a, user=world.desk_a, password=NEW_PASSWORD)
    secret = "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF"
    code = otp_code(secret)
    totp_enable(actor=world.specialist_b, user=world.specialist_b, secret=secret, code=code)
    key = client.post(
        "/api/v1/auth/token",
        {"username": "quan_tri", "password": PASSWORD, "otp": otp_code(world.it_admin.totp_secret)},
        content_type="application/json",
    ).json()["token"]

    # when the whole trail is read
    trail = json.dumps(
        [
            [e.actor_label, e.action, e.object_repr, e.changes]
            for e in AuditEvent.objects.order_by("id")
        ],
        ensure_ascii=False,
        default=str,
    )

    # then it holds none of them
    assert "user.login_failed" in trail and "user.totp_enabled" in trail
    for secret_value in (
        PASSWORD,
        NEW_PASSWORD,
        "Sai-Mat-Khau-123",
        secret,
        world.it_admin.totp_secret,
        key,
        key[4:],
    ):
        assert secret_value not in trail
