"""The one event schema every source is normalised to (in memory, never stored as is)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Event:
    """One thing that happened: a web request, a sign-in outcome, a syslog line.

    ``outcome`` is ``""`` for plain requests, ``"login_failed"`` / ``"login_ok"`` for
    sign-in outcomes; ``source`` says where the event came from (``platform``,
    ``access_log``, ``syslog``, ``json``).
    """

    time: datetime | None = None
    source_ip: str = ""
    user: str = ""
    host: str = ""
    method: str = ""
    url: str = ""
    status: int = 0
    bytes: int = 0
    user_agent: str = ""
    outcome: str = ""
    message: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.url.split("?", 1)[0]

    def as_dict(self) -> dict:
        return {
            "time": self.time.isoformat() if self.time else None,
            "source_ip": self.source_ip,
            "user": self.user,
            "host": self.host,
            "method": self.method,
            "url": self.url[:2000],
            "status": self.status,
            "bytes": self.bytes,
            "user_agent": self.user_agent[:500],
            "outcome": self.outcome,
            "message": self.message[:1000],
            "source": self.source,
        }
