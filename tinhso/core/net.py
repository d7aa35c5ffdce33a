"""The client's address, computed once for the whole platform.

Behind nginx (or the province's reverse proxy) ``REMOTE_ADDR`` is the proxy's
address; the client is in ``X-Forwarded-For``. That header is believed only when
the peer is a trusted proxy (``TINHSO_TRUSTED_PROXIES``, default loopback), and
then the right-most entry that is not itself a trusted proxy is the client: the
entries to its left were written by the client and may be anything. The audit
trail, the failure limits (tracking, result verification), django-axes and the
security module all use :func:`client_ip`.

``TINHSO_SOC_TRUSTED_PROXIES`` (the security module's earlier name) is still read
when ``TINHSO_TRUSTED_PROXIES`` is not set.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")
MAX_HOPS = 32


@lru_cache(maxsize=16)
def networks(entries: tuple[str, ...]) -> tuple:
    """Parsed addresses / CIDR ranges; malformed entries are left out."""
    nets = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            continue
    return tuple(nets)


def in_networks(ip: str, entries) -> bool:
    nets = networks(tuple(entries))
    if not nets or not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in net for net in nets)


def trusted_proxies() -> tuple[str, ...]:
    proxies = getattr(settings, "TINHSO_TRUSTED_PROXIES", None)
    if proxies is None:  # the alias
        proxies = getattr(settings, "TINHSO_SOC_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)
    return tuple(proxies)


def is_trusted_proxy(ip: str) -> bool:
    return in_networks(ip, trusted_proxies())


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, when that is a trusted proxy, the
    right-most ``X-Forwarded-For`` entry that is not a trusted proxy.

    A malformed entry stops the walk (the proxy's own address is kept), so a header
    the proxy did not write cleanly never yields an address of the client's choosing.
    """
    meta = getattr(request, "META", None) or {}
    remote = meta.get("REMOTE_ADDR", "") or ""
    proxies = trusted_proxies()
    if not in_networks(remote, proxies):
        return remote
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded:
        return remote
    hops = [h.strip() for h in forwarded.split(",")[-MAX_HOPS:] if h.strip()]
    for hop in reversed(hops):
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            return remote
        if not in_networks(hop, proxies):
            return hop
    return remote
