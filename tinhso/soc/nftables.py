"""The active bans as an ``nft -f`` file, for the data centre's firewall (docs/soc.md,
"Firewall export").

Only ban decisions on an address or a range that are neither revoked nor expired are
written, each with its remaining time as the element's ``timeout``, so the kernel drops
it on time even if the file is not refreshed. Allowlisted addresses and trusted proxies
are never written: a banned range that contains one is split around it. Elements that
lie inside another banned range are left out (an interval set refuses overlapping
elements); they come back in the next export once the range has expired.

The file (re)defines two sets in one table and fills them in one transaction:

    add table inet tinhso
    add set inet tinhso tinhso_ban_v4 { type ipv4_addr; flags interval, timeout; }
    flush set inet tinhso tinhso_ban_v4
    add element inet tinhso tinhso_ban_v4 { 203.0.113.7 timeout 840s, ... }
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import math
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core import net
from tinhso.core.exceptions import MethodNotAllowed, TinhsoError, ValidationError
from tinhso.core.responses import error_body
from tinhso.soc import conf
from tinhso.soc.choices import DecisionKind, Scope

FAMILY = "inet"
DEFAULT_TABLE = "tinhso"
DEFAULT_SET = "tinhso_ban"
ELEMENTS_PER_LINE = 500
MAX_SPLIT = 4096  # pieces a range may be cut into around allowlisted addresses
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,27}$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def check_name(name: str) -> str:
    """A table or set name nft accepts unquoted (letters, digits, underscore)."""
    if not _NAME.match(name or ""):
        raise ValidationError(
            _("Tên bảng hoặc tập nftables không hợp lệ (chữ cái, chữ số, dấu gạch dưới)."),
            code="soc_bad_nft_name",
        )
    return name


def _protected() -> list[tuple[Network, int, int, int]]:
    """Allowlisted networks and trusted proxies as (network, version, first, last)."""
    entries = list(conf.get("TINHSO_SOC_ALLOWLIST")) + list(net.trusted_proxies())
    return [
        (n, n.version, int(n.network_address), int(n.broadcast_address))
        for n in net.networks(tuple(entries))
    ]


def _without_protected(network: Network, protected) -> list[Network]:
    """The network minus every allowlisted one it overlaps (empty when it lies inside one)."""
    first = int(network.network_address)
    last = first + (1 << (network.max_prefixlen - network.prefixlen)) - 1
    overlapping = [
        allowed
        for allowed, version, lo, hi in protected
        if version == network.version and lo <= last and first <= hi
    ]
    if not overlapping:  # the common case: integer comparisons only
        return [network]
    pieces = [network]
    for allowed in overlapping:
        kept = []
        for piece in pieces:
            if piece.subnet_of(allowed):
                continue
            if allowed.subnet_of(piece):
                kept.extend(piece.address_exclude(allowed))
            else:
                kept.append(piece)
        pieces = kept
        if len(pieces) > MAX_SPLIT:  # refuse to write a huge file: leave the range out
            return []
    return pieces


def _parse(value: str) -> Network | None:
    try:
        if "/" in value:
            return ipaddress.ip_network(value, strict=False)
        address = ipaddress.ip_address(value)  # faster than ip_network for one address
        return ipaddress.ip_network((int(address), address.max_prefixlen))
    except ValueError:
        return None


def active_bans(*, now: datetime | None = None) -> dict[int, list[tuple[Network, int]]]:
    """{4: [(network, seconds left)], 6: [...]}: what the firewall should drop now."""
    from tinhso.soc.models import Decision

    now = now or timezone.now()
    rows = Decision.objects.filter(
        kind=DecisionKind.BAN,
        scope__in=[Scope.IP, Scope.RANGE],
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).values_list("value", "expires_at")
    # (version, prefix length, first address) → (network, latest expiry)
    latest: dict[tuple[int, int, int], tuple[Network, datetime]] = {}
    protected = _protected()
    for value, expires in rows.iterator(chunk_size=5000):
        network = _parse(value)
        if network is None:
            continue
        for piece in _without_protected(network, protected):
            key = (piece.version, piece.prefixlen, int(piece.network_address))
            seen = latest.get(key)
            if seen is None or seen[1] < expires:
                latest[key] = (piece, expires)
    result: dict[int, list[tuple[Network, int]]] = {4: [], 6: []}
    # Wider ranges first; an element inside a kept range is left out. Kept ranges are
    # remembered as {prefix length: {address >> host bits}}, so the test is a few set
    # look-ups per element, whatever the number of ranges.
    kept: dict[int, dict[int, set[int]]] = {4: {}, 6: {}}
    chosen: dict[int, list[tuple[int, Network, int]]] = {4: [], 6: []}
    for key in sorted(latest):
        version, prefixlen, start = key
        network, expires = latest[key]
        bits = network.max_prefixlen
        wider = kept[version]
        if any(
            prefix < prefixlen and (start >> (bits - prefix)) in keys
            for prefix, keys in wider.items()
        ):
            continue
        if prefixlen < bits:  # only a range can hold another element
            wider.setdefault(prefixlen, set()).add(start >> (bits - prefixlen))
        seconds = max(1, math.ceil((expires - now).total_seconds()))
        chosen[version].append((start, network, seconds))
    for version in result:
        chosen[version].sort(key=lambda item: item[0])
        result[version] = [(network, seconds) for _start, network, seconds in chosen[version]]
    return result


def _element(network: Network, seconds: int) -> str:
    text = (
        str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)
    )
    return f"{text} timeout {seconds}s"


def render(
    *,
    table: str = DEFAULT_TABLE,
    set_name: str = DEFAULT_SET,
    now: datetime | None = None,
) -> str:
    """The ``nft -f`` file defining ``<set_name>_v4`` / ``_v6`` with the active bans."""
    check_name(table)
    check_name(set_name)
    now = now or timezone.now()
    bans = active_bans(now=now)
    lines = [
        "#!/usr/sbin/nft -f",
        f"# tinhso: active bans (address and range decisions) at {now.isoformat(timespec='seconds')}",
        f"# {len(bans[4])} IPv4 and {len(bans[6])} IPv6 elements; applied atomically by nft -f.",
        f"add table {FAMILY} {table}",
    ]
    for version, kind in ((4, "ipv4_addr"), (6, "ipv6_addr")):
        name = f"{set_name}_v{version}"
        lines.append(f"add set {FAMILY} {table} {name} {{ type {kind}; flags interval, timeout; }}")
        lines.append(f"flush set {FAMILY} {table} {name}")
        elements = bans[version]
        for start in range(0, len(elements), ELEMENTS_PER_LINE):
            chunk = ", ".join(
                _element(n, s) for n, s in elements[start : start + ELEMENTS_PER_LINE]
            )
            lines.append(f"add element {FAMILY} {table} {name} {{ {chunk} }}")
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename it over ``path``, so the
    firewall never reads half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class ExportUnauthorized(TinhsoError):
    status = 401
    code = "soc_export_unauthorized"
    default_message = _("Thiếu hoặc sai mã truy cập để tải danh sách chặn.")


def _json_error(request, error: TinhsoError) -> JsonResponse:
    response = JsonResponse(
        error_body(request, error), status=error.status, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-store"
    return response


def token_ok(header: str) -> bool:
    """``Authorization: Bearer <TINHSO_SOC_EXPORT_TOKEN>``, compared in constant time; an
    empty setting refuses everyone."""
    expected = str(conf.get("TINHSO_SOC_EXPORT_TOKEN") or "")
    scheme, _sep, given = (header or "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def export_view(request):
    """``GET /soc/nftables.nft``: the ``nft -f`` file for the firewall, with the token."""
    if request.method not in ("GET", "HEAD"):
        response = _json_error(request, MethodNotAllowed(details={"allowed": ["GET", "HEAD"]}))
        response["Allow"] = "GET, HEAD"
        return response
    if not token_ok(request.headers.get("Authorization", "")):
        response = _json_error(request, ExportUnauthorized())
        response["WWW-Authenticate"] = 'Bearer realm="tinhso-soc"'
        return response
    try:
        text = render(
            table=request.GET.get("table", DEFAULT_TABLE),
            set_name=request.GET.get("set", DEFAULT_SET),
        )
    except TinhsoError as exc:
        return _json_error(request, exc)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
