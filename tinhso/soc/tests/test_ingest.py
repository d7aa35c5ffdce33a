"""The ingest pipeline (bad input counted, bounded queue and memory, clock skew) and the
``soc_listen`` / ``soc_ingest_token`` commands."""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tinhso.soc.engine import Engine, default_rules
from tinhso.soc.ingest.pipeline import Pipeline
from tinhso.soc.models import Decision
from tinhso.soc.schema import Event

DATA = Path(__file__).parent / "data"
SSHD = "<38>Nov 20 08:15:02 web01 sshd[1]: Failed password for root from {ip} port 22 ssh2"


def _quiet_engine(max_keys=100_000):
    return Engine(on_fire=lambda rule, event, evidence: None, max_keys=max_keys)


def test_garbage_binary_huge_and_broken_lines_are_counted_not_fatal():
    pipeline = Pipeline(engine=_quiet_engine(), queue_size=100, max_line_bytes=1024)
    good = SSHD.format(ip="203.0.113.20").encode()
    for raw in [
        good,
        b"complete nonsense",
        b"\x00\x01\x02binary\x00",
        b"A" * 5000,
        b"<38>Nov 20 08:15:02 host app: caf\xe9 latin-1",
        b"",
        b'{"ip": "203.0.113.21", "url": ',
        "<38>Nov 20 08:15:02 web01 sshd[1]: Accepted password for hoa from 198.51.100.9 port 22",
    ]:
        pipeline.offer(raw)
    pipeline.drain()
    snap = pipeline.snapshot()
    assert snap["received"] == 8 and snap["parsed"] == 2 and snap["events"] == 2
    assert snap["skipped"] == 6
    assert snap["skipped:garbage"] == 2 and snap["skipped:binary"] == 1
    assert snap["skipped:too_long"] == 1 and snap["skipped:bad_encoding"] == 1
    assert snap["skipped:empty"] == 1
    assert "received=8" in pipeline.summary() and "skipped:binary=1" in pipeline.summary()


def test_a_full_queue_drops_and_counts_without_blocking():
    pipeline = Pipeline(engine=_quiet_engine(), queue_size=10)
    started = time.monotonic()
    results = [pipeline.offer(SSHD.format(ip=f"203.0.113.{i}").encode()) for i in range(50)]
    assert time.monotonic() - started < 5  # never waits (a generous bound, not a speed test)
    assert results.count(True) == 10 and results.count(False) == 40
    snap = pipeline.snapshot()
    assert snap["dropped"] == 40 and snap["queued"] == 10


def test_the_queue_is_bounded_in_bytes_too():
    pipeline = Pipeline(engine=_quiet_engine(), queue_size=1000, queue_bytes=50_000)
    results = [pipeline.offer(b"x" * 10_000) for _ in range(10)]
    assert results == [True] * 5 + [False] * 5
    assert pipeline.snapshot()["queued_bytes"] == 50_000
    pipeline.drain()
    assert pipeline.queued_bytes == 0 and pipeline.offer(b"x" * 10_000)


def test_a_flood_of_200k_distinct_addresses_keeps_memory_bounded():
    """200,000 distinct addresses: the queue drops past its size, every bucket rule keeps at
    most max_keys keys (least recently used evicted and counted); and the whole pipeline
    (parsing, every rule and detector) stays within max_keys on 5,000 of those lines."""
    max_keys = 1000
    line = "<38>Nov 20 08:15:02 web01 sshd[1]: Failed password for u{n} from {ip} port 22 ssh2"

    def ip(n):
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"

    queued = Pipeline(engine=_quiet_engine(max_keys=max_keys), queue_size=5000)
    for n in range(200_000):
        queued.offer(line.format(n=n, ip=ip(n)).encode())
    assert queued.snapshot()["dropped"] == 195_000 and queued.queue.qsize() == 5000

    rules = default_rules(max_keys)
    for n in range(200_000):
        event = Event(source_ip=ip(n), user=f"u{n}", outcome="login_failed", status=404,
                      method="POST", url=f"/dang-nhap/{n}", extra={"attack": True})  # fmt: skip
        for rule in rules:
            rule.pour(event, n / 1000)
    for rule in rules:
        assert rule.keys <= max_keys, rule.name
        assert rule.evictions >= 200_000 - max_keys - rule.overflows, rule.name

    pipeline = Pipeline(engine=_quiet_engine(max_keys=max_keys), queue_size=10)
    for n in range(5000):
        pipeline.handle(line.format(n=n, ip=ip(n)), "auto", "")
    snap = pipeline.snapshot()
    assert snap["events"] == 5000
    for rule in pipeline.engine.rules:
        assert rule.keys <= max_keys, rule.name
    assert snap["evictions"] >= 5000 - max_keys  # brute-force alone evicts that many


def test_clock_skew_is_counted_and_the_engine_keeps_its_own_clock():
    now = datetime.now(UTC)
    live = Pipeline(engine=_quiet_engine(), max_skew=3600)
    for when in (now, now - timedelta(days=3), now + timedelta(hours=5)):
        stamp = when.isoformat()
        live.handle(f'{{"ip": "203.0.113.30", "time": "{stamp}", "url": "/"}}', "json", "")
    assert live.snapshot()["clock_skew"] == 2

    batch = Pipeline(engine=_quiet_engine(), clock="log", max_skew=3600)
    base = datetime(2026, 11, 20, 8, tzinfo=UTC)
    times = [
        base,
        base + timedelta(seconds=5),
        base + timedelta(days=400),
        base + timedelta(seconds=9),
    ]
    clocks = [batch._now(type("E", (), {"time": t})()) for t in times]
    assert batch.snapshot()["clock_skew"] == 1
    assert clocks[2] == clocks[1]  # the jump is not believed
    assert clocks[3] == (base + timedelta(seconds=9)).timestamp()


