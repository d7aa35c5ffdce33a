"""The firewall export and the challenge's per-request costs.

Run: .venv/bin/python bench/nftables_export.py [--bans N] [--ranges N] [--v6 N]
Stores N active address bans (and ranges, IPv6 bans) in a fresh SQLite database under a
temporary folder, then prints: the time to build the nft file (tinhso.soc.nftables.render),
its size, the time `nft -c -f` takes to check it (when nft is installed), and the CPU cost
per request of checking a challenge pass cookie and of creating a proof-of-work challenge;
the load average. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

VAR = tempfile.mkdtemp(prefix="tinhso-bench-nft-")
os.environ["TINHSO_VAR_DIR"] = VAR
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

from tinhso.soc import challenge, nftables  # noqa: E402
from tinhso.soc.models import Decision  # noqa: E402


def fill(bans: int, ranges: int, v6: int) -> None:
    now = timezone.now()
    rows = []
    for i in range(bans):
        rows.append(("ip", f"{10 + (i >> 24) % 100}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"))
    for i in range(ranges):
        rows.append(("range", f"172.{16 + (i >> 8) % 16}.{i & 255}.0/24"))
    for i in range(v6):
        rows.append(("ip", f"2001:db8:{i >> 16:x}:{i & 0xFFFF:x}::1"))
    Decision.objects.bulk_create(
        (
            Decision(
                scope=scope,
                value=value,
                kind="ban",
                reason="bench",
                rule="bench",
                ttl_seconds=900,
                created_at=now,
                expires_at=now + timedelta(seconds=60 + i % 3600),
            )
            for i, (scope, value) in enumerate(rows)
        ),
        batch_size=5000,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bans", type=int, default=100_000)
    parser.add_argument("--ranges", type=int, default=1_000)
    parser.add_argument("--v6", type=int, default=10_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fill(args.bans, args.ranges, args.v6)
    print(
        f"stored {args.bans + args.ranges + args.v6:,} decisions in {time.perf_counter() - started:.1f} s"
    )

    cpu, wall = time.process_time(), time.perf_counter()
    text = nftables.render()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    path = Path(VAR) / "bans.nft"
    nftables.write_atomic(path, text)
    print(
        f"render: {wall:.2f} s wall, {cpu:.2f} s CPU, {len(text) / 1e6:.1f} MB, "
        f"{text.count(' timeout ')} elements"
    )
    nft = shutil.which("nft") or shutil.which("nft", path="/usr/sbin:/sbin")
    if nft:
        wall = time.perf_counter()
        check = subprocess.run([nft, "-c", "-f", str(path)], capture_output=True, text=True)
        print(
            f"nft -c -f: {time.perf_counter() - wall:.2f} s, exit {check.returncode}"
            + (f" ({check.stderr.strip()[:200]})" if check.returncode else "")
        )
    else:
        print("nft -c -f: nft not installed")

    ip, decision_id = "203.0.113.5", 42
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    request.COOKIES[challenge.COOKIE] = challenge.pass_token(ip=ip, decision_id=decision_id)
    n = 20_000
    cpu = time.process_time()
    for _ in range(n):
        assert challenge.has_pass(request, ip=ip, decision_id=decision_id)
    print(f"pass cookie check: {(time.process_time() - cpu) / n * 1e6:.1f} µs CPU per request")
    n = 2_000
    cpu = time.process_time()
    for _ in range(n):
        challenge.pow_challenge(ip=ip, decision_id=decision_id)
    print(f"proof-of-work challenge creation: {(time.process_time() - cpu) / n * 1e6:.1f} µs CPU")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    shutil.rmtree(VAR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
