"""Sigma field names mapped onto our ``Event`` (docs/soc.md, "Sigma rules and baselines").

Sigma's webserver taxonomy (``c-ip``, ``cs-method``, ``cs-uri-stem``, ...), the common
network names (``src_ip``, ``dst_port``, ...) and our own attribute names all resolve to
one canonical name; a name not listed is looked up in ``event.extra`` as it is.
"""

from __future__ import annotations

from tinhso.soc.schema import Event


def _query(e: Event):
    return e.url.split("?", 1)[1] if "?" in e.url else ""


def _extra(name: str):
    return lambda e: e.extra.get(name)


def _internal(ip: str) -> str:
    from tinhso.soc import conf

    return "true" if conf._in(ip, "TINHSO_SOC_INTERNAL_NETWORKS") else "false"


def _dst_ip(e: Event):
    return e.extra.get("dst_ip") or e.extra.get("dst_host")


# canonical name -> getter (returns str, int or None when the event has no such field)
GETTERS = {
    "source_ip": lambda e: e.source_ip,
    "user": lambda e: e.user,
    "host": lambda e: e.host,
    "method": lambda e: e.method,
    "url": lambda e: e.url,
    "path": lambda e: e.path,
    "query": _query,
    "status": lambda e: e.status,
    "bytes": lambda e: e.bytes,
    "user_agent": lambda e: e.user_agent,
    "outcome": lambda e: e.outcome,
    "message": lambda e: e.message,
    "source": lambda e: e.source,
    "dst_ip": _dst_ip,
    "dst_port": _extra("dst_port"),
    "src_port": _extra("src_port"),
    "proto": _extra("proto"),
    "action": _extra("action"),
    "score": _extra("score"),
    # "true" / "false": the address is in TINHSO_SOC_INTERNAL_NETWORKS
    "src_internal": lambda e: _internal(e.source_ip) if e.source_ip else None,
    "dst_internal": lambda e: _internal(ip) if (ip := _dst_ip(e)) else None,
}

# Sigma / common names -> canonical name (compared lowercased)
ALIASES = {
    # webserver taxonomy (W3C extended log names)
    "c-ip": "source_ip",
    "cs-method": "method",
    "cs-uri-stem": "path",
    "cs-uri-query": "query",
    "cs-uri": "url",
    "sc-status": "status",
    "cs-user-agent": "user_agent",
    "cs-username": "user",
    "cs-host": "host",
    "sc-bytes": "bytes",
    # network / firewall
    "src_ip": "source_ip",
    "sourceip": "source_ip",
    "client_ip": "source_ip",
    "ip": "source_ip",
    "dst_ip": "dst_ip",
    "destinationip": "dst_ip",
    "dst_port": "dst_port",
    "destinationport": "dst_port",
    "src_port": "src_port",
    "sourceport": "src_port",
    "protocol": "proto",
    # authentication
    "targetusername": "user",
    "username": "user",
    "user.name": "user",
    # our own names
    "source_ip": "source_ip",
    "user": "user",
    "host": "host",
    "method": "method",
    "url": "url",
    "path": "path",
    "query": "query",
    "status": "status",
    "bytes": "bytes",
    "user_agent": "user_agent",
    "outcome": "outcome",
    "message": "message",
    "source": "source",
    "proto": "proto",
    "action": "action",
    "score": "score",
    "src_internal": "src_internal",
    "dst_internal": "dst_internal",
}


def canonical(name: str) -> str:
    """Our name for a Sigma field (unknown names are kept: they are read from ``extra``)."""
    return ALIASES.get(name.lower(), name)


def getter(name: str):
    """A function reading the field (canonical name) from an event."""
    return GETTERS.get(name) or _extra(name)


KEYWORD_FIELD = "_text"
"""Pseudo-field for Sigma keywords (values without a field): message, URL and user agent."""


def keyword_text(e: Event) -> str:
    return "\n".join(x for x in (e.message, e.url, e.user_agent) if x)


GETTERS[KEYWORD_FIELD] = keyword_text
