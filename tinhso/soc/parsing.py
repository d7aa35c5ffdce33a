"""Parsers for log lines: nginx/apache combined, syslog RFC 3164 and 5424, JSON lines,
firewall lines (iptables/nftables kernel LOG lines, bare or inside syslog, and key=value).

Every parser takes ``bytes`` or ``str`` and returns an ``Event`` or ``None``; it never
raises. ``LineParser`` counts what it skipped (garbage, too long, broken encoding).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

from tinhso.soc.schema import Event

MAX_LINE_BYTES = 16 * 1024

_COMBINED = re.compile(
    r"^(?P<ip>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "
    r'"(?P<request>[^"\\]*(?:\\.[^"\\]*)*)" (?P<status>\d{3}) (?P<bytes>\d+|-)'
    r'(?: "(?P<referer>[^"\\]*(?:\\.[^"\\]*)*)" "(?P<ua>[^"\\]*(?:\\.[^"\\]*)*)")?'
)
_RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<time>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) "
    r"(?P<msgid>\S+) (?P<sd>-|(?:\[[^\]]*\])+)(?: (?P<msg>.*))?$"
)
_RFC3164 = re.compile(
    r"^<(?P<pri>\d{1,3})>(?P<time>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
    r"(?P<tag>[^:\[\s]+)(?:\[(?P<pid>\d+)\])?: ?(?P<msg>.*)$"
)
_IP_IN_MSG = re.compile(
    r"(?:from|rhost=|SRC=)\s*(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)"
)
_USER_IN_MSG = re.compile(r"(?:for (?:invalid user )?|user=)([\w.@-]+)")


# A canonical dotted quad (no leading zeros), which ipaddress accepts and prints
# unchanged: one regex instead of building an address object. Anything else (IPv6,
# odd forms) goes through ipaddress.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def _valid_ip(value: str) -> str:
    if _IPV4.fullmatch(value):
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


# Access-log times ("20/Nov/2026:08:15:02 +0700"): the common form is read without
# strptime (tens of µs a line) and, since consecutive lines
# share their second, each distinct text is parsed once (a small cache, emptied when
# full). Any other form goes to strptime as before.
_ACCESS_TIME = re.compile(
    r"([0-9]{2})/([A-Z][a-z]{2})/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-5][0-9])"
)
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_TIMES: dict[str, datetime | None] = {}
_TIMES_MAX = 4096
_USER_AGENTS: dict[str, str] = {}  # one string object per distinct user agent
_USER_AGENTS_MAX = 10_000


def _access_time(text: str) -> datetime | None:
    try:
        return _TIMES[text]
    except KeyError:
        pass
    m = _ACCESS_TIME.fullmatch(text)
    when = None
    try:
        if m and m[2] in _MONTHS:
            offset = timedelta(hours=int(m[8]), minutes=int(m[9]))
            when = datetime(
                int(m[3]),
                _MONTHS[m[2]],
                int(m[1]),
                int(m[4]),
                int(m[5]),
                int(m[6]),
                tzinfo=timezone(-offset if m[7] == "-" else offset),
            )
        else:
            when = datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        when = None
    if len(_TIMES) >= _TIMES_MAX:
        _TIMES.clear()
    _TIMES[text] = when
    return when


def _user_agent(text: str) -> str:
    same = _USER_AGENTS.get(text)
    if same is None:
        if len(_USER_AGENTS) >= _USER_AGENTS_MAX:
            _USER_AGENTS.clear()
        same = _USER_AGENTS[text] = text
    return same


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def parse_combined(line: str) -> Event | None:
    """nginx/apache ``combined`` (or ``common``) access log line."""
    m = _COMBINED.match(line)
    if not m:
        return None
    address, user, time_text, request, status, size, ua = m.group(
        "ip", "user", "time", "request", "status", "bytes", "ua"
    )
    ip = _valid_ip(address)
    if not ip:
        return None
    when = _access_time(time_text)
    if when is None:
        return None
    parts = request.split(" ")
    method, url = (parts[0], parts[1]) if len(parts) >= 2 else ("", request)
    proto = parts[2] if len(parts) >= 3 else ""
    return Event(
        time=when,
        source_ip=ip,
        user="" if user == "-" else user,
        method=method,
        url=url,
        status=int(status),
        bytes=_int(size),
        user_agent=_user_agent(ua) if ua else "",
        source="access_log",
        extra={"protocol": proto, "request_line": request},
    )


def _from_message(ev: Event, msg: str) -> Event:
    ip = _IP_IN_MSG.search(msg)
    if ip:
        ev.source_ip = _valid_ip(ip.group(1))
    user = _USER_IN_MSG.search(msg)
    if user:
        ev.user = user.group(1)
    if "SRC=" in msg and "DST=" in msg:
        fields = firewall_fields(msg)
        if fields is not None:
            ev.source_ip = fields.pop("src_ip")
            ev.extra.update(fields)
            return ev
    low = msg.lower()
    if "failed password" in low or "authentication failure" in low or "invalid user" in low:
        ev.outcome = "login_failed"
    elif "accepted password" in low or "accepted publickey" in low:
        ev.outcome = "login_ok"
    return ev


def parse_syslog(line: str, *, year: int | None = None) -> Event | None:
    """Syslog RFC 5424 or RFC 3164 line (the year of 3164 lines is the current one)."""
    m = _RFC5424.match(line)
    if m:
        try:
            when = datetime.fromisoformat(m["time"].replace("Z", "+00:00"))
        except ValueError:
            when = None
        msg = (m["msg"] or "").removeprefix("\ufeff")
        ev = Event(time=when, host=m["host"], message=msg, source="syslog", extra={"app": m["app"]})
        return _from_message(ev, msg)
    m = _RFC3164.match(line)
    if m:
        year = year or datetime.now(UTC).year
        try:
            when = datetime.strptime(f"{year} {m['time']}", "%Y %b %d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            return None
        ev = Event(
            time=when, host=m["host"], message=m["msg"], source="syslog", extra={"app": m["tag"]}
        )
        return _from_message(ev, m["msg"])
    return None


_JSON_KEYS = {
    "source_ip": ("source_ip", "ip", "remote_addr", "client_ip"),
    "user": ("user", "username"),
    "host": ("host", "hostname"),
    "method": ("method",),
    "url": ("url", "uri", "path", "request_uri"),
    "user_agent": ("user_agent", "http_user_agent", "ua"),
    "outcome": ("outcome",),
    "message": ("message", "msg"),
}


def parse_json(line: str) -> Event | None:
    """One JSON object per line with the schema's field names (or common aliases)."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    ev = Event(source="json")
    for attr, keys in _JSON_KEYS.items():
        for key in keys:
            value = data.get(key)
            if isinstance(value, str):
                setattr(ev, attr, value[:MAX_LINE_BYTES])
                break
    ev.source_ip = _valid_ip(ev.source_ip) if ev.source_ip else ""
    ev.status = _int(data.get("status"))
    ev.bytes = _int(data.get("bytes"))
    when = data.get("time") or data.get("timestamp")
    if isinstance(when, str):
        try:
            ev.time = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            ev.time = None
    if not (ev.source_ip or ev.url or ev.message):
        return None
    return ev


