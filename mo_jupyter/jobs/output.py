"""The supervisor's writing side: bytes from a job's pipes in, ``output.log`` / ``events.jsonl`` /
``metrics.jsonl`` out, each line on disk before anyone can show it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import BinaryIO, Optional

import orjson

from .metrics import MAX_PARSE_BYTES, PLAIN, parse_line
from .records import EVENTS, METRICS, OUTPUT

# A line longer than this is written to output.log as it comes and shown cut to DISPLAY_BYTES.
MAX_LINE_BYTES = MAX_PARSE_BYTES
DISPLAY_BYTES = 16 * 1024


class _Stream:
    __slots__ = ("name", "pending", "long_head", "long_size")

    def __init__(self, name: str):
        self.name = name
        self.pending = b""
        self.long_head: Optional[bytes] = None  # set while inside an over-long line
        self.long_size = 0


def _display(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    if "\r" in text:  # progress bars: show what a terminal would show
        text = text.rstrip("\r")
        text = text[text.rfind("\r") + 1 :]
    return text


def _append(path: Path) -> BinaryIO:
    """``path`` opened for appending, never through a link planted in the job's folder."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    return os.fdopen(fd, "ab")


class EventWriter:
    """Appends a job's output and events. Single-threaded: the supervisor's loop calls it."""

    def __init__(self, job_path: Path, started_monotonic: Optional[float] = None, first_seq: int = 0):
        self.output: BinaryIO = _append(job_path / OUTPUT)
        self.events: BinaryIO = _append(job_path / EVENTS)
        self.metrics: BinaryIO = _append(job_path / METRICS)
        self.seq = first_seq
        self.t0 = started_monotonic
        self.streams = {"stdout": _Stream("stdout"), "stderr": _Stream("stderr")}
        # Re-attaching to a job whose output is replayed from its start (a container's log):
        # the number of complete lines per stream that are on disk already and must not be again.
        self.skip: dict[str, int] = {}

    def elapsed(self) -> float:
        if self.t0 is None:
            return 0.0
        return round(time.monotonic() - self.t0, 6)

    def _event(self, event: dict) -> None:
        self.seq += 1
        event["seq"] = self.seq
        self.events.write(orjson.dumps(event) + b"\n")

    def status(self, job: dict) -> None:
        self._event({"type": "status", "t": self.elapsed(), "job": job})

    def feed(self, stream: str, chunk: bytes) -> None:
        """Take a chunk read from a pipe; empty bytes means end of stream."""
        s = self.streams[stream]
        if not chunk:
            if s.long_head is not None:
                self.output.write(b"\n")
                self._long_line_end(s)
            elif s.pending:
                self.output.write(s.pending + b"\n")
                self._line(s.name, s.pending)
                s.pending = b""
            return
        if s.long_head is not None:
            nl = chunk.find(b"\n")
            if nl < 0:
                self.output.write(chunk)
                s.long_size += len(chunk)
                return
            self.output.write(chunk[: nl + 1])
            s.long_size += nl
            self._long_line_end(s)
            chunk = chunk[nl + 1 :]
        data = s.pending + chunk if s.pending else chunk
        last = data.rfind(b"\n")
        if last >= 0:
            if self.skip.get(s.name):
                lines = data[:last].split(b"\n")
                dropped = min(self.skip[s.name], len(lines))
                self.skip[s.name] -= dropped
                lines = lines[dropped:]
                if lines:
                    self.output.write(b"\n".join(lines) + b"\n")
                    self._lines(s.name, lines)
            else:
                self.output.write(data[: last + 1])
                self._lines(s.name, data[:last].split(b"\n"))
            data = data[last + 1 :]
        if len(data) > MAX_LINE_BYTES:
            self.output.write(data)
            s.long_head, s.long_size, data = data[:DISPLAY_BYTES], len(data), b""
        s.pending = data

    def _long_line_end(self, s: _Stream) -> None:
        event = {"type": "log", "t": self.elapsed(), "stream": s.name, "line": _display(s.long_head or b"")}
        event.update(truncated=True, bytes=s.long_size)
        self._event(event)
        s.long_head, s.long_size = None, 0

    def _line(self, stream: str, raw: bytes) -> None:
        self._lines(stream, [raw])

    def _lines(self, stream: str, lines: list[bytes]) -> None:
        """The hot path: a pipe chunk's complete lines -> events, encoded by hand around orjson."""
        head = b'{"type":"log","t":%s,"stream":"%s","line":' % (repr(self.elapsed()).encode(), stream.encode())
        t = self.elapsed()
        seq = self.seq
        events: list[bytes] = []
        metrics: list[bytes] = []
        for raw in lines:
            if len(raw) > MAX_LINE_BYTES:
                self.seq = seq
                self._flush_lists(events, metrics)
                events, metrics = [], []
                event = {"type": "log", "t": t, "stream": stream, "line": _display(raw[:DISPLAY_BYTES])}
                event.update(truncated=True, bytes=len(raw))
                self._event(event)
                seq = self.seq
                continue
            if b"\r" in raw:
                text = _display(raw)
                raw = text.encode()
            else:
                try:
                    text = raw.decode()
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", errors="replace")
            seq += 1
            parsed = parse_line(raw) if b"metric" in raw else PLAIN
            if parsed.warning:
                events.append(head + orjson.dumps(text) + b',"warning":%s,"seq":%d}' % (orjson.dumps(parsed.warning), seq))
            else:
                events.append(head + orjson.dumps(text) + b',"seq":%d}' % seq)
            metric = parsed.metric
            if metric is not None:
                seq += 1
                metric["time"] = t
                metric["seq"] = seq
                encoded = orjson.dumps(metric)
                metrics.append(encoded)
                events.append(b'{"type":"metric",' + encoded[1:])
        self.seq = seq
        self._flush_lists(events, metrics)

    def _flush_lists(self, events: list[bytes], metrics: list[bytes]) -> None:
        if events:
            events.append(b"")
            self.events.write(b"\n".join(events))
        if metrics:
            metrics.append(b"")
            self.metrics.write(b"\n".join(metrics))

    def flush(self) -> None:
        self.output.flush()
        self.metrics.flush()
        self.events.flush()

    def close(self) -> None:
        for f in (self.output, self.metrics, self.events):
            f.close()
