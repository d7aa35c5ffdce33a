"""The body of ``POST /api/v1/soc/ingest``: JSON lines (or a JSON array) into the engine.

Each line is parsed like a log line (``auto``: a JSON object, or a syslog, access-log or
firewall line as text); an array's items may be objects or such lines as strings. Bad
lines (broken JSON, binary, broken UTF-8, too long) are skipped and counted, never
fatal. The whole body is checked before anything is queued: too many lines refuse it
all (nothing half-taken). Events carry the token's source name in ``event.source`` (the
format moves to ``extra["format"]``) and go to ``EVENTS.submit``, which drops and counts
when the engine is behind; the answer says how many were accepted, skipped and dropped.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import AuthenticationFailed, PayloadTooLarge, ValidationError
from tinhso.soc import conf
from tinhso.soc.parsing import LineParser


class BadIngestToken(AuthenticationFailed):
    code = "soc_bad_token"
    default_message = _("Mã nhận nhật ký không hợp lệ hoặc bị thiếu.")


class IngestTooLarge(PayloadTooLarge):
    code = "soc_ingest_too_large"
    default_message = _("Gói nhật ký gửi lên quá lớn.")


class IngestTooManyLines(PayloadTooLarge):
    code = "soc_ingest_too_many_lines"
    default_message = _("Gói nhật ký có quá nhiều dòng.")


class IngestBadArray(ValidationError):
    code = "soc_ingest_bad_json"
    default_message = _(
        "Nội dung bắt đầu bằng [ nhưng không phải một mảng JSON hợp lệ; "
        "hãy gửi một mảng JSON hoặc mỗi dòng một đối tượng JSON."
    )


class IngestBadCompression(ValidationError):
    code = "soc_ingest_bad_compression"
    default_message = _("Không giải nén được nội dung gửi lên (chỉ nhận gzip hoặc không nén).")


def decompress(*, body: bytes, encoding: str, max_bytes: int) -> bytes:
    """The body as sent (``Content-Encoding: gzip`` or none), at most ``max_bytes`` once
    unpacked: a small body that unpacks to more is refused, not unpacked whole."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise IngestBadCompression(details={"content_encoding": encoding[:32]})
    unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = unpacker.decompress(body, max_bytes + 1)
    except zlib.error:
        raise IngestBadCompression() from None
    if len(data) > max_bytes:
        raise IngestTooLarge(details={"max_bytes": max_bytes})
    if not unpacker.eof:
        raise IngestBadCompression()
    return data


def _lines(body: bytes, max_lines: int) -> list[bytes | str]:
    if body.lstrip()[:1] == b"[":
        try:
            items = json.loads(body)
        except (ValueError, RecursionError):
            raise IngestBadArray() from None
        if not isinstance(items, list):
            raise IngestBadArray()
        if len(items) > max_lines:
            raise IngestTooManyLines(details={"max_lines": max_lines, "lines": len(items)})
        out: list[bytes | str] = []
        for item in items:
            if isinstance(item, dict):
                out.append(json.dumps(item, ensure_ascii=False))
            elif isinstance(item, str):
                out.append(item)
            else:
                out.append(b"\x00")  # neither an object nor a line: skipped as binary
        return out
    lines = body.split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) > max_lines:
        raise IngestTooManyLines(details={"max_lines": max_lines, "lines": len(lines)})
    return lines


def ingest_body(*, body: bytes, source: str, encoding: str = "") -> dict:
    """Parse and queue a request body; the counts for the 202 answer."""
    from tinhso.soc.engine import EVENTS

    max_bytes = conf.get("TINHSO_SOC_INGEST_MAX_BYTES")
    if len(body) > max_bytes:
        raise IngestTooLarge(details={"max_bytes": max_bytes, "content_length": len(body)})
    body = decompress(body=body, encoding=encoding, max_bytes=max_bytes)
    lines = _lines(body, conf.get("TINHSO_SOC_INGEST_MAX_LINES"))
    parser = LineParser("auto")
    events = []
    for line in lines:
        if isinstance(line, str) and "\n" in line:
            line = line.replace("\r", " ").replace("\n", " ")
        event = parser.parse(line)
        if event is not None:
            events.append(event)
    accepted = dropped = skew = 0
    now = datetime.now(UTC).timestamp()
    max_skew = conf.get("TINHSO_SOC_INGEST_MAX_SKEW_SECONDS")
    for event in events:
        event.extra["format"] = event.source
        event.source = source
        if event.time is not None and abs(event.time.timestamp() - now) > max_skew:
            skew += 1  # kept; the engine judges events at their arrival anyway
        if EVENTS.submit(event):
            accepted += 1
        else:
            dropped += 1
    reasons = Counter({k: v for k, v in parser.counts.items() if k != "parsed"})
    return {
        "accepted": accepted,
        "skipped": sum(reasons.values()),
        "dropped": dropped,
        "skipped_by_reason": dict(reasons),
        "clock_skew": skew,
    }
