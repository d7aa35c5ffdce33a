"""Syslog servers on asyncio (stdlib): UDP (RFC 5426: one message per datagram) and TCP
(RFC 6587: octet counting ``LEN SP MSG`` or newline framing, told apart frame by frame).

Limits: a frame longer than ``max_frame`` bytes closes the TCP connection (counted
``frame_too_long``; a datagram that long is skipped as ``too_long`` by the parser), at
most ``max_connections`` at once (more are closed at once, ``connections_refused``), a
connection silent for ``idle_seconds`` is closed (``idle_closed``). Lines go to the
pipeline without waiting: when it is full they are dropped and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket

from tinhso.soc import conf
from tinhso.soc.ingest.pipeline import Pipeline

_OCTET_COUNT = re.compile(rb"^([1-9][0-9]{0,8}) ")
_DIGITS = re.compile(rb"^[0-9]{1,9}$")


class FrameError(Exception):
    """The stream cannot be framed any more (the connection is closed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.frames: list[bytes] = []


class FrameDecoder:
    """Splits a TCP byte stream into syslog frames (RFC 6587), bounded in memory."""

    def __init__(self, max_frame: int) -> None:
        self.max_frame = max_frame
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The complete frames in the stream so far; raises ``FrameError`` (carrying the
        frames decoded before the bad one in ``frames``) when it cannot go on."""
        frames: list[bytes] = []
        try:
            self._feed(data, frames)
        except FrameError as exc:
            exc.frames = frames
            self.buffer.clear()
            raise
        return frames

    def _feed(self, data: bytes, frames: list[bytes]) -> None:
        self.buffer += data
        buf = self.buffer
        while buf:
            if 0x30 <= buf[0] <= 0x39:
                m = _OCTET_COUNT.match(buf[:11])
                if m is None and _DIGITS.match(bytes(buf[:10])) and len(buf) < 11:
                    break  # the length is still arriving
                if m is not None:
                    size = int(m.group(1))
                    if size > self.max_frame:
                        raise FrameError("frame_too_long")
                    start = m.end()
                    if len(buf) < start + size:
                        break
                    frame = bytes(buf[start : start + size])
                    del buf[: start + size]
                    frame = frame.rstrip(b"\r\n")
                    if frame:
                        frames.append(frame)
                    continue
            end = buf.find(b"\n")
            if end < 0:
                if len(buf) > self.max_frame:
                    raise FrameError("frame_too_long")
                break
            if end > self.max_frame:
                raise FrameError("frame_too_long")
            frame = bytes(buf[:end]).rstrip(b"\r")
            del buf[: end + 1]
            if frame:
                frames.append(frame)

    def flush(self) -> bytes:
        """What is left when the sender closes (a last line without its newline)."""
        rest = bytes(self.buffer).rstrip(b"\r\n")
        self.buffer.clear()
        return rest


class SyslogUDP(asyncio.DatagramProtocol):
    def __init__(self, pipeline: Pipeline, fmt: str | None = None) -> None:
        self.pipeline = pipeline
        self.fmt = fmt

    def datagram_received(self, data: bytes, addr) -> None:
        self.pipeline.count("datagrams")
        for line in data.split(b"\n"):
            line = line.rstrip(b"\r")
            if line:
                self.pipeline.offer(line, fmt=self.fmt)

    def error_received(self, exc) -> None:
        self.pipeline.count("udp_errors")


class SyslogTCP:
    """The connection handler for ``asyncio.start_server``."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        fmt: str | None = None,
        max_frame: int | None = None,
        max_connections: int | None = None,
        idle_seconds: float | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.fmt = fmt
        self.max_frame = max_frame or conf.get("TINHSO_SOC_LISTEN_MAX_FRAME")
        self.max_connections = max_connections or conf.get("TINHSO_SOC_LISTEN_MAX_CONNECTIONS")
        self.idle_seconds = idle_seconds or conf.get("TINHSO_SOC_LISTEN_IDLE_SECONDS")
        self.active = 0

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        count = self.pipeline.count
        if self.active >= self.max_connections:
            count("connections_refused")
            writer.close()
            return
        self.active += 1
        count("connections")
        decoder = FrameDecoder(self.max_frame)
        try:
            while True:
                data = await asyncio.wait_for(reader.read(65536), self.idle_seconds)
                if not data:
                    rest = decoder.flush()
                    if rest:
                        self.pipeline.offer(rest, fmt=self.fmt)
                    break
                for frame in decoder.feed(data):
                    self.pipeline.offer(frame, fmt=self.fmt)
        except TimeoutError:
            count("idle_closed")
        except FrameError as exc:
            for frame in exc.frames:
                self.pipeline.offer(frame, fmt=self.fmt)
            count(exc.reason)
        except (ConnectionError, OSError):
            count("connection_errors")
        finally:
            self.active -= 1
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


UDP_BUFFER_BYTES = 4 * 1024 * 1024


class UdpServer:
    """A UDP syslog socket on the running loop, read in batches: each time it is readable
    up to ``batch`` datagrams are taken (asyncio's own datagram transport takes one per
    wake-up, which caps a loaded machine at a few thousand a second)."""

    def __init__(self, pipeline: Pipeline, sock: socket.socket, *, fmt: str | None, batch: int):
        self.protocol = SyslogUDP(pipeline, fmt)
        self.sock = sock
        self.batch = batch
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(sock.fileno(), self._read)

    def _read(self) -> None:
        recv, received = self.sock.recv, self.protocol.datagram_received
        for _ in range(self.batch):
            try:
                data = recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self.protocol.error_received(exc)
                return
            received(data, None)

    def get_extra_info(self, name: str, default=None):
        if name == "sockname":
            return self.sock.getsockname()
        if name == "socket":
            return self.sock
        return default

    def close(self) -> None:
        if self.sock.fileno() >= 0:
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()


async def start_udp(
    pipeline: Pipeline, host: str, port: int, *, fmt: str | None = None, batch: int = 256
) -> UdpServer:
    """Bind a UDP syslog server. The socket asks for a 4 MiB receive buffer (the kernel
    grants at most ``net.core.rmem_max``) so that bursts wait in the kernel rather than
    being lost there; what the kernel still drops is read by ``udp_kernel_drops``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER_BYTES)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return UdpServer(pipeline, sock, fmt=fmt, batch=batch)


def udp_kernel_drops(transport) -> int | None:
    """Datagrams the kernel dropped on this socket (its buffer was full), from
    /proc/net/udp{,6} (Linux); None where that cannot be read."""
    sock = transport.get_extra_info("socket")
    try:
        inode = str(os.fstat(sock.fileno()).st_ino)
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            with open(table, encoding="ascii") as fh:
                next(fh)
                for row in fh:
                    cols = row.split()
                    if len(cols) >= 13 and cols[9] == inode:
                        return int(cols[12])
    except (OSError, ValueError, StopIteration):
        return None
    return None


async def start_tcp(pipeline: Pipeline, host: str, port: int, **limits) -> asyncio.Server:
    handler = SyslogTCP(pipeline, **limits)
    return await asyncio.start_server(handler, host, port, limit=2**16)
