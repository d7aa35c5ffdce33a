"""Security operations over HTTP (mounted at ``/api/v1/soc/``): log ingest with a token."""

from __future__ import annotations

from datetime import UTC, datetime

from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from tinhso.soc import conf
from tinhso.soc.ingest import tokens
from tinhso.soc.ingest.http import BadIngestToken, ingest_body
from tinhso.soc.schema import Event

router = Router(tags=["soc"])


class IngestOut(Schema):
    accepted: int
    skipped: int
    dropped: int
    skipped_by_reason: dict[str, int]
    clock_skew: int


def _source(request) -> str:
    """The source name of the request's bearer token; a bad one counts as a failed sign-in
    (the brute-force rule bans an address that keeps guessing)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    source = tokens.source_for(token.strip()) if scheme.lower() == "bearer" else None
    if source is None:
        from tinhso.soc.engine import EVENTS

        ip = conf.client_ip(request)
        if conf.get("TINHSO_SOC_ENABLED") and not conf.allowlisted(ip):
            EVENTS.submit(
                Event(
                    time=datetime.now(UTC),
                    source_ip=ip,
                    outcome="login_failed",
                    source="platform",
                    message="soc ingest: bad token",
                )
            )
        raise BadIngestToken()
    return source


class IngestToken(HttpBearer):
    """``Authorization: Bearer <token>`` checked against TINHSO_SOC_INGEST_TOKENS; a
    missing or wrong token is 401 ``soc_bad_token`` (not the API's generic code)."""

    def __call__(self, request):
        return _source(request)

    def authenticate(self, request, token):  # pragma: no cover (``__call__`` decides)
        return tokens.source_for(token)


@router.post(
    "/ingest",
    auth=IngestToken(),
    response={202: IngestOut},
    summary="Nhận nhật ký từ một nguồn được cấp mã",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "description": "JSON lines (mỗi dòng một đối tượng JSON hoặc một dòng "
                        "nhật ký) hoặc một mảng JSON",
                        "type": "string",
                    }
                }
            },
        },
    },
)
def ingest(request):
    """Log lines from a source holding an ingest token (``Authorization: Bearer <token>``).

    The body is JSON lines, or one JSON array, sent as ``application/json``; each line is
    an event object or a log line (syslog, access log, firewall). Bad lines are skipped and
    counted; the answer (202) gives accepted, skipped (by reason) and dropped (the engine
    was behind). Limits: TINHSO_SOC_INGEST_MAX_BYTES (413 ``soc_ingest_too_large``) and
    TINHSO_SOC_INGEST_MAX_LINES (413 ``soc_ingest_too_many_lines``), both on the unpacked
    body when it is sent with ``Content-Encoding: gzip`` (400
    ``soc_ingest_bad_compression`` when it does not unpack); a wrong or missing token is
    401 ``soc_bad_token``.
    """
    encoding = request.headers.get("Content-Encoding", "")
    return Status(202, ingest_body(body=request.body, source=request.auth, encoding=encoding))
