"""Absolute addresses the platform prints or encodes (QR codes, receipts, messages).

They are built from ``TINHSO_PUBLIC_URL``, the address citizens reach the platform
at, never from the host of the request being served: a result signed by a
background job, a receipt printed at the desk behind a proxy and an e-mail all
carry the same, reachable address (docs/deployment.md).
"""

from __future__ import annotations

from django.conf import settings


def public_url(path: str) -> str:
    """``path`` (starting with "/") on the platform's public address."""
    base = (getattr(settings, "TINHSO_PUBLIC_URL", "") or "").rstrip("/")
    if not path.startswith("/"):
        path = "/" + path
    return f"{base}{path}"
