"""The tracking look-up's failure limit: 10 by default, a setting only the bench servers raise."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from tinhso.dossiers.errors import DossierNotFound, TooManyAttempts
from tinhso.dossiers.selectors import TRACK_MAX_FAILURES, dossier_track

ROOT = Path(__file__).resolve().parents[3]


def _fail(times: int, ip: str) -> None:
    for _ in range(times):
        with pytest.raises(DossierNotFound):
            dossier_track("000.00.00.H00-250101-9999", "001099000000", client_ip=ip)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_without_the_setting_the_lookup_refuses_after_the_default_number_of_failures():
    # Given an address that tried the default number of wrong pairs
    _fail(TRACK_MAX_FAILURES, "10.0.0.21")

    # When it tries once more, then it is refused even before the pair is read
    with pytest.raises(TooManyAttempts):
        dossier_track("000.00.00.H00-250101-9999", "001099000000", client_ip="10.0.0.21")


@pytest.mark.django_db
@override_settings(TINHSO_TRACK_MAX_FAILURES=3)
def test_the_setting_sets_how_many_failures_an_address_may_make():
    _fail(3, "10.0.0.22")

    with pytest.raises(TooManyAttempts):
        dossier_track("000.00.00.H00-250101-9999", "001099000000", client_ip="10.0.0.22")


@pytest.mark.django_db
@override_settings(TINHSO_TRACK_MAX_FAILURES=10**12)
def test_a_raised_limit_keeps_answering_wrong_pairs_with_not_found():
    # Given the bench servers' raised limit, many more failures than the default
    # still take the real path: a 404 for each wrong pair, never a 429
    _fail(TRACK_MAX_FAILURES * 3, "10.0.0.23")


def test_only_the_bench_settings_raise_the_limit():
    # The project's settings leave the default; the bench servers' settings
    # module, built on the local ones, is the one place that raises it.
    from django.conf import settings

    bench = (ROOT / "bench" / "bench_settings.py").read_text(encoding="utf-8")

    assert not hasattr(settings, "TINHSO_TRACK_MAX_FAILURES")
    assert "from config.settings.local import *" in bench
    assert "TINHSO_TRACK_MAX_FAILURES = 10**12" in bench
