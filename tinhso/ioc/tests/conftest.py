import pytest

from tinhso.dossiers.tests.factories import make_world


@pytest.fixture
def world(db):
    return make_world()
