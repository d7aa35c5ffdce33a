"""restrict(user, action) on every scoped core model, for each role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tinhso.core.audit import audit_record
from tinhso.core.exceptions import NotFound
from tinhso.core.models import (
    AdministrativeUnit,
    ApiToken,
    AuditEvent,
    Citizen,
    Organisation,
    UnitSuccession,
    User,
)
from tinhso.core.selectors import get_object_for
from tinhso.core.selectors.users import api_token_list_for, get_user_for, user_list_for
from tinhso.core.services.users import api_token_issue
from tinhso.core.tests import test_auth_support as support

pytestmark = pytest.mark.django_db

# Shared fixtures, bound here so pytest finds them in this module.
_fresh_cache = support._fresh_cache
world = support.world


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_a_citizen_sees_only_their_own_citizen_row(world):
    # given two citizens with accounts
    # when the first lists the register
    visible = ids(Citizen.objects.restrict(world.citizen, "view"))
    # then only their own row is there
    assert visible == {world.citizen_row.pk}


def test_a_citizen_sees_only_their_own_account_and_tokens(world):
    mine, _ = api_token_issue(actor=world.citizen, user=world.citizen)
    api_token_issue(actor=world.other_citizen, user=world.other_citizen)

    assert ids(User.objects.restrict(world.citizen, "view")) == {world.citizen.pk}
    assert ids(ApiToken.objects.restrict(world.citizen, "view")) == {mine.pk}
    assert ids(api_token_list_for(world.citizen)) == {mine.pk}


def test_officers_of_one_organisation_do_not_see_another_organisations_users(world):
    visible = ids(user_list_for(world.desk_a))

    assert world.desk_a.pk in visible
    assert world.head_a.pk in visible  # a colleague of the same organisation
    assert world.specialist_b.pk not in visible
    assert world.citizen.pk not in visible
    assert world.other_leader.pk not in visible


def test_a_head_of_unit_sees_the_accounts_of_the_offices_below_their_organisation(world):
    visible = ids(user_list_for(world.head_a))

    assert world.specialist_a.pk in visible  # works in a child organisation of org A
    assert world.specialist_b.pk not in visible


def test_officials_change_no_account_but_their_own(world):
    assert ids(User.objects.restrict(world.head_a, "change")) == {world.head_a.pk}
    assert ids(User.objects.restrict(world.province_leader, "change")) == {world.province_leader.pk}


def test_an_it_administrator_sees_every_account_and_token(world):
    token, _ = api_token_issue(actor=world.citizen, user=world.citizen)

    assert ids(User.objects.restrict(world.it_admin, "view")) == ids(User.objects.all())
    assert token.pk in ids(ApiToken.objects.restrict(world.it_admin, "view"))


def test_an_anonymous_visitor_sees_only_public_reference_data(world):
    anonymous = AnonymousUser()
    audit_record(actor=world.citizen, action="test.event", obj=world.citizen)

    assert AdministrativeUnit.objects.restrict(anonymous, "view").filter(code="Z1001").exists()
    assert Organisation.objects.restrict(anonymous, "view").filter(pk=world.org_a.pk).exists()
    assert UnitSuccession.objects.restrict(anonymous, "view").exists()
    assert not User.objects.restrict(anonymous, "view").exists()
    assert not Citizen.objects.restrict(anonymous, "view").exists()
    assert not ApiToken.objects.restrict(anonymous, "view").exists()
    assert not AuditEvent.objects.restrict(anonymous, "view").exists()
    assert not User.objects.restrict(None, "view").exists()


def test_nobody_but_an_it_administrator_may_change_reference_data(world):
    assert not Organisation.objects.restrict(world.province_leader, "change").exists()
    assert not AdministrativeUnit.objects.restrict(AnonymousUser(), "change").exists()
    assert Organisation.objects.restrict(world.it_admin, "change").filter(pk=world.org_a.pk)


def test_a_deactivated_account_reaches_nothing_scoped(world):
    world.head_a.is_active = False
    world.head_a.save()

    assert not User.objects.restrict(world.head_a, "view").exists()
    assert not Citizen.objects.restrict(world.head_a, "view").exists()


def test_audit_events_are_visible_to_their_actor_and_to_it_administrators(world):
    mine = audit_record(actor=world.citizen, action="test.mine", obj=world.citizen)
    theirs = audit_record(actor=world.other_citizen, action="test.theirs", obj=world.citizen)

    assert mine.pk in ids(AuditEvent.objects.restrict(world.citizen, "view"))
    assert theirs.pk not in ids(AuditEvent.objects.restrict(world.citizen, "view"))
    assert {mine.pk, theirs.pk} <= ids(AuditEvent.objects.restrict(world.it_admin, "view"))


def test_an_out_of_scope_row_reads_exactly_like_a_missing_one(world):
    missing_id = User.objects.order_by("-pk").first().pk + 1000

    with pytest.raises(NotFound) as out_of_scope:
        get_user_for(world.desk_a, world.specialist_b.pk)
    with pytest.raises(NotFound) as missing:
        get_user_for(world.desk_a, missing_id)

    assert out_of_scope.value.code == missing.value.code == "not_found"
    assert str(out_of_scope.value.message) == str(missing.value.message)
    assert out_of_scope.value.status == missing.value.status == 404


def test_get_object_for_returns_a_row_in_scope_and_refuses_a_malformed_key(world):
    assert get_object_for(world.citizen, Citizen, pk=world.citizen_row.pk) == world.citizen_row
    with pytest.raises(NotFound):
        get_object_for(world.citizen, Citizen, pk=world.other_citizen_row.pk)
    with pytest.raises(NotFound):
        get_object_for(world.citizen, Citizen, pk="not-a-number")