@pytest.mark.django_db
def test_soc_listen_once_on_an_access_log_batch_bans_the_attackers(tmp_path, capsys):
    call_command("soc_listen", "--once", "--tail", str(DATA / "access.log"))
    out = capsys.readouterr().out
    assert "received=345" in out and "skipped:binary=1" in out
    banned = dict(Decision.objects.values_list("value", "rule"))
    # the scanner (its user agent makes its requests attacks too), the password guesser,
    # the injector; none of the 20 ordinary clients
    assert set(banned) == {"45.95.147.10", "103.21.244.7", "198.51.100.23"}
    assert banned["45.95.147.10"] in ("scan-404", "web-attack")
    assert banned["103.21.244.7"] == "flood-login"
    assert banned["198.51.100.23"] == "web-attack"
    assert all(d.kind == "ban" or d.kind == "rate_limit" for d in Decision.objects.all())


@pytest.mark.django_db
def test_soc_listen_once_with_a_firewall_batch(tmp_path, capsys):
    batch = tmp_path / "kern.log"
    batch.write_text(
        "Nov 20 08:15:02 gw01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.40 DST=10.0.0.5 "
        "LEN=60 PROTO=TCP SPT=5555 DPT=22 SYN URGP=0\n"
        "action=accept src=198.51.100.4 dst=10.0.0.7 proto=tcp sport=40000 dport=3306\n",
        encoding="utf-8",
    )
    call_command("soc_listen", "--once", "--format", "firewall", "--tail", str(batch))
    out = capsys.readouterr().out
    assert "parsed=2" in out and "skipped=0" in out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--udp", "1.2.3:5514"], "soc_listen_bad_address"),
        (["--tcp", "127.0.0.1:99999"], "soc_listen_bad_address"),
        (["--tcp", "example.org:514"], "soc_listen_bad_address"),
        (["--tail", "/nonexistent/access.log"], "soc_listen_unreadable_file"),
        (["--tail", "/"], "soc_listen_unreadable_file"),
        ([], "soc_listen_no_source"),
        (["--once", "--udp", "127.0.0.1:0"], "soc_listen_once_tail_only"),
    ],
)
def test_soc_listen_refuses_bad_arguments_with_a_code(args, code):
    with pytest.raises(CommandError) as info:
        call_command("soc_listen", *args)
    assert info.value.code == code


def test_soc_listen_on_a_busy_port_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError) as info:
            call_command("soc_listen", "--tcp", f"127.0.0.1:{port}", "--stats-seconds", "60")
    assert info.value.code == "soc_listen_port_busy"
    assert "Cổng đang được chương trình khác dùng" in str(info.value)


def test_soc_ingest_token_prints_a_token_and_its_environment_entry(capsys, settings):
    call_command("soc_ingest_token", "web01")
    out = capsys.readouterr().out
    token = out.split("Authorization: Bearer ", 1)[1].split()[0]
    entry = out.split("TINHSO_SOC_INGEST_TOKENS=", 1)[1].split()[0]
    assert entry == "web01:" + hashlib.sha256(token.encode()).hexdigest()
    settings.TINHSO_SOC_INGEST_TOKENS = [entry]
    from tinhso.soc.ingest.tokens import source_for

    assert source_for(token) == "web01" and source_for(token + "x") is None
    with pytest.raises(CommandError) as info:
        call_command("soc_ingest_token", "tên có dấu")
    assert info.value.code == "soc_bad_source_name"


def test_soc_listen_process_receives_and_prints_its_counters_on_sigterm(tmp_path):
    """The real command in its own process: UDP and TCP on ephemeral ports, SIGTERM."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONUNBUFFERED="1")
    env["TINHSO_VAR_DIR"] = str(tmp_path)
    log = tmp_path / "followed.log"
    log.write_text("", encoding="utf-8")
    proc = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "django", "soc_listen", "--udp", "127.0.0.1:0",
         "--tcp", "127.0.0.1:0", "--tail", str(log), "--state-file", str(tmp_path / "st.json")],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        first = proc.stdout.readline()
        assert "udp 127.0.0.1:" in first, first
        ports = dict(part.strip().split(" ") for part in first.split(": ", 2)[2].split(",")[:2])
        udp_port = int(ports["udp"].rsplit(":", 1)[1])
        tcp_port = int(ports["tcp"].rsplit(":", 1)[1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(SSHD.format(ip="203.0.113.50").encode(), ("127.0.0.1", udp_port))
        with socket.create_connection(("127.0.0.1", tcp_port)) as s:
            message = SSHD.format(ip="203.0.113.51").encode()
            s.sendall(str(len(message)).encode() + b" " + message + b"\x00\xffjunk\n")
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(SSHD.format(ip="203.0.113.52") + "\n")
        time.sleep(2.0)  # let the follower's poll see the appended line
        proc.send_signal(signal.SIGUSR1)  # the counters now, and the listener goes on
        now = proc.stdout.readline()
        assert "received=" in now and "đã dừng" not in now, now
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    last = out.strip().splitlines()[-1]
    assert "received=4" in last and "parsed=3" in last and "skipped:binary=1" in last, out
    assert "tail:lines=1" in last and "udp_kernel_drops=0" in last
