"""Reading a job's ``events.jsonl`` as it grows: find where a sequence number starts, then read
complete new lines. Used by the websocket (resume with ``since``) and the CLI's ``--follow``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import orjson

READ_CHUNK = 4 * 1024 * 1024


def _seq_of(line: bytes) -> Optional[int]:
    try:
        return orjson.loads(line).get("seq")
    except (orjson.JSONDecodeError, AttributeError):
        return None


class EventTail:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.offset = 0

    def size(self) -> int:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def seek_after(self, since: int) -> int:
        """Position at the first event whose seq is greater than ``since`` (binary search: seqs grow
        with the file)."""
        if since <= 0:
            self.offset = 0
            return 0
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            self.offset = 0
            return 0
        with f:
            lo, hi = 0, os.fstat(f.fileno()).st_size
            # lo is always a line start with only seqs <= since before it; the walk below ends it.
            while hi - lo > 65536:
                mid = (lo + hi) // 2
                f.seek(mid)
                f.readline()
                start = f.tell()
                line = f.readline()
                seq = _seq_of(line) if line.endswith(b"\n") else None
                if seq is not None and seq <= since:
                    lo = start + len(line)
                else:
                    hi = mid
            # lo is a line start; walk forward over any lines still <= since
            f.seek(lo)
            pos = lo
            for line in f:
                if not line.endswith(b"\n"):
                    break
                seq = _seq_of(line)
                if seq is not None and seq > since:
                    break
                pos += len(line)
            self.offset = pos
        return self.offset

    def read(self, max_bytes: int = READ_CHUNK) -> list[bytes]:
        """The complete lines added since the last read (without their newlines)."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read(max_bytes)
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        return data[:end].split(b"\n")
