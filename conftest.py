"""Suite-wide fixtures: the test database is loaded once with the administrative units."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load both unit lists and the conversion table once per run (about 2 s).

    Tests run inside transactions that roll back, so they all see the same
    14,149 units. A test marked ``transaction=True`` flushes the tables it ran
    on; call ``units_load()`` again there if it needs the units afterwards.
    """
    from tinhso.core.services.units import units_load

    with django_db_blocker.unblock():
        units_load(actor=None)
