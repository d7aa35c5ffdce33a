"""The module's settings with their defaults (docs/soc.md lists them)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

from tinhso.core import net

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
    "TINHSO_SOC_TRUSTED_PROXIES": ["127.0.0.1", "::1"],  # alias of core TINHSO_TRUSTED_PROXIES
    "TINHSO_SOC_LOGIN_PATHS": ["/dang-nhap/", "/api/v1/auth/"],
    # Challenge page, firewall export, uninspected paths (docs/soc.md "Challenge",
    # "Firewall export").
    "TINHSO_SOC_UNINSPECTED_PATHS": ["/api/v1/soc/ingest"],
    "TINHSO_SOC_CHALLENGE_MAX_NUMBER": 100_000,
    "TINHSO_SOC_CHALLENGE_SECONDS": 300,
    "TINHSO_SOC_CHALLENGE_PASS_SECONDS": 3600,
    "TINHSO_SOC_CHALLENGE_MAX_FAILURES": 10,
    "TINHSO_SOC_EXPORT_TOKEN": "",
    # Incidents and their notices (docs/soc.md, "Incidents, notifications and the console").
    "TINHSO_SOC_INCIDENT_WINDOW_MINUTES": 60,
    "TINHSO_SOC_NOTIFY_EMAILS": [],
    "TINHSO_SOC_WEBHOOK_URL": "",
    "TINHSO_SOC_WEBHOOK_SECRET": "",
    "TINHSO_SOC_NOTIFY_MODE": "thread",  # thread: a background deliverer; command: cron only
    "TINHSO_SOC_NOTIFY_ATTEMPTS": 5,
    "TINHSO_SOC_NOTIFY_RETRY_SECONDS": 60,
    "TINHSO_SOC_NOTIFY_POLL_SECONDS": 30,
    # Sigma rules and baselines (docs/soc.md, "Sigma rules and baselines").
    "TINHSO_SOC_RULE_DIRS": [],
    "TINHSO_SOC_SIGMA_ENABLED": True,
    "TINHSO_SOC_INTERNAL_NETWORKS": [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "::1/128",
        "fc00::/7",
    ],
    "TINHSO_SOC_BASELINE_ENABLED": True,
    "TINHSO_SOC_BASELINE_ALPHA": 0.1,
    "TINHSO_SOC_BASELINE_K": 4.0,
    "TINHSO_SOC_BASELINE_MIN_COUNT_ENDPOINT": 120,
    "TINHSO_SOC_BASELINE_MIN_COUNT_SOURCE": 60,
    "TINHSO_SOC_BASELINE_WARMUP_MINUTES": 30,
    "TINHSO_SOC_BASELINE_MAX_KEYS": 20_000,
    "TINHSO_SOC_BASELINE_SAVE_SECONDS": 300,
    # Log sources (docs/soc.md, "Sources"): listeners, file tails, HTTP ingest.
    "TINHSO_SOC_INGEST_TOKENS": [],  # name:sha256-hex entries
    "TINHSO_SOC_INGEST_MAX_BYTES": 1024 * 1024,
    "TINHSO_SOC_INGEST_MAX_LINES": 10_000,
    "TINHSO_SOC_INGEST_MAX_SKEW_SECONDS": 3600,
    "TINHSO_SOC_LISTEN_QUEUE_SIZE": 50_000,
    "TINHSO_SOC_LISTEN_QUEUE_BYTES": 64 * 1024 * 1024,
    "TINHSO_SOC_LISTEN_MAX_FRAME": 16 * 1024,
    "TINHSO_SOC_LISTEN_MAX_CONNECTIONS": 256,
    "TINHSO_SOC_LISTEN_IDLE_SECONDS": 300,
    "TINHSO_SOC_LISTEN_STATS_SECONDS": 60,
    "TINHSO_SOC_LISTEN_STATE_FILE": "",  # default: <TINHSO_VAR_DIR>/soc/tail-state.json
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
    return any(addr in network for network in nets)


def allowlisted(ip: str) -> bool:
    """True when the address is in TINHSO_SOC_ALLOWLIST (addresses or CIDR ranges) or is a
    trusted proxy (banning the proxy would ban everyone behind it)."""
    return _allowlisted(ip, tuple(get("TINHSO_SOC_ALLOWLIST")), net.trusted_proxies())


@lru_cache(maxsize=65_536)
def _allowlisted(ip: str, allowlist: tuple, proxies: tuple) -> bool:
    # Called for every event: parsing the address each time cost more than inspecting
    # an ordinary request. Keyed by the settings too, so a change takes effect at once;
    # a canonical dotted quad is compared as an integer with the IPv4 ranges (an IPv4
    # address is never inside an IPv6 network, as for ipaddress).
    parts = ip.split(".")
    if len(parts) == 4 and all(p.isascii() and p.isdigit() and str(int(p)) == p for p in parts):
        value = 0
        for part in parts:
            value = value << 8 | int(part)
        if value < 1 << 32 and all(int(p) < 256 for p in parts):
            ranges = _ipv4_ranges(allowlist + proxies)
            return any(low <= value <= high for low, high in ranges)
    return net.in_networks(ip, allowlist) or net.in_networks(ip, proxies)


@lru_cache(maxsize=8)
def _ipv4_ranges(entries: tuple) -> tuple:
    """(first, last) integers of the entries' IPv4 networks."""
    return tuple(
        (int(n.network_address), int(n.broadcast_address))
        for n in net.networks(entries)
        if n.version == 4
    )


def client_ip(request) -> str:
    """The client's address: one computation for the platform (tinhso.core.net.client_ip),
    already on the request when the core middleware ran."""
    ip = getattr(request, "client_ip", None)
    return ip if ip is not None else net.client_ip(request)


def uninspected(path: str) -> bool:
    """Paths (prefixes) whose requests are neither inspected nor fed to the engine."""
    return any(path.startswith(prefix) for prefix in get("TINHSO_SOC_UNINSPECTED_PATHS"))
