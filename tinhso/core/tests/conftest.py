"""Fixtures for the core's tests: the browser ones live in ``browser.py``."""

import pytest

from tinhso.core.tests.browser import (  # noqa: F401
    browser_session,
    units_loaded,
    units_subset_dir,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last browser test, put back the unit list its flushes removed.

    Live-server tests run in transactions that are flushed afterwards; tests that
    come later in the session expect the units loaded once at its start.
    """
    result = yield
    leaving_browser_tests = item.get_closest_marker("browser") and (
        nextitem is None or not nextitem.get_closest_marker("browser")
    )
    if leaving_browser_tests:
        from django.core.management import call_command
        from pytest_django.plugin import blocking_manager_key

        from tinhso.core.models import AdministrativeUnit

        with item.config.stash[blocking_manager_key].unblock():
            if not AdministrativeUnit.objects.exists():
                call_command("load_units", verbosity=0)
    return result
