"""The module's settings with their defaults (docs/soc.md lists them)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

DEFAULTS = {
    "TINHSO_SOC_ENABLED": True,
    "TINHSO_SOC_MODE": "thread",  # thread: a background worker; inline: drained after each response
    "TINHSO_SOC_QUEUE_SIZE": 10_000,
    "TINHSO_SOC_PARANOIA": 1,
    "TINHSO_SOC_INBOUND_THRESHOLD": 5,
    "TINHSO_SOC_BLOCK_ATTACKS": True,
    "TINHSO_SOC_ALLOWLIST": [],
    "TINHSO_SOC_BAN_SECONDS": 15 * 60,
    "TINHSO_SOC_BAN_MAX_SECONDS": 7 * 24 * 3600,
    "TINHSO_SOC_ESCALATION_FACTOR": 4,
    "TINHSO_SOC_ESCALATION_WINDOW_DAYS": 30,
    "TINHSO_SOC_REFRESH_SECONDS": 1.0,
    "TINHSO_SOC_RELOAD_SECONDS": 60.0,
    "TINHSO_SOC_MAX_KEYS": 100_000,
    "TINHSO_SOC_TRUSTED_PROXIES": ["127.0.0.1", "::1"],
    "TINHSO_SOC_LOGIN_PATHS": ["/dang-nhap/", "/api/v1/auth/"],
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]):
    nets = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(nets)


def _in(ip: str, setting: str) -> bool:
    nets = _networks(tuple(get(setting)))
    if not nets or not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in net for net in nets)


def allowlisted(ip: str) -> bool:
    """True when the address is in TINHSO_SOC_ALLOWLIST (addresses or CIDR ranges) or is a
    trusted proxy (banning the proxy would ban everyone behind it)."""
    return _in(ip, "TINHSO_SOC_ALLOWLIST") or _in(ip, "TINHSO_SOC_TRUSTED_PROXIES")


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy, the right-most
    X-Forwarded-For entry that is not a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not _in(remote, "TINHSO_SOC_TRUSTED_PROXIES"):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h.strip() for h in forwarded.split(",")[:32] if h.strip()]):
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            return remote
        if not _in(hop, "TINHSO_SOC_TRUSTED_PROXIES"):
            return hop
    return remote
