"""One client address for the platform (tinhso.core.net.client_ip): audit, failure limits,
django-axes and the security module all see the client behind a trusted proxy, and none
of them believes an X-Forwarded-For sent by anyone else."""

import pytest
from django.test import RequestFactory

from tinhso.core import net
from tinhso.core.models import AuditEvent
from tinhso.core.tests import test_auth_support as support
from tinhso.core.tests.test_auth_support import PASSWORD

pytestmark = pytest.mark.django_db

world = support.world
_fresh_cache = support._fresh_cache

PROXY = "127.0.0.1"
CLIENT, OTHER, SPOOFER = "203.0.113.21", "203.0.113.22", "198.51.100.9"


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (SPOOFER, None, SPOOFER),
        (SPOOFER, CLIENT, SPOOFER),  # an untrusted peer cannot choose its address
        (PROXY, None, PROXY),
        (PROXY, CLIENT, CLIENT),
        (PROXY, f"10.9.9.9, {CLIENT}", CLIENT),  # left entries are the client's own words
        (PROXY, f"{CLIENT}, 127.0.0.1", CLIENT),  # a chain of trusted proxies is walked
        (PROXY, f"{CLIENT}, not-an-address", PROXY),  # malformed: keep the proxy
        ("::1", "2001:db8::7", "2001:db8::7"),
        (PROXY, " 2001:DB8:0:0::7 ", "2001:db8::7"),  # normalised
    ],
)
def test_client_ip(remote, forwarded, expected):
    assert net.client_ip(_request(remote, forwarded)) == expected


def test_trusted_proxies_setting_and_its_soc_alias(settings):
    settings.TINHSO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert net.client_ip(_request("10.1.2.3", CLIENT)) == CLIENT
    assert net.client_ip(_request(PROXY, CLIENT)) == PROXY  # loopback no longer trusted
    del settings.TINHSO_TRUSTED_PROXIES
    settings.TINHSO_SOC_TRUSTED_PROXIES = ["192.0.2.1"]
    assert net.client_ip(_request("192.0.2.1", CLIENT)) == CLIENT
    assert net.client_ip(_request("10.1.2.3", CLIENT)) == "10.1.2.3"


def test_the_environment_alias_is_read_when_the_new_name_is_absent(monkeypatch):
    from config.env import env_list

    monkeypatch.delenv("TINHSO_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("TINHSO_SOC_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    value = env_list("TINHSO_TRUSTED_PROXIES", env_list("TINHSO_SOC_TRUSTED_PROXIES", ["x"]))
    assert value == ["10.0.0.1", "10.0.0.2"]
    monkeypatch.setenv("TINHSO_TRUSTED_PROXIES", "10.0.0.3")
    value = env_list("TINHSO_TRUSTED_PROXIES", env_list("TINHSO_SOC_TRUSTED_PROXIES", ["x"]))
    assert value == ["10.0.0.3"]


def test_the_audit_records_the_client_behind_the_proxy(client, world):
    response = client.post(
        "/dang-nhap/",
        {"username": "mot_cua_a", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.login").latest("id").ip_address == CLIENT


def test_the_audit_ignores_a_spoofed_header(client, world):
    client.post(
        "/dang-nhap/",
        {"username": "mot_cua_a", "password": PASSWORD},
        REMOTE_ADDR=SPOOFER,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert AuditEvent.objects.filter(action="user.login").latest("id").ip_address == SPOOFER


def test_the_tracking_failure_limit_counts_the_forwarded_address(client, settings):
    settings.TINHSO_TRACK_MAX_FAILURES = 2
    url = "/api/v1/dossiers/track?code=XX-000000-0000&id_number=031090000099"

    def track(remote, forwarded=None):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
        return client.get(url, REMOTE_ADDR=remote, **extra).status_code

    assert [track(PROXY, CLIENT) for _ in range(3)] == [404, 404, 429]
    assert track(PROXY, OTHER) == 404  # another client behind the same proxy is not limited
    # A spoofer naming a fresh address in the header is still counted as itself.
    assert [track(SPOOFER, f"203.0.113.{i}") for i in range(30, 33)] == [404, 404, 429]


def test_the_sign_in_lockout_is_per_client_behind_the_proxy(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(
            "/dang-nhap/",
            {"username": "mot_cua_a", "password": "wrong-password-1"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=CLIENT,
        )
    locked = client.post(
        "/dang-nhap/",
        {"username": "mot_cua_a", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert locked.status_code == 429
    fine = client.post(
        "/dang-nhap/",
        {"username": "mot_cua_a", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=OTHER,
    )
    assert fine.status_code == 302
