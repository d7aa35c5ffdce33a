"""Run the sources of ``tinhso soc_listen``: syslog servers, file tails, the counters.

``run_once`` reads batch files whole through one engine on the log's own clock and
returns. ``Listener`` follows: it binds the servers, polls the tailed files, prints the
counters every ``stats_seconds`` (and on SIGUSR1) and, on SIGTERM or SIGINT, stops taking input, lets the
engine finish what is queued and prints the counters a last time.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

from tinhso.soc.ingest.pipeline import Pipeline
from tinhso.soc.ingest.syslog import start_tcp, start_udp, udp_kernel_drops
from tinhso.soc.ingest.tail import FileTailer


def _tail_counts(tailers: list[FileTailer]) -> str:
    totals: dict[str, int] = {}
    for tailer in tailers:
        for key, value in tailer.counts.items():
            totals[key] = totals.get(key, 0) + value
    return " ".join(f"tail:{k}={v}" for k, v in sorted(totals.items()))


def run_once(pipeline: Pipeline, paths: list[Path], *, max_line: int) -> str:
    """Read each file from its start to its end through the engine; the counters line."""
    tailers = []
    for path in paths:

        def on_line(line: bytes) -> None:
            pipeline.count("received")
            pipeline.handle(line, pipeline.fmt, "")

        tailer = FileTailer(path, on_line, from_start=True, max_line=max_line)
        tailers.append(tailer)
        try:
            tailer.read_all()
        finally:
            tailer.close()
    pipeline.flush()
    return f"{pipeline.summary()} {_tail_counts(tailers)}".strip()


class Listener:
    def __init__(
        self,
        pipeline: Pipeline,
        *,
        udp: list[tuple[str, int]] = (),
        tcp: list[tuple[str, int]] = (),
        tails: list[Path] = (),
        state_path: Path | None = None,
        max_line: int,
        poll_seconds: float = 0.5,
        stats_seconds: float = 60.0,
        out: Callable[[str], object] = print,
    ) -> None:
        self.pipeline = pipeline
        self.udp, self.tcp, self.tails = list(udp), list(tcp), list(tails)
        self.state_path = state_path
        self.max_line = max_line
        self.poll_seconds = poll_seconds
        self.stats_seconds = stats_seconds
        self.out = out
        self.tailers: list[FileTailer] = []
        self.servers: list = []
        self.udp_transports: list = []
        self.last_udp_drops: int | None = None
        self.bound: list[str] = []
        self.stopping: asyncio.Event | None = None

    def summary(self) -> str:
        line = f"{self.pipeline.summary()} {_tail_counts(self.tailers)}".strip()
        drops = self._udp_drops()
        if drops is not None:
            line += f" udp_kernel_drops={drops}"
        return line

    def _udp_drops(self) -> int | None:
        if self.udp_transports:
            found = [udp_kernel_drops(t) for t in self.udp_transports]
            if any(d is not None for d in found):
                self.last_udp_drops = sum(d or 0 for d in found)
        return self.last_udp_drops

    async def start(self) -> None:
        """Bind and open everything; on an error close what was opened and raise it."""
        self.stopping = asyncio.Event()
        try:
            for host, port in self.udp:
                transport = await start_udp(self.pipeline, host, port)
                self.servers.append(transport)
                self.udp_transports.append(transport)
                got = transport.get_extra_info("sockname")
                self.bound.append(f"udp {got[0]}:{got[1]}")
            for host, port in self.tcp:
                server = await start_tcp(self.pipeline, host, port)
                self.servers.append(server)
                got = server.sockets[0].getsockname()
                self.bound.append(f"tcp {got[0]}:{got[1]}")
            for path in self.tails:
                self.tailers.append(
                    FileTailer(
                        path,
                        lambda line: self.pipeline.offer(line, block=True),
                        state_path=self.state_path,
                        max_line=self.max_line,
                    )
                )
                self.bound.append(f"tail {path}")
        except BaseException:
            await self.close()
            raise
        self.pipeline.start()

    def stop(self) -> None:
        if self.stopping is not None:
            self.stopping.set()

    async def _follow(self, tailer: FileTailer) -> None:
        while True:
            try:
                read = await asyncio.to_thread(tailer.poll)
            except OSError:
                self.pipeline.count("tail_errors")
                read = 0
            if not read:  # caught up: wait for more
                await asyncio.sleep(self.poll_seconds)

    async def _stats(self) -> None:
        while True:
            await asyncio.sleep(self.stats_seconds)
            self.out(self.summary())

    async def serve(self) -> None:
        """Run until ``stop()`` (or SIGTERM / SIGINT), then shut down cleanly."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.stop)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            loop.add_signal_handler(signal.SIGUSR1, lambda: self.out(self.summary()))
        tasks = [asyncio.create_task(self._follow(t)) for t in self.tailers]
        tasks.append(asyncio.create_task(self._stats()))
        try:
            await self.stopping.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.close()
            for signum in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGUSR1", None)):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, TypeError):
                    loop.remove_signal_handler(signum)

    async def close(self) -> None:
        self._udp_drops()  # read while the sockets are open
        self.udp_transports.clear()
        for server in self.servers:
            server.close()
            if isinstance(server, asyncio.Server):
                with contextlib.suppress(Exception):
                    await server.wait_closed()
        self.servers.clear()
        for tailer in self.tailers:
            tailer.save()
            tailer.close()
        await asyncio.to_thread(self.pipeline.stop)
