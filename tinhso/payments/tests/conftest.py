import pytest

from tinhso.dossiers.tests import conftest as dossier_fixtures

# The dossiers' fixtures (a small province, the clock, the API client) serve here too.
world = dossier_fixtures.world
clock = dossier_fixtures.clock
api = dossier_fixtures.api


@pytest.fixture
def requested(world, clock):
    """A dossier waiting for the citizen to pay 250,000 đồng, requested Monday 09:00."""

    from tinhso.dossiers.actions import dossier_act
    from tinhso.dossiers.tests.factories import at
    from tinhso.dossiers.tests.test_payment_actions import fees, processing_dossier
    from tinhso.payments.models import PaymentRequest

    fees(world.procedure, 200_000, 50_000)
    dossier = processing_dossier(world, clock)
    clock.set(at(2026, 3, 9, 9))
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    return PaymentRequest.objects.get(dossier=dossier)


@pytest.fixture(scope="session")
def _pki_folder(tmp_path_factory):
    """The session's root, made now with a key of its own (never one of the per-test pool's,
    which a test's "foreign" authority may get: see ``_rsa_keys_from_a_pool``)."""
    from django.test import override_settings

    from tinhso.core.signing import ensure_root

    folder = tmp_path_factory.mktemp("pki")
    with override_settings(TINHSO_PKI_DIR=str(folder)):
        ensure_root()
    return folder


@pytest.fixture(autouse=True)
def pki(settings, _pki_folder):
    """The agencies' signing keys in a temporary folder (one root for the session)."""
    settings.TINHSO_PKI_DIR = str(_pki_folder)
    return _pki_folder
