"""Ingest tokens: ``TINHSO_SOC_INGEST_TOKENS`` lists ``name:sha256-hex`` entries.

Only the hash of each token is configured; a presented token is hashed and compared with
every entry by ``hmac.compare_digest`` (no early exit, no timing hint of which entry was
close). The entry's name is the source recorded on the events it sends.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from tinhso.soc import conf

_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def configured() -> list[tuple[str, bytes]]:
    """The well-formed entries (name, digest); malformed ones are ignored."""
    entries = conf.get("TINHSO_SOC_INGEST_TOKENS")
    if isinstance(entries, str):
        entries = entries.split(",")
    out = []
    for entry in entries or ():
        name, _, digest = str(entry).strip().partition(":")
        digest = digest.strip().lower()
        if _NAME.match(name) and _HEX.match(digest):
            out.append((name, bytes.fromhex(digest)))
    return out


def source_for(token: str) -> str | None:
    """The source name of a presented token, or None."""
    if not token or len(token) > 256:
        return None
    digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
    found = None
    for name, expected in configured():
        if hmac.compare_digest(digest, expected) and found is None:
            found = name
    return found


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


def token_new(*, name: str) -> tuple[str, str]:
    """A new random token and the environment entry (``name:sha256-hex``) that admits it."""
    token = "soc_" + secrets.token_urlsafe(32)
    return token, f"{name}:{hashlib.sha256(token.encode()).hexdigest()}"
