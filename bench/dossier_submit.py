"""Online dossier submissions per second, with files, through the API under concurrent clients.

Run: .venv/bin/python bench/dossier_submit.py [--count 400] [--clients 8] [--workers 4]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_submit \\
         .venv/bin/python bench/dossier_submit.py

1. Prepares a database: a fresh SQLite file ``var/bench/submit.sqlite3`` by
   default, or the one in ``DATABASE_URL`` (created when missing), with ``tinhso
   demo --no-serve`` (units, agencies, catalogue, demo citizens).
2. Gives ``--clients`` demo citizens an account and an API token each (accounts
   ``bench.citizen.N``, reused by later runs; a new token each run).
3. Starts gunicorn (``--workers`` sync workers) and sends ``--count``
   submissions of procedure ``--procedure`` (default 1.001193, birth
   registration, three required components) from ``--clients`` concurrent
   clients (a bounded pool of Python threads, one keep-alive connection each):
   ``POST /api/v1/dossiers/`` as ``multipart/form-data`` with one small PDF per
   required component, ``Authorization: Bearer``, and a unique
   ``Idempotency-Key`` per submission. Every file goes through the real checks
   (type by content, PDF active content, size) and is stored under
   ``var/bench/media``.
4. Prints submissions/s, p50, p99 and max latency, then checks: every answer was
   201, exactly ``--count`` dossiers carry this run's keys, their codes are
   unique and each has its files; re-sending 20 of the keys answers 200 with the
   same dossier and creates nothing. Exits non-zero otherwise.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    Server,
    bench_env,
    database_url,
    describe_url,
    is_postgres,
    machine_line,
    prepare_demo,
    print_header,
    print_row,
    run_threads,
    setup_django,
    warm_up,
)

BOUNDARY = "----tinhsobench7MA4YWxkTrZu0gW"


def pdf_bytes(text: str) -> bytes:
    """A small valid PDF (one empty page), as a scanner's output would be, minus the image."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n" + f"% {text}\n".encode()
    )


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> bytes:
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def accounts(count: int) -> list[str]:
    """API tokens of ``count`` citizen accounts (created once, a new token each run)."""
    from tinhso.core.auth import api_token_issue
    from tinhso.core.choices import Role
    from tinhso.core.demo.seeder import DEMO_PASSWORD
    from tinhso.core.models import Citizen, User
    from tinhso.core.services.users import user_create

    taken = set(User.objects.exclude(citizen=None).values_list("citizen_id", flat=True))
    tokens = []
    for i in range(count):
        username = f"bench.citizen.{i}"
        user = User.objects.filter(username=username).first()
        if user is None:
            citizen = Citizen.objects.exclude(id__in=taken).order_by("id").first()
            if citizen is None:
                raise SystemExit("not enough demo citizens without an account")
            user = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                role=Role.CITIZEN,
                citizen=citizen,
            )
            taken.add(citizen.pk)
        issued = api_token_issue(user=user, name="bench", days=1)
        tokens.append(issued[1])  # (token, clear key): the key is shown once
    return tokens


def submission_body(procedure_code: str, unit_code: str) -> tuple[bytes, int]:
    from tinhso.procedures.models import Procedure

    procedure = Procedure.objects.get(national_code=procedure_code)
    required = [c for c in procedure.components_for(None) if c.required]
    if not procedure.is_online or not required:
        raise SystemExit(f"procedure {procedure_code} is not online or has no required component")
    files = {
        c.code: (f"{c.code}.pdf", pdf_bytes(f"{procedure_code} {c.code}"), "application/pdf")
        for c in required
    }
    fields = {
        "procedure": procedure_code,
        "unit": unit_code,
        "form_data": json.dumps({"address": "Số 1 Lê Lợi", "note": "bench"}),
    }
    return multipart(fields, files), len(files)


