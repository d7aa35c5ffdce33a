"""Parsers for log lines: nginx/apache combined, syslog RFC 3164 and 5424, JSON lines.

Every parser takes ``bytes`` or ``str`` and returns an ``Event`` or ``None``; it never
raises. ``LineParser`` counts what it skipped (garbage, too long, broken encoding).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from datetime import UTC, datetime

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


def _valid_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


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
    ip = _valid_ip(m["ip"])
    if not ip:
        return None
    try:
        when = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        return None
    parts = m["request"].split(" ")
    method, url = (parts[0], parts[1]) if len(parts) >= 2 else ("", m["request"])
    proto = parts[2] if len(parts) >= 3 else ""
    return Event(
        time=when,
        source_ip=ip,
        user="" if m["user"] == "-" else m["user"],
        method=method,
        url=url,
        status=int(m["status"]),
        bytes=_int(m["bytes"]),
        user_agent=m["ua"] or "",
        source="access_log",
        extra={"protocol": proto, "request_line": m["request"]},
    )


def _from_message(ev: Event, msg: str) -> Event:
    ip = _IP_IN_MSG.search(msg)
    if ip:
        ev.source_ip = _valid_ip(ip.group(1))
    user = _USER_IN_MSG.search(msg)
    if user:
        ev.user = user.group(1)
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


PARSERS = {"combined": parse_combined, "syslog": parse_syslog, "json": parse_json}


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
                    parse_json if first == "{" else parse_syslog if first == "<" else parse_combined
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
