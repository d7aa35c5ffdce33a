"""The in-process view of active decisions that the middleware checks on every request.

It costs no database query in the common case: the cache is reloaded from the database
only when the shared stamp (written when any process takes a decision) changed, checked
at most every TINHSO_SOC_REFRESH_SECONDS, or every TINHSO_SOC_RELOAD_SECONDS at the latest.
Decisions taken in this process are added at once.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from tinhso.soc import conf


@dataclass(frozen=True, slots=True)
class Active:
    kind: str
    expires: float  # epoch seconds
    rule: str
    id: int = 0  # the decision's id (a challenge pass is bound to it)


_STRENGTH = {"ban": 3, "rate_limit": 2, "challenge": 1}


def stronger(current: Active | None, new: Active) -> Active:
    """Of two active decisions on the same key, the one enforced: a ban over a rate-limit over
    a challenge, then the later expiry (a new challenge never lifts a running ban)."""
    if current is None or current.expires <= time.time():
        return new
    key_new = (_STRENGTH.get(new.kind, 0), new.expires)
    key_cur = (_STRENGTH.get(current.kind, 0), current.expires)
    return new if key_new > key_cur else current


def outranks(kind: str, current: Active | None) -> bool:
    """True when a new decision of ``kind`` would be stronger than the active one (a rule
    asking for a ban against a client that is only challenged)."""
    return current is None or _STRENGTH.get(kind, 0) > _STRENGTH.get(current.kind, 0)


class DecisionCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.ips: dict[str, Active] = {}
        self.ranges: list[tuple[ipaddress._BaseNetwork, Active]] = []
        self.users: dict[str, Active] = {}
        self._stamp = None
        self._checked = 0.0
        self._loaded = -1e18
        self.reloads = 0

    def invalidate(self) -> None:
        self._loaded = -1e18
        self._checked = 0.0

    def add(self, decision) -> None:
        entry = Active(decision.kind, decision.expires_at.timestamp(), decision.rule, decision.pk)
        with self._lock:
            self._put(decision.scope, decision.value, entry)

    def _put(self, scope: str, value: str, entry: Active) -> None:
        if scope == "ip":
            self.ips[value] = stronger(self.ips.get(value), entry)
        elif scope == "range":
            with contextlib.suppress(ValueError):
                self.ranges.append((ipaddress.ip_network(value, strict=False), entry))
        elif scope == "user":
            self.users[value] = stronger(self.users.get(value), entry)

    def reload(self) -> None:
        from tinhso.soc.models import Decision

        now = timezone.now()
        rows = Decision.objects.filter(revoked_at__isnull=True, expires_at__gt=now).values_list(
            "scope", "value", "kind", "expires_at", "rule", "id"
        )
        ips, ranges, users = {}, [], {}
        for scope, value, kind, expires, rule, pk in rows:
            entry = Active(kind, expires.timestamp(), rule, pk)
            if scope == "ip":
                ips[value] = stronger(ips.get(value), entry)
            elif scope == "range":
                try:
                    ranges.append((ipaddress.ip_network(value, strict=False), entry))
                except ValueError:
                    continue
            else:
                users[value] = stronger(users.get(value), entry)
        with self._lock:
            self.ips, self.ranges, self.users = ips, ranges, users
        self._loaded = time.monotonic()
        self.reloads += 1

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < conf.get("TINHSO_SOC_REFRESH_SECONDS"):
            return
        self._checked = now
        try:
            stamp = cache.get("tinhso:soc:decisions:stamp")
        except Exception:
            stamp = self._stamp
        if stamp != self._stamp or now - self._loaded >= conf.get("TINHSO_SOC_RELOAD_SECONDS"):
            self._stamp = stamp
            self.reload()

    def lookup_ip(self, ip: str) -> Active | None:
        now = time.time()
        entry = self.ips.get(ip)
        if entry and entry.expires > now:
            return entry
        if self.ranges and ip:
            try:
                addr = ipaddress.ip_address(ip)
            except ValueError:
                return None
            for net, entry in self.ranges:
                if entry.expires > now and addr.version == net.version and addr in net:
                    return entry
        return None

    def lookup_user(self, username: str) -> Active | None:
        entry = self.users.get(username)
        if entry and entry.expires > time.time():
            return entry
        return None


DECISIONS = DecisionCache()
