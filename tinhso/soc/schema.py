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

    def snapshot(self) -> tuple:
        """The fields ``as_dict`` keeps, cut to the same lengths, as a tuple:
        ``Event(*snapshot).as_dict() == as_dict()``. Kept as bucket evidence: a tuple
        sharing the event's strings is far smaller than a dict, and ``extra`` is left
        behind as in ``as_dict``. Keep it in step with ``as_dict`` and the field order."""
        return (
            self.time,
            self.source_ip,
            self.user,
            self.host,
            self.method,
            self.url[:2000],
            self.status,
            self.bytes,
            self.user_agent[:500],
            self.outcome,
            self.message[:1000],
            self.source,
        )

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