# Firewall lines: the kernel's LOG/nftables ``log`` target (``IN=eth0 OUT= SRC=.. DST=..
# PROTO=TCP SPT=.. DPT=..``, with an optional prefix such as ``[UFW BLOCK]``), bare (as in
# /var/log/kern.log) or inside syslog, and a generic ``key=value`` form (``action=drop
# src=.. dst=.. proto=tcp dport=22``). The event's ``extra`` gets ``firewall`` (True),
# ``dst_ip``, ``dst_port`` (0 when the protocol has none), ``src_port``, ``proto``
# (lowercase) and ``action`` (drop, reject, accept or log).
_KV = re.compile(r'([A-Za-z_][\w.-]*)=("[^"]*"|\S*)')
_FW_ACTION = re.compile(
    r"\b(block(?:ed)?|drop(?:ped)?|den(?:y|ied)|reject(?:ed)?|allow(?:ed)?|accept(?:ed)?|pass)\b",
    re.IGNORECASE,
)
_FW_ACTIONS = {"block": "drop", "drop": "drop", "den": "drop", "reject": "reject"}
_FW_KEYS = {
    "src_ip": ("src", "src_ip", "srcip", "source_ip"),
    "dst_ip": ("dst", "dst_ip", "dstip", "destination_ip"),
    "src_port": ("spt", "sport", "src_port", "srcport"),
    "dst_port": ("dpt", "dport", "dst_port", "dstport"),
    "proto": ("proto", "protocol"),
    "action": ("action", "act"),
    "in_if": ("in",),
    "out_if": ("out",),
}
_FW_PREFIX_3164 = re.compile(
    r"^(?P<time>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) (?P<tag>[^:\s]+): "
)
_FW_PREFIX_ISO = re.compile(r"^(?P<time>\d{4}-\d\d-\d\dT\S+) (?P<host>\S+) (?P<tag>[^:\s]+): ")


