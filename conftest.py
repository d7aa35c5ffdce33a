"""Suite-wide fixtures: the test database is loaded once with the administrative units."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        try:
            call_command("load_units", verbosity=0)
        except Exception as exc:  # the loader arrives with the units work
            if "Unknown command" not in str(exc):
                raise
