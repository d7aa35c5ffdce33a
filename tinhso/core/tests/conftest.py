"""Fixtures for the core's tests: the browser ones live in ``browser.py``.

The ordering of the browser tests and the unit list put back after them are in the
root conftest (they concern every app's browser tests).
"""

from tinhso.core.tests.browser import (  # noqa: F401
    browser_session,
    units_loaded,
    units_subset_dir,
)