def check(run: str, count: int, files_each: int) -> list[str]:
    from django.db.models import Count

    from tinhso.dossiers.models import Dossier

    rows = Dossier.objects.filter(idempotency_key__startswith=f"{run}-")
    problems = []
    total = rows.count()
    codes = rows.values("code").distinct().count()
    short = rows.annotate(n=Count("files")).exclude(n=files_each).count()
    print(
        f"dossiers with this run's keys: {total:,} (expected {count:,}); distinct codes: {codes:,}"
    )
    if total != count:
        problems.append(f"{total} dossiers for {count} submissions")
    if codes != total:
        problems.append(f"{total - codes} duplicate codes")
    if short:
        problems.append(f"{short} dossiers without their {files_each} files")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="submissions to send")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--procedure", default="1.001193")
    parser.add_argument("--unit", default="", help="commune code (default: the demo commune)")
    args = parser.parse_args()
    if args.count < 1 or not 1 <= args.clients <= 64:
        parser.error("--count must be positive and --clients from 1 to 64")

    url = database_url("submit", fresh_sqlite=True)
    env = bench_env(database_url=url)
    print(f"database: {describe_url(url)}")
    print(f"demo data: {prepare_demo(env):.1f} s (tinhso demo --no-serve)")
    setup_django(env)
    from django.db import connections

    from tinhso.core.demo.seeder import DEMO_COMMUNE_CODE
    from tinhso.dossiers.models import Dossier

    tokens = accounts(args.clients)
    body, files_each = submission_body(args.procedure, args.unit or DEMO_COMMUNE_CODE)
    before = Dossier.objects.count()
    connections.close_all()
    run = f"bench-{time.strftime('%H%M%S')}-{secrets.token_hex(3)}"
    codes: dict[int, str] = {}
    codes_lock = threading.Lock()

    def request(i: int):
        if i >= args.count:
            return None
        headers = {
            # Submission i comes from account i mod clients: a citizen sends several.
            "Authorization": f"Bearer {tokens[i % len(tokens)]}",
            "Idempotency-Key": f"{run}-{i:07d}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        }
        return ("POST", "/api/v1/dossiers/", headers, body)

    def collect(i, req, status, payload):
        if status in (200, 201):
            with codes_lock:
                codes[i] = json.loads(payload)["code"]
        else:
            print(f"submission {i}: {status} {payload[:200]!r}")

    with Server(env, workers=args.workers) as server:
        warm_up(server.port, ["/api/v1/ping", "/api/v1/procedures?q=khai+sinh"], rounds=20)
        print(f"server: {server.description}")
        print(
            f"load: {args.count} submissions of {args.procedure} ({files_each} PDF files, "
            f"{len(body):,} bytes each), {args.clients} concurrent clients (Python threads)"
        )
        print(machine_line())
        print()
        print_header()
        result = run_threads(server.port, request, connections=args.clients, check=collect)
        print_row("POST /api/v1/dossiers/ (multipart, files)", result)
        print(machine_line())
        print()

        # Replays: the same key from the same account gives the first dossier back.
        replay_keys = sorted(codes)[:20]
        replayed: dict[int, tuple[int, str | None]] = {}

        def replay(j: int):
            return request(replay_keys[j]) if j < len(replay_keys) else None

        def collect_replay(j, req, status, payload):
            replayed[replay_keys[j]] = (status, json.loads(payload).get("code"))

        run_threads(server.port, replay, connections=4, check=collect_replay)

    problems = []
    if result.statuses.get(201, 0) != args.count or result.errors:
        problems.append(f"answers {result.statuses_text()} errors {result.errors}")
    problems += check(run, args.count, files_each)
    wrong_replays = [
        i for i, (status, code) in replayed.items() if (status, code) != (200, codes[i])
    ]
    print(
        f"replays of {len(replayed)} keys: "
        f"{len(replayed) - len(wrong_replays)} answered 200 with the first dossier"
    )
    if wrong_replays or len(replayed) != len(replay_keys):
        problems.append(f"replays that did not return the first dossier: {wrong_replays}")
    after = Dossier.objects.count()
    if after - before != args.count:
        problems.append(f"{after - before} dossiers created for {args.count} submissions")
    print(f"dossiers created in all: {after - before:,}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    if not problems:
        print("check: every submission 201, exactly one dossier each, unique codes, replays 200")
    if is_postgres(url):
        print("(PostgreSQL: the database is kept; later runs add to it)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
