"""Follow a log file as it grows, across rotation, remembering where it stopped.

Each ``poll`` reads what was appended since the last one (at most ``chunk`` bytes) and
hands complete lines to ``on_line``. Rotation is seen from the path's inode: when the
path names a new file (``mv access.log access.log.1`` then a new ``access.log``), the
rest of the old file is read to its end first, then the new one from its start. A file
shorter than the offset was truncated (``copytruncate``): reading starts again at 0.

The offset of the last complete line is kept in a small JSON state file (one entry per
path: device, inode, offset), written atomically after each poll that read something,
so a restart goes on where the last run stopped. Without a state entry a follower starts
at the end of the file (old lines are not news; ``--once`` reads a file whole). A line
longer than ``max_line`` bytes is skipped up to its newline and counted.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path


def _read_state(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(path: Path, key: str, entry: dict) -> None:
    data = _read_state(path)
    data[key] = entry
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


class FileTailer:
    def __init__(
        self,
        path: str | Path,
        on_line: Callable[[bytes], object],
        *,
        state_path: str | Path | None = None,
        from_start: bool = False,
        max_line: int = 64 * 1024,
        chunk: int = 1024 * 1024,
    ) -> None:
        self.path = Path(path)
        self.key = str(self.path.resolve())
        self.on_line = on_line
        self.state_path = Path(state_path) if state_path else None
        self.max_line = max_line
        self.chunk = chunk
        self.fh = None
        self.ident: tuple[int, int] | None = None  # (device, inode) of the open file
        self.offset = 0  # just after the last complete line handed on
        self.partial = bytearray()
        self.skipping = False  # inside a line that was too long
        self.counts = {"lines": 0, "too_long": 0, "rotations": 0, "truncations": 0}
        self._open(from_start=from_start)

    # -- opening ------------------------------------------------------------------

    def _open(self, *, from_start: bool) -> None:
        fh = open(self.path, "rb")  # noqa: SIM115 (kept open while following)
        st = os.fstat(fh.fileno())
        ident = (st.st_dev, st.st_ino)
        offset = 0
        if not from_start:
            saved = _read_state(self.state_path).get(self.key) if self.state_path else None
            if (
                isinstance(saved, dict)
                and (saved.get("dev"), saved.get("ino")) == ident
                and isinstance(saved.get("offset"), int)
                and 0 <= saved["offset"] <= st.st_size
            ):
                offset = saved["offset"]
            elif saved is None or self.state_path is None:
                offset = st.st_size  # no memory of this file: start at its end
            # a state entry for another file (rotated while stopped): read the new one whole
        fh.seek(offset)
        self.fh, self.ident, self.offset = fh, ident, offset
        self.partial.clear()
        self.skipping = False

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    # -- reading ------------------------------------------------------------------

    def _emit(self, line: bytes) -> None:
        self.counts["lines"] += 1
        self.on_line(line)

    def _consume(self, data: bytes) -> None:
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            if self.skipping:
                self.skipping = False
            elif len(self.partial) + end - start > self.max_line:
                self.counts["too_long"] += 1
                self.partial.clear()
            else:
                line = bytes(self.partial) + data[start:end]
                self.partial.clear()
                line = line.rstrip(b"\r")
                if line:
                    self._emit(line)
            start = end + 1
        rest = data[start:]
        if self.skipping:
            return
        if len(self.partial) + len(rest) > self.max_line:
            self.counts["too_long"] += 1
            self.partial.clear()
            self.skipping = True
        else:
            self.partial += rest

    def _read_available(self) -> int:
        """Read the open file to its current end (at most ``chunk`` bytes)."""
        data = self.fh.read(self.chunk)
        if not data:
            return 0
        self._consume(data)
        # the offset to resume from: just after the last newline read
        pending = len(self.partial) if not self.skipping else 0
        self.offset = self.fh.tell() - pending
        if self.skipping:
            self.offset = self.fh.tell()
        return len(data)

    def poll(self) -> int:
        """Read what was appended (and follow a rotation); return the bytes read."""
        if self.fh is None:
            try:
                self._open(from_start=True)  # the rotated file's successor appeared
            except FileNotFoundError:
                return 0
        read = self._read_available()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None  # rotated away, the new file not created yet
        if st is not None and (st.st_dev, st.st_ino) != self.ident:
            # rotation: finish the old file, then the new one from its start
            while True:
                n = self._read_available()
                read += n
                if not n:
                    break
            if self.partial and not self.skipping:
                self._emit(bytes(self.partial).rstrip(b"\r"))
            self.close()
            self.counts["rotations"] += 1
            with contextlib.suppress(FileNotFoundError):
                self._open(from_start=True)
            if self.fh is not None:
                read += self._read_available()
        elif st is not None and st.st_size < self.fh.tell():
            self.counts["truncations"] += 1
            self.fh.seek(0)
            self.offset = 0
            self.partial.clear()
            self.skipping = False
            read += self._read_available()
        if read:
            self.save()
        return read

    def read_all(self) -> int:
        """Read to the end of the file once (a batch), the last line even without newline."""
        total = 0
        while True:
            n = self._read_available()
            total += n
            if not n:
                break
        if self.partial and not self.skipping:
            self._emit(bytes(self.partial).rstrip(b"\r"))
            self.offset += len(self.partial)
            self.partial.clear()
        self.save()
        return total

    def save(self) -> None:
        if self.state_path is None or self.ident is None:
            return
        _write_state(
            self.state_path,
            self.key,
            {"dev": self.ident[0], "ino": self.ident[1], "offset": self.offset},
        )
