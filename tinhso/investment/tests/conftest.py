import pytest


@pytest.fixture
def world(db):
    from tinhso.investment.tests.factories import make_world

    return make_world()
