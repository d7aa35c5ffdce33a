"""A user's scope: the administrative units and organisations they act for."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tinhso.core.choices import Role, UnitVersion
from tinhso.core.models import AdministrativeUnit, Organisation
from tinhso.core.permissions import (
    clear_scope_cache,
    organisation_ids,
    scope_filter,
    scope_unit_ids,
    user_scope,
)
from tinhso.core.tests import test_auth_support as support
from tinhso.core.tests.test_auth_support import fresh, make_org, make_user

pytestmark = pytest.mark.django_db

# Shared fixtures, bound here so pytest finds them in this module.
_fresh_cache = support._fresh_cache
world = support.world


def test_a_province_leader_covers_every_commune_of_the_province(world):
    units = scope_unit_ids(world.province_leader)

    assert {world.province.pk, world.commune_a.pk, world.commune_b.pk} <= units
    assert world.other_province.pk not in units
    assert world.other_commune.pk not in units


def test_a_commune_leader_covers_only_that_commune(world):
    units = scope_unit_ids(world.commune_leader)

    assert world.commune_a.pk in units
    assert world.commune_b.pk not in units
    assert world.province.pk not in units


def test_a_scope_includes_the_pre_reform_communes_merged_into_its_units(world):
    # the old commune "Xã Cũ" became part of commune A on 1 July 2025
    assert world.old_commune.pk in scope_unit_ids(world.commune_leader)
    assert world.old_commune.pk in scope_unit_ids(world.desk_a)
    assert world.old_commune.pk not in scope_unit_ids(world.specialist_b)


def test_an_officer_without_units_acts_within_their_organisations_unit(world):
    assert world.commune_a.pk in scope_unit_ids(world.desk_a)
    assert world.commune_b.pk not in scope_unit_ids(world.desk_a)
    assert organisation_ids(world.desk_a) == {world.org_a.pk}


def test_an_officers_own_units_replace_their_organisations_unit(world):
    officer = make_user(
        "mot_cua_tinh",
        Role.DESK_OFFICER,
        organisation=world.org_province,
        units=[world.commune_b],
    )

    units = scope_unit_ids(officer)

    assert world.commune_b.pk in units
    # an officer's scope does not reach down the tree: that is a leader's
    assert world.province.pk not in units
    assert world.commune_a.pk not in units


def test_a_leader_acts_for_every_organisation_serving_a_unit_in_their_subtree(world):
    organisations = organisation_ids(world.province_leader)

    assert {world.org_province.pk, world.org_a.pk, world.org_b.pk} <= organisations
    assert world.org_other.pk not in organisations


def test_a_head_of_unit_acts_for_their_organisation_and_those_below_it(world):
    assert organisation_ids(world.head_a) == {world.org_a.pk, world.org_a_office.pk}


def test_citizens_and_visitors_have_an_empty_scope_and_it_administrators_no_limit(world):
    assert scope_unit_ids(world.citizen) == frozenset()
    assert organisation_ids(world.citizen) == frozenset()
    assert user_scope(AnonymousUser()).empty
    assert user_scope(None).empty
    assert scope_unit_ids(world.it_admin) is None
    assert organisation_ids(world.it_admin) is None


def test_the_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    leader = fresh(world.province_leader)
    scope_unit_ids(leader)

    with django_assert_num_queries(0):
        scope_unit_ids(leader)
        organisation_ids(leader)


def test_clearing_the_cache_picks_up_changed_units(world):
    leader = fresh(world.commune_leader)
    assert world.commune_b.pk not in scope_unit_ids(leader)

    leader.units.add(world.commune_b)
    clear_scope_cache(leader)

    assert world.commune_b.pk in scope_unit_ids(leader)


def test_scope_filter_gives_a_domain_model_its_scope_q(world):
    # a domain model would return this from its scope_q; Organisation stands in for one
    in_scope = Organisation.objects.filter(
        scope_filter(world.commune_leader, unit="unit")
    ).values_list("pk", flat=True)

    assert set(in_scope) == {world.org_a.pk, world.org_a_office.pk}
    assert scope_filter(world.it_admin, unit="unit") is None
    assert scope_filter(world.citizen, unit="unit") is False


def test_scope_filter_matches_either_the_unit_or_the_organisation(world):
    condition = scope_filter(world.specialist_b, unit="unit", organisation="parent")

    assert isinstance(condition, Q)
    matched = set(Organisation.objects.filter(condition).values_list("pk", flat=True))
    assert world.org_b.pk in matched  # by unit
    assert world.org_a.pk not in matched


def test_with_the_real_unit_list_the_leader_of_hai_phong_covers_its_114_communes(db):
    province = AdministrativeUnit.objects.filter(version=UnitVersion.POST_2025, code="31").first()
    if province is None:
        pytest.skip("the administrative units are not loaded")
    committee = make_org("H31.TEST", "UBND thành phố Hải Phòng (thử)", province)
    leader = make_user("lanh_dao_hp", Role.LEADER, organisation=committee, units=[province])

    units = scope_unit_ids(leader)

    communes = set(province.children.values_list("pk", flat=True))
    assert len(communes) == 114
    assert communes <= units
    # the old communes of Hải Dương (merged into Hải Phòng) are covered too
    old_hai_duong_communes = AdministrativeUnit.objects.filter(
        version=UnitVersion.PRE_2025, parent__parent__code="30"
    )
    assert set(old_hai_duong_communes.values_list("pk", flat=True)) <= units