def _fw_action(word: str) -> str:
    word = word.lower()
    for stem, action in _FW_ACTIONS.items():
        if word.startswith(stem):
            return action
    return "accept" if word else "log"


def firewall_fields(msg: str) -> dict | None:
    """The firewall fields of a kernel LOG or key=value message, or None when it has no
    valid source and destination address."""
    pairs = {}
    for key, value in _KV.findall(msg[:MAX_LINE_BYTES]):
        pairs.setdefault(key.lower(), value.strip('"'))
    found = {}
    for name, keys in _FW_KEYS.items():
        for key in keys:
            if key in pairs:
                found[name] = pairs[key]
                break
    src, dst = _valid_ip(found.get("src_ip", "")), _valid_ip(found.get("dst_ip", ""))
    if not (src and dst):
        return None
    action = found.get("action", "")
    if not action:
        head = msg.split("IN=", 1)[0] if "IN=" in msg else msg
        match = _FW_ACTION.search(head)
        action = match.group(1) if match else ""
    return {
        "firewall": True,
        "src_ip": src,
        "dst_ip": dst,
        "dst_port": _int(found.get("dst_port")),
        "src_port": _int(found.get("src_port")),
        "proto": found.get("proto", "").lower()[:16],
        "action": _fw_action(action) if action else "log",
        "in_if": found.get("in_if", "")[:32],
        "out_if": found.get("out_if", "")[:32],
    }


def parse_firewall(line: str, *, year: int | None = None) -> Event | None:
    """A firewall line: a kernel LOG line (bare, with the ``Mmm dd hh:mm:ss host kernel:``
    or ISO prefix of a log file, or inside syslog) or a ``key=value`` line."""
    if line.startswith("<"):
        ev = parse_syslog(line, year=year)
        return ev if ev is not None and ev.extra.get("firewall") else None
    fields = firewall_fields(line)
    if fields is None:
        return None
    ev = Event(source="firewall", message=line[:1000])
    m = _FW_PREFIX_3164.match(line) or _FW_PREFIX_ISO.match(line)
    if m:
        ev.host = m["host"]
        try:
            if m.re is _FW_PREFIX_ISO:
                ev.time = datetime.fromisoformat(m["time"].replace("Z", "+00:00"))
            else:
                when = f"{year or datetime.now(UTC).year} {m['time']}"
                ev.time = datetime.strptime(when, "%Y %b %d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            ev.time = None
    ev.source_ip = fields.pop("src_ip")
    ev.extra.update(fields)
    return ev


def _parse_plain(line: str) -> Event | None:
    """A line that is neither JSON nor syslog: an access log line, else a firewall line."""
    event = parse_combined(line)
    if event is None and "=" in line:
        event = parse_firewall(line)
    return event


PARSERS = {
    "combined": parse_combined,
    "syslog": parse_syslog,
    "json": parse_json,
    "firewall": parse_firewall,
}


class LineParser:
    """Parses lines of one format, counting what it skipped and why; never raises."""

    def __init__(self, fmt: str = "auto", *, max_bytes: int = MAX_LINE_BYTES) -> None:
        self.fmt = fmt
        self.max_bytes = max_bytes
        self.counts: Counter = Counter()

    def _decode(self, raw: bytes | str) -> str | None:
        if isinstance(raw, str):
            if len(raw) > self.max_bytes:
                self.counts["too_long"] += 1
                return None
            return raw.rstrip("\r\n")
        if len(raw) > self.max_bytes:
            self.counts["too_long"] += 1
            return None
        if b"\x00" in raw:
            self.counts["binary"] += 1
            return None
        try:
            return raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            self.counts["bad_encoding"] += 1
            return None

    def parse(self, raw: bytes | str) -> Event | None:
        line = self._decode(raw)
        if line is None:
            return None
        if not line.strip():
            self.counts["empty"] += 1
            return None
        try:
            if self.fmt == "auto":
                first = line.lstrip()[:1]
                parser = (
                    parse_json if first == "{" else parse_syslog if first == "<" else _parse_plain
                )
            else:
                parser = PARSERS[self.fmt]
            event = parser(line)
        except Exception:
            event = None
        if event is None:
            self.counts["garbage"] += 1
            return None
        self.counts["parsed"] += 1
        return event
