"""Log sources of the security module: how fast lines come in and go through.

Run: .venv/bin/python bench/ingest_sources.py [--lines N]
Prints, with the load average:
- UDP: N syslog datagrams sent as fast as a Python sender in another process can to
  the listener on a free 127.0.0.1 port, reading one datagram per wake-up (as asyncio's
  datagram transport does) and up to 256: received, dropped by the kernel (buffer full)
  and by the bounded queue (the receiving side never waits), the engine's rate;
- TCP: N newline-framed lines on one connection: receive rate;
- a batch (``soc_listen --once``): N access-log lines through parsing and the full
  engine, lines per CPU second;
- HTTP ingest: parsing a 10,000-line JSON body (what one request costs before the
  engine), in ms.
Decisions are not stored (the engine's on_fire is a no-op): no database is used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from tinhso.soc.engine import Engine  # noqa: E402
from tinhso.soc.ingest.listen import run_once  # noqa: E402
from tinhso.soc.ingest.pipeline import Pipeline  # noqa: E402
from tinhso.soc.ingest.syslog import start_tcp, start_udp, udp_kernel_drops  # noqa: E402

SSHD = (
    "<38>Nov 20 08:15:02 web01 sshd[1]: Failed password for u{n} from 10.{a}.{b}.{c} port 22 ssh2"
)
ACCESS = Path(__file__).resolve().parent.parent / "tinhso/soc/tests/data/access.log"


def _engine() -> Engine:
    return Engine(on_fire=lambda rule, event, evidence: None)


def _line(n: int) -> bytes:
    return SSHD.format(n=n, a=n >> 16 & 255, b=n >> 8 & 255, c=n & 255).encode()


SENDER = """
import socket, sys
port, lines = int(sys.argv[1]), int(sys.argv[2])
line = {line!r}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in range(lines):
    s.sendto(line.format(n=n, a=n >> 16 & 255, b=n >> 8 & 255, c=n & 255).encode(), ("127.0.0.1", port))
"""


def bench_udp(lines: int, batch: int) -> str:
    """The sender is another process (in this one it would share the GIL with the listener)."""
    pipeline = Pipeline(engine=_engine(), queue_size=lines + 10)

    async def scenario():
        transport = await start_udp(pipeline, "127.0.0.1", 0, batch=batch)
        port = transport.get_extra_info("sockname")[1]
        code = SENDER.format(line=SSHD)
        started = time.perf_counter()
        sender = subprocess.Popen([sys.executable, "-c", code, str(port), str(lines)])
        while sender.poll() is None:
            await asyncio.sleep(0.05)
        sent_in = time.perf_counter() - started
        await asyncio.sleep(0.5)
        drops = udp_kernel_drops(transport)
        transport.close()
        return sent_in, drops

    sent_in, drops = asyncio.run(scenario())
    snap = pipeline.snapshot()
    queued = snap["queued"]
    cpu = time.process_time()
    pipeline.drain()
    cpu = time.process_time() - cpu
    return (
        f"UDP (reading up to {batch} per wake-up): {lines:,} datagrams sent by another process "
        f"in {sent_in:.2f} s ({lines / sent_in:,.0f}/s); the listener received "
        f"{snap['received']:,}, the kernel dropped {drops} (buffer full), the queue dropped "
        f"{snap.get('dropped', 0):,}; the engine on the {queued:,} queued: "
        f"{queued / cpu:,.0f} events per CPU second"
    )


def bench_tcp(lines: int) -> str:
    pipeline = Pipeline(engine=_engine(), queue_size=lines + 10)

    async def scenario():
        server = await start_tcp(pipeline, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        data = b"\n".join(_line(n) for n in range(lines)) + b"\n"
        started = time.perf_counter()
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(data)
        await writer.drain()
        writer.close()
        while pipeline.counts["received"] < lines:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        server.close()
        return elapsed

    elapsed = asyncio.run(scenario())
    return f"TCP: {lines:,} newline-framed lines received in {elapsed:.2f} s ({lines / elapsed:,.0f}/s)"


def bench_once(lines: int) -> str:
    base = ACCESS.read_bytes().splitlines()
    with tempfile.NamedTemporaryFile("wb", suffix=".log", delete=False) as fh:
        written = 0
        while written < lines:
            for raw in base:
                fh.write(raw + b"\n")
                written += 1
                if written >= lines:
                    break
        path = Path(fh.name)
    try:
        pipeline = Pipeline(engine=_engine(), clock="log")
        cpu, wall = time.process_time(), time.perf_counter()
        run_once(pipeline, [path], max_line=16 * 1024)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        path.unlink()
    return (
        f"batch (--once): {lines:,} access-log lines in {wall:.1f} s wall, {cpu:.1f} s CPU: "
        f"{lines / cpu:,.0f} lines per CPU second (parsing, inspection, buckets, detectors)"
    )


def bench_http() -> str:
    from tinhso.soc.engine import EVENTS
    from tinhso.soc.ingest import http

    body = b"\n".join(
        b'{"ip": "203.0.113.%d", "method": "GET", "url": "/tra-cuu-ho-so/?ma=%d", "status": 200}'
        % (n % 250, n)
        for n in range(10_000)
    )
    EVENTS.submit = lambda event: True  # parsing only: the engine runs elsewhere
    runs = []
    for _ in range(5):
        cpu = time.process_time()
        result = http.ingest_body(body=body, source="bench")
        runs.append(time.process_time() - cpu)
    assert result["accepted"] == 10_000
    runs.sort()
    return f"HTTP ingest: a 10,000-line body ({len(body) / 1024:.0f} KiB) parsed in {runs[2] * 1000:.0f} ms CPU (median of 5)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50_000)
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(bench_udp(args.lines, batch=1))
    print(bench_udp(args.lines, batch=256))
    print(bench_tcp(args.lines))
    print(bench_once(args.lines))
    print(bench_http())
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
