"""``tinhso soc_listen``: syslog over UDP/TCP and followed files into the detection engine.

    tinhso soc_listen --udp 127.0.0.1:5514 --tcp 127.0.0.1:5514 --tail /var/log/nginx/access.log
    tinhso soc_listen --once --tail access.log.1        # a batch: read whole, then exit

Counters are printed every TINHSO_SOC_LISTEN_STATS_SECONDS and on exit (SIGTERM, Ctrl-C).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
from pathlib import Path

from django.utils.translation import gettext as _

from tinhso.core.management.base import TinhsoCommand
from tinhso.soc import conf
from tinhso.soc.ingest.listen import Listener, run_once
from tinhso.soc.ingest.pipeline import FORMATS, Pipeline

DEFAULT_HOST = "127.0.0.1"


def parse_address(text: str) -> tuple[str, int] | None:
    """``HOST:PORT``, ``[IPv6]:PORT``, ``:PORT`` or ``PORT`` (loopback); None when bad."""
    text = text.strip()
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if not sep:
            return None
    elif text.count(":") == 1:
        host, _sep, port = text.partition(":")
    elif text.isdigit():
        host, port = "", text
    else:
        return None
    host = host or DEFAULT_HOST
    if host == "localhost":
        host = DEFAULT_HOST
    try:
        ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        return None
    if not 0 <= number <= 65535:
        return None
    return host, number


class Command(TinhsoCommand):
    help = (
        "Nhận nhật ký syslog qua UDP/TCP và theo dõi tệp nhật ký, đưa vào bộ phát hiện "
        "của mô-đun an ninh (cảnh báo, chặn địa chỉ)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--udp", action="append", default=[], metavar="HOST:PORT")
        parser.add_argument("--tcp", action="append", default=[], metavar="HOST:PORT")
        parser.add_argument("--tail", action="append", default=[], metavar="FILE")
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument(
            "--once", action="store_true", help="đọc hết các tệp --tail một lần rồi thoát"
        )
        parser.add_argument("--state-file", default=None)
        parser.add_argument("--stats-seconds", type=float, default=None)

    def _addresses(self, values: list[str], kind: str) -> list[tuple[str, int]]:
        out = []
        for value in values:
            address = parse_address(value)
            if address is None:
                self.fail(
                    _("Địa chỉ %(kind)s không hợp lệ: %(value)s (dạng HOST:PORT).")
                    % {"kind": kind, "value": value},
                    code="soc_listen_bad_address",
                )
            out.append(address)
        return out

    def _files(self, values: list[str]) -> list[Path]:
        out = []
        for value in values:
            path = Path(value)
            if not path.is_file() or not os.access(path, os.R_OK):
                self.fail(
                    _("Không đọc được tệp nhật ký: %(path)s.") % {"path": value},
                    code="soc_listen_unreadable_file",
                )
            try:
                with open(path, "rb"):
                    pass
            except OSError:
                self.fail(
                    _("Không đọc được tệp nhật ký: %(path)s.") % {"path": value},
                    code="soc_listen_unreadable_file",
                )
            out.append(path)
        return out

    def _bind_error(self, exc: OSError):
        if exc.errno == errno.EADDRINUSE:
            message, code = _("Cổng đang được chương trình khác dùng."), "soc_listen_port_busy"
        elif exc.errno == errno.EACCES:
            message, code = (
                _("Không có quyền mở cổng này (cổng dưới 1024 cần quyền quản trị)."),
                "soc_listen_port_denied",
            )
        else:
            message, code = _("Không mở được địa chỉ để nghe."), "soc_listen_bind_failed"
        self.fail(f"{message} ({exc.strerror or exc})", code=code, cause=exc)

    def handle(self, *args, **opts):
        udp = self._addresses(opts["udp"], "UDP")
        tcp = self._addresses(opts["tcp"], "TCP")
        files = self._files(opts["tail"])
        if not (udp or tcp or files):
            self.fail(
                _("Cần ít nhất một nguồn: --udp, --tcp hoặc --tail."), code="soc_listen_no_source"
            )
        if opts["once"] and (udp or tcp):
            self.fail(
                _("--once chỉ dùng với --tail (đọc tệp một lần)."), code="soc_listen_once_tail_only"
            )
        max_line = conf.get("TINHSO_SOC_LISTEN_MAX_FRAME")
        if opts["once"]:
            pipeline = Pipeline(fmt=opts["format"], clock="log")
            summary = run_once(pipeline, files, max_line=max_line)
            self.stdout.write(f"soc_listen: {summary}")
            return
        state = Path(opts["state_file"] or conf.get("TINHSO_SOC_LISTEN_STATE_FILE") or "")
        if files:
            try:
                state.parent.mkdir(parents=True, exist_ok=True)
                probe = state.with_name(f".{state.name}.probe")
                probe.write_text("", encoding="utf-8")
                probe.unlink()
            except OSError as exc:
                self.fail(
                    _("Không ghi được tệp trạng thái: %(path)s.") % {"path": state},
                    code="soc_listen_state_unwritable",
                    cause=exc,
                )
        stats = opts["stats_seconds"] or conf.get("TINHSO_SOC_LISTEN_STATS_SECONDS")
        listener = Listener(
            Pipeline(fmt=opts["format"]),
            udp=udp,
            tcp=tcp,
            tails=files,
            state_path=state if files else None,
            max_line=max_line,
            stats_seconds=stats,
            out=lambda line: self.stdout.write(f"soc_listen: {line}"),
        )
        try:
            asyncio.run(self._serve(listener))
        except OSError as exc:
            self._bind_error(exc)
        self.stdout.write(f"soc_listen: {_('đã dừng')}: {listener.summary()}")

    async def _serve(self, listener: Listener) -> None:
        await listener.start()
        self.stdout.write(f"soc_listen: {_('đang nghe')}: {', '.join(listener.bound)}")
        self.stdout.flush()
        await listener.serve()
