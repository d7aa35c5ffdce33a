"""The suite's pool of RSA keys (root conftest): distinct within a test, real outside tmp."""

from cryptography.hazmat.primitives.asymmetric import rsa


def _numbers(key):
    return key.private_numbers().public_numbers.n


def test_keys_made_in_one_test_are_all_different(settings, tmp_path):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]
    assert len({_numbers(key) for key in keys}) == 3


def test_a_foreign_root_never_shares_the_trusted_roots_key(settings, tmp_path):
    from tinhso.core.signing import ensure_root, root_certificate

    settings.TINHSO_PKI_DIR = str(tmp_path / "trusted")
    ensure_root()
    trusted = root_certificate().public_key().public_numbers().n
    settings.TINHSO_PKI_DIR = str(tmp_path / "foreign")
    ensure_root()
    assert root_certificate().public_key().public_numbers().n != trusted


def test_a_folder_outside_the_runs_temporary_directory_gets_a_fresh_key(
    settings, tmp_path, tmp_path_factory, _rsa_key_pool
):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    pooled = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.TINHSO_PKI_DIR = str(tmp_path_factory.getbasetemp().parent / "elsewhere" / "pki")
    fresh = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pool = {_numbers(key) for key in _rsa_key_pool.values()}
    assert _numbers(pooled) in pool
    assert _numbers(fresh) not in pool


def test_the_pool_serves_the_same_keys_to_every_test(settings, tmp_path, _rsa_key_pool):
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")
    first = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert first is _rsa_key_pool[(65537, 2048, 0)]
