"""Syslog over UDP and TCP (RFC 3164, 5424, octet counting and newline framing) on
ephemeral ports; the TCP limits (frame size, connections, idle time)."""

import asyncio
import socket
from collections import Counter

import pytest

from tinhso.soc.ingest.pipeline import Pipeline
from tinhso.soc.ingest.syslog import (
    FrameDecoder,
    FrameError,
    start_tcp,
    start_udp,
    udp_kernel_drops,
)

L3164 = (
    b"<38>Nov 20 08:15:02 web01 sshd[4123]: Failed password for invalid user admin "
    b"from 203.0.113.10 port 51514 ssh2"
)
L5424 = (
    b'<165>1 2026-11-20T08:15:02.003Z fw01 kernel - - [meta seq="1"] '
    b"DROP IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.0.5 PROTO=TCP SPT=40000 DPT=22"
)


class Recorder:
    """An engine stand-in that keeps what it is given."""

    def __init__(self):
        self.events, self.rules, self.evictions, self.counts = [], [], 0, Counter()

    def process(self, event, now=None):
        self.events.append(event)
        return []


def _pipeline(**kw):
    return Pipeline(engine=Recorder(), queue_size=kw.pop("queue_size", 1000), **kw)


async def _until(predicate, timeout=10.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


def _octet(message: bytes) -> bytes:
    return str(len(message)).encode() + b" " + message


def test_udp_listener_receives_3164_and_5424_datagrams():
    pipeline = _pipeline()

    async def scenario():
        transport = await start_udp(pipeline, "127.0.0.1", 0)
        port = transport.get_extra_info("sockname")[1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(L3164 + b"\n", ("127.0.0.1", port))
            s.sendto(L5424, ("127.0.0.1", port))
            s.sendto(b"\xff\xfe not utf-8", ("127.0.0.1", port))
        await _until(lambda: pipeline.queue.qsize() == 3)
        assert udp_kernel_drops(transport) == 0  # read from /proc/net/udp
        transport.close()

    asyncio.run(scenario())
    pipeline.drain()
    events = pipeline.engine.events
    assert [e.source_ip for e in events] == ["203.0.113.10", "198.51.100.7"]
    assert events[0].outcome == "login_failed" and events[0].user == "admin"
    assert events[1].extra["dst_port"] == 22 and events[1].extra["action"] == "drop"
    snap = pipeline.snapshot()
    assert snap["datagrams"] == 3 and snap["received"] == 3
    assert snap["parsed"] == 2 and snap["skipped:bad_encoding"] == 1


def test_tcp_listener_octet_counting_and_newline_framing_split_across_packets():
    pipeline = _pipeline()

    async def scenario():
        server = await start_tcp(pipeline, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        stream = _octet(L5424) + _octet(L3164) + L3164.replace(b"203.0.113.10", b"203.0.113.11")
        stream += b"\n" + b'203.0.113.12 - - [20/Nov/2026:08:15:02 +0700] "GET /a HTTP/1.1" 404 9\n'
        for i in range(0, len(stream), 7):  # frames cut anywhere, the length too
            writer.write(stream[i : i + 7])
            await writer.drain()
        writer.write(L3164.replace(b"203.0.113.10", b"203.0.113.13"))  # last, no newline
        await writer.drain()
        writer.close()
        await _until(lambda: pipeline.queue.qsize() == 5)
        server.close()
        await server.wait_closed()

    asyncio.run(scenario())
    pipeline.drain()
    ips = [e.source_ip for e in pipeline.engine.events]
    assert ips == ["198.51.100.7", "203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13"]
    assert pipeline.engine.events[3].status == 404
    assert pipeline.snapshot()["connections"] == 1


def test_tcp_frame_over_the_limit_closes_the_connection_and_is_counted():
    pipeline = _pipeline()

    async def scenario():
        server = await start_tcp(pipeline, "127.0.0.1", 0, max_frame=200)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_octet(L3164) + b"5000 " + b"A" * 300)
        await writer.drain()
        assert await asyncio.wait_for(reader.read(10), 5) == b""  # closed by the server
        writer.close()
        # newline framing: a line longer than the limit without its newline
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"<13>" + b"B" * 500)
        await writer.drain()
        assert await asyncio.wait_for(reader.read(10), 5) == b""
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(scenario())
    snap = pipeline.snapshot()
    assert snap["frame_too_long"] == 2
    assert snap["received"] == 1  # the good frame before the long one was kept
    pipeline.drain()
    assert pipeline.engine.events[0].source_ip == "203.0.113.10"


def test_tcp_connection_limit_and_idle_timeout():
    pipeline = _pipeline()

    async def scenario():
        server = await start_tcp(pipeline, "127.0.0.1", 0, max_connections=1, idle_seconds=0.5)
        port = server.sockets[0].getsockname()[1]
        r1, w1 = await asyncio.open_connection("127.0.0.1", port)
        await _until(lambda: pipeline.counts["connections"] == 1)
        r2, w2 = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(r2.read(10), 5) == b""  # refused: closed at once
        assert await asyncio.wait_for(r1.read(10), 5) == b""  # silent: closed when idle
        w1.close()
        w2.close()
        server.close()
        await server.wait_closed()

    asyncio.run(scenario())
    snap = pipeline.snapshot()
    assert snap["connections_refused"] == 1 and snap["idle_closed"] == 1


def test_frame_decoder_tells_octet_counting_from_lines_starting_with_digits():
    decoder = FrameDecoder(1000)
    assert decoder.feed(b"1") == []
    assert decoder.feed(b"1 hello world") == [b"hello world"]
    line = b'203.0.113.12 - - [20/Nov/2026:08:15:02 +0700] "GET / HTTP/1.1" 200 1\r\n'
    assert decoder.feed(line) == [line.rstrip()]
    assert decoder.feed(b"\n\n") == []  # blank lines are not frames
    with pytest.raises(FrameError):
        decoder.feed(b"99999 x")
