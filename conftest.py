"""Suite-wide fixtures and ordering (docs/performance.md, "Test suite time").

- The test database is loaded once with the administrative units.
- The browser tests run last and together, in one Chromium (``tinhso.core.tests.browser``);
  the full unit list is put back when they are done, if anything runs after them.
- RSA keys for the test certificate authorities come from a pool made once per run.
"""

import itertools

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


# --- order: the browser tests last, side by side --------------------------------------


def _is_browser(item) -> bool:
    return item is not None and item.get_closest_marker("browser") is not None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Move the browser tests to the end, keeping every other order as it was.

    pytest-django has already put the transactional tests after the others; the
    browser tests are all transactional, so this keeps that rule. Together, they
    share one Chromium and one reduced unit list, and nothing after them needs the
    full list back.
    """
    browser = [item for item in items if _is_browser(item)]
    if browser:
        items[:] = [item for item in items if not _is_browser(item)] + browser


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """When the browser tests are done: stop the shared Chromium and, if another test
    follows, put back the unit list their flushes removed (tests expect the units
    loaded once at the start of the session)."""
    result = yield
    if _is_browser(item) and not _is_browser(nextitem):
        from tinhso.core.tests.browser import shared_browser

        shared_browser.stop()
        if nextitem is not None:
            from django.core.management import call_command
            from pytest_django.plugin import blocking_manager_key

            from tinhso.core.models import AdministrativeUnit

            with item.config.stash[blocking_manager_key].unblock():
                if not AdministrativeUnit.objects.exists():
                    call_command("load_units", verbosity=0)
    return result


def pytest_sessionfinish(session):
    from tinhso.core.tests.browser import shared_browser

    shared_browser.stop()


@pytest.fixture(autouse=True)
def _browser_units_between_modules(request):
    """Keep the reduced unit list between two browser modules.

    A browser module's last test flushes the units; some modules then reload the
    whole country when they end, for the tests after them. Within the browser tests
    what comes next only needs Hải Dương and Hải Phòng, so those two are loaded
    first (a finaliser on the module, run before the module's own): the module's
    reload then finds units and does nothing. The full list comes back once, after
    the last browser test, if anything follows (``pytest_runtest_teardown``).
    """
    if not _is_browser(request.node):
        return
    module = request.node.getparent(pytest.Module)
    if module is None or getattr(module, "_units_subset_kept", False):
        return
    try:
        subset_dir = request.getfixturevalue("units_subset_dir")
        blocker = request.getfixturevalue("django_db_blocker")
    except pytest.FixtureLookupError:
        return
    module._units_subset_kept = True

    def keep_the_subset():
        from django.core.management import call_command

        from tinhso.core.models import AdministrativeUnit

        with blocker.unblock():
            if not AdministrativeUnit.objects.exists():
                call_command("load_units", data_dir=str(subset_dir), verbosity=0)

    module.addfinalizer(keep_the_subset)


# --- keys ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _rsa_key_pool():
    return {}


@pytest.fixture(autouse=True)
def _rsa_keys_from_a_pool(monkeypatch, _rsa_key_pool, tmp_path_factory):
    """The n-th RSA key a test generates is the n-th key of a pool made once per run.

    A 2048-bit key takes 0.1–0.5 s to generate and the signing tests make a root and
    several agencies each (the demo a dozen). Within one test every key is still
    different, so a "foreign" authority never shares the trusted root's key; across
    tests the same keys come back, in folders of their own. Keys for a certificate
    folder outside the run's temporary directory (the var folder's ``pki``, which
    outlives a test) are generated for real, as are those of the ``tinhso demo`` run
    end to end in a subprocess (tinhso/core/tests/test_cli_demo_commands.py).
    """
    from cryptography.hazmat.primitives.asymmetric import rsa

    from tinhso.core import signing

    real = rsa.generate_private_key
    counter = itertools.count()
    base = tmp_path_factory.getbasetemp().resolve()

    def generate_private_key(public_exponent, key_size, backend=None):
        folder = signing.pki_dir().resolve()
        if base not in folder.parents:
            return real(public_exponent=public_exponent, key_size=key_size)
        index = (public_exponent, key_size, next(counter))
        if index not in _rsa_key_pool:
            _rsa_key_pool[index] = real(public_exponent=public_exponent, key_size=key_size)
        return _rsa_key_pool[index]

    monkeypatch.setattr(rsa, "generate_private_key", generate_private_key)
