"""The firewall export: the nft -f file, the command and the token-protected endpoint."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tinhso.soc import nftables
from tinhso.soc.models import Decision

pytestmark = pytest.mark.django_db

NFT = shutil.which("nft") or shutil.which("nft", path="/usr/sbin:/sbin")
TOKEN = "test-export-token-0123456789"


def _nft_check(path):
    """``nft -c -f``: parse and check the file against the kernel without applying it."""
    return subprocess.run([NFT, "-c", "-f", str(path)], capture_output=True, text=True)  # noqa: S603


def _decision(value, *, seconds=600, scope="ip", kind="ban", revoked=False, now=None):
    now = now or timezone.now()
    return Decision.objects.create(
        scope=scope,
        value=value,
        kind=kind,
        reason="test",
        rule="manual",
        ttl_seconds=abs(seconds),
        created_at=now - timedelta(seconds=1),
        expires_at=now + timedelta(seconds=seconds),
        revoked_at=now if revoked else None,
    )


@pytest.fixture
def bans(settings):
    settings.TINHSO_SOC_ALLOWLIST = ["127.0.0.1/32", "::1/128", "198.51.100.77"]
    now = timezone.now()
    _decision("203.0.113.7", seconds=840, now=now)
    _decision("198.51.100.0/24", seconds=3600, scope="range", now=now)  # holds the allowlisted .77
    _decision("198.51.100.20", seconds=60, now=now)  # inside the banned range: left out
    _decision("2001:db8::/32", seconds=120, scope="range", now=now)
    _decision("2001:db8:ffff::1", seconds=30, now=now)  # inside the v6 range
    _decision("2001:db9::5", seconds=45, now=now)
    _decision("198.51.100.77", seconds=600, now=now)  # allowlisted since: never written
    _decision("203.0.113.8", seconds=600, revoked=True, now=now)
    _decision("203.0.113.9", seconds=-5, now=now)  # expired
    _decision("203.0.113.10", kind="challenge", now=now)
    _decision("203.0.113.11", kind="rate_limit", now=now)
    _decision("alice", scope="user", now=now)
    return now


def test_only_active_address_and_range_bans_with_their_remaining_time(bans):
    found = nftables.active_bans(now=bans)
    v4 = {str(n): s for n, s in found[4]}
    v6 = {str(n): s for n, s in found[6]}
    assert v4["203.0.113.7/32"] == 840
    assert v6 == {"2001:db8::/32": 120, "2001:db9::5/128": 45}
    # The range is split around the allowlisted address, every piece with the range's time.
    pieces = {k for k in v4 if k.startswith("198.51.100.")}
    assert "198.51.100.77/32" not in pieces and "198.51.100.0/24" not in pieces
    import ipaddress

    covered = sum(ipaddress.ip_network(p).num_addresses for p in pieces)
    assert covered == 255 and {v4[p] for p in pieces} == {3600}
    assert not any(ipaddress.ip_address("198.51.100.77") in ipaddress.ip_network(p) for p in pieces)
    for absent in ("203.0.113.8", "203.0.113.9", "203.0.113.10", "203.0.113.11"):
        assert f"{absent}/32" not in v4


def test_the_file(bans):
    text = nftables.render(now=bans)
    lines = text.splitlines()
    assert lines[0] == "#!/usr/sbin/nft -f"
    assert "add table inet tinhso" in lines
    assert "add set inet tinhso tinhso_ban_v4 { type ipv4_addr; flags interval, timeout; }" in lines
    assert "add set inet tinhso tinhso_ban_v6 { type ipv6_addr; flags interval, timeout; }" in lines
    assert lines.index("flush set inet tinhso tinhso_ban_v4") < next(
        i
        for i, line in enumerate(lines)
        if line.startswith("add element inet tinhso tinhso_ban_v4")
    )
    assert "203.0.113.7 timeout 840s" in text
    assert "2001:db8::/32 timeout 120s" in text and "2001:db9::5 timeout 45s" in text
    for absent in ("198.51.100.77 ", "198.51.100.20 ", "203.0.113.8 ", "2001:db8:ffff::1", "alice"):
        assert absent not in text


def test_an_empty_export_still_defines_and_empties_the_sets():
    text = nftables.render(table="fw", set_name="blocked")
    assert "add set inet fw blocked_v4 { type ipv4_addr; flags interval, timeout; }" in text
    assert "flush set inet fw blocked_v6" in text
    assert "add element" not in text


@pytest.mark.skipif(NFT is None, reason="nft is not installed")
def test_nft_accepts_the_file(bans, tmp_path):
    for i in range(1200):  # several element lines
        _decision(f"192.0.2.{i % 250}" if i < 250 else f"2001:db8:1::{i:x}", now=bans)
    # A wider range arriving later still wins over what it holds.
    _decision("192.0.2.0/25", seconds=900, scope="range", now=bans)
    path = tmp_path / "bans.nft"
    path.write_text(nftables.render(now=bans))
    check = _nft_check(path)
    if "Operation not permitted" in check.stderr:
        pytest.skip("nft -c needs CAP_NET_ADMIN here")
    assert check.returncode == 0, check.stderr


@pytest.mark.skipif(NFT is None, reason="nft is not installed")
def test_nft_would_refuse_overlapping_elements(tmp_path):
    # What the export avoids: nft refuses an interval set with an element inside a range.
    path = tmp_path / "bad.nft"
    path.write_text(
        "add table inet t\n"
        "add set inet t s { type ipv4_addr; flags interval, timeout; }\n"
        "add element inet t s { 10.0.0.0/24 timeout 5s, 10.0.0.5 timeout 5s }\n"
    )
    check = _nft_check(path)
    if "Operation not permitted" in check.stderr:
        pytest.skip("nft -c needs CAP_NET_ADMIN here")
    assert check.returncode != 0 and "conflicting intervals" in check.stderr


def test_the_command_writes_the_file_atomically(bans, tmp_path, capsys):
    target = tmp_path / "tinhso-bans.nft"
    target.write_text("old content\n")
    call_command("soc_nftables", "--output", str(target), "--set", "ban", "--table", "edge")
    text = target.read_text()
    assert "add set inet edge ban_v4" in text and "203.0.113.7 timeout" in text
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind
    call_command("soc_nftables")
    assert "add set inet tinhso tinhso_ban_v4" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--set", "bad name;drop"], "soc_bad_nft_name"),
        (["--table", "1table"], "soc_bad_nft_name"),
        (["--output", "/nonexistent-dir/x.nft"], "soc_bad_output"),
    ],
)
def test_the_command_refuses_bad_input(args, needle):
    with pytest.raises(CommandError, match=needle):
        call_command("soc_nftables", *args)


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "bans.nft"
    target.write_text("old\n")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nftables.os, "replace", broken)
    with pytest.raises(OSError):
        nftables.write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]


URL = "/soc/nftables.nft"


def test_the_endpoint_needs_the_token(client, settings, bans):
    settings.TINHSO_SOC_EXPORT_TOKEN = ""
    unset = client.get(URL, HTTP_AUTHORIZATION="Bearer ")
    assert unset.status_code == 401 and unset.json()["error"]["code"] == "soc_export_unauthorized"
    settings.TINHSO_SOC_EXPORT_TOKEN = TOKEN
    for header in (None, f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN):
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        response = client.get(URL, **extra)
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "soc_export_unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(URL + f"?token={TOKEN}").status_code == 401  # never in the address
    good = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert good.status_code == 200
    assert good["Content-Type"] == "text/plain; charset=utf-8"
    assert good["Cache-Control"] == "no-store"
    body = good.content.decode()
    assert "203.0.113.7 timeout" in body and "add set inet tinhso tinhso_ban_v6" in body


def test_the_endpoint_refuses_other_methods_and_bad_names(client, settings):
    settings.TINHSO_SOC_EXPORT_TOKEN = TOKEN
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    posted = client.post(URL, **auth)
    assert posted.status_code == 405 and posted.json()["error"]["code"] == "method_not_allowed"
    bad = client.get(URL + "?set=x%3Bflush+ruleset", **auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "soc_bad_nft_name"
    named = client.get(URL + "?set=edge_ban&table=fw", **auth)
    assert "add set inet fw edge_ban_v4" in named.content.decode()
