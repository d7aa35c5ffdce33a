from tinhso.dossiers.tests.conftest import api, clock, world  # noqa: F401
