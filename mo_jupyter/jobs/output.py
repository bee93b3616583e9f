"""The supervisor's writing side: bytes from a job's pipes in; ``output.log`` (every byte, the one
source of truth), its index ``output.idx``, ``notes.jsonl`` and the metric columns out.

A pipe chunk's complete lines go to ``output.log`` in one write and get one index record; only
lines that can be metrics are looked at one by one. Everything is appended in ``flush``, the index
last, so a line is on disk before anyone can show it. A line that has not ended yet but holds a
``\\r`` (a progress bar) is shown live through ``progress.json``, throttled.
"""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path
from typing import BinaryIO, Optional

import orjson

from ..atomic import write_atomic
from .metrics import MAX_PARSE_BYTES, _loads, metric_of
from .metricstore import FLOAT_MAX, INT_BOUND, MISSING, MetricWriter, read_rows
from .outindex import EVENT, INDEX, LINES, NO_STREAM, NOTES, PROGRESS, STREAMS, pack
from .records import OUTPUT

# A line longer than this is written to output.log as it comes and shown cut to DISPLAY_BYTES.
MAX_LINE_BYTES = MAX_PARSE_BYTES
DISPLAY_BYTES = 16 * 1024
PROGRESS_SECONDS = 0.1
_INF, _NAN = float("inf"), float("nan")


def display(raw: bytes) -> str:
    """What a terminal shows of a line: the last state of a ``\\r`` progress bar, cut."""
    if b"\r" in raw:
        raw = raw.rstrip(b"\r")
        raw = raw[raw.rfind(b"\r") + 1 :]
    return raw[:DISPLAY_BYTES].decode("utf-8", errors="replace")


class _Stream:
    __slots__ = ("name", "code", "pending", "long_size", "long_cur", "long_prev", "recognizer", "shown")

    def __init__(self, name: str, code: int):
        self.name, self.code = name, code
        self.pending = b""
        self.long_size = -1  # >= 0 while inside an over-long line
        self.long_cur = self.long_prev = b""  # its current and last finished '\r' segments, cut
        self.recognizer = None
        self.shown = ""  # the progress state last published

    def long_piece(self, piece: bytes) -> None:
        self.long_size += len(piece)
        parts = piece.split(b"\r")
        for i, part in enumerate(parts):
            if i:  # a '\r': the segment so far is finished
                if self.long_cur:
                    self.long_prev = self.long_cur
                self.long_cur = b""
            if len(self.long_cur) < DISPLAY_BYTES:
                self.long_cur += part[: DISPLAY_BYTES - len(self.long_cur)]

    def long_display(self) -> bytes:
        return self.long_cur or self.long_prev


def _append(path: Path) -> BinaryIO:
    """``path`` opened for appending, never through a link planted in the job's folder."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    return os.fdopen(fd, "ab")


class EventWriter:
    """Appends a job's output. Single-threaded: the supervisor's loop calls it."""

    def __init__(self, job_path: Path, started_monotonic: Optional[float] = None, first_seq: int = 0,
                 recognize: bool = True, resume: bool = False):
        """``resume``: a re-attached supervisor's writer; ``first_seq`` is the last seq on the index,
        and the metric columns are cut back to it (see ``MetricWriter``)."""
        self.path = Path(job_path)
        self.output = _append(self.path / OUTPUT)
        self.notes = _append(self.path / NOTES)
        self.index = _append(self.path / INDEX)
        self.out_off = self.output.tell()
        self.notes_off = self.notes.tell()
        self.metrics = MetricWriter(self.path, upto=first_seq if resume else None)
        self.records: list[tuple] = []
        self.seq = first_seq
        self.t0 = started_monotonic
        self.streams = {name: _Stream(name, i) for i, name in enumerate(STREAMS)}
        if recognize:
            try:
                from .recognize import Recognizer
            except ImportError:  # recognition is an addition, never a cost to the job
                Recognizer = None
            if Recognizer is not None:
                for s in self.streams.values():
                    s.recognizer = Recognizer()
        # Re-attaching to a job whose output is replayed from its start (a container's log):
        # the number of complete lines per stream that are on disk already and must not be again.
        self.skip: dict[str, int] = {}
        self.points_skip: dict[tuple, int] = {}  # ... and the points stored (TensorBoard's): see resume_points
        self.progress_due = 0.0
        self.progress_dirty = False

    def elapsed(self) -> float:
        if self.t0 is None:
            return 0.0
        return round(time.monotonic() - self.t0, 6)

    # ---- events that are not lines -------------------------------------------------------------
    def _note(self, event: dict, covers: int, stream: int = NO_STREAM) -> None:
        if covers:
            self.seq += 1
            event["seq"] = self.seq
        data = orjson.dumps(event) + b"\n"
        self.notes.write(data)
        self.records.append((EVENT, stream, 0, covers, event.get("seq", self.seq), self.notes_off, len(data) - 1,
                             event.get("t", self.elapsed())))
        self.notes_off += len(data)

    def status(self, job: dict) -> None:
        self._note({"type": "status", "t": self.elapsed(), "job": job}, 1)

    def points(self, metrics: list[dict], source: str) -> None:
        """Metrics that come with no line (TensorBoard's event files): one event covers them. A
        re-attached supervisor's watcher reads the files from their start again: the points stored
        already (``resume_points``) are dropped, as replayed lines are."""
        if self.points_skip:
            metrics = [m for m in metrics if not self._skip_point(m)]
            if not metrics:
                return
        self._note({"type": "points", "t": self.elapsed(), "source": source, "count": len(metrics)}, 1)
        for metric in metrics:
            s = self.metrics.series(metric["metric"], source)
            if s is not None:
                self.metrics.add(s, self.seq, metric)

    def resume_points(self, source: str) -> None:
        """Re-attaching: the points of ``source`` will come again from the start. Those stored are
        known by (series, step, time), not by their count: two writers' files in one folder are
        read in another order than they were written. (The columns were cut back to their complete
        rows on the index when the writer opened: a point cut off there comes again, and is kept.)"""
        stored: dict[tuple, int] = {}
        for s in self.metrics.by_name.values():
            if s.source != source or not s.rows:
                continue
            steps = read_rows(self.metrics.folder, f"{s.id}.step", "q", s.rows) or [MISSING] * s.rows
            times = read_rows(self.metrics.folder, f"{s.id}.time", "d", s.rows) or [None] * s.rows
            for step, t in zip(steps, times):
                key = (s.name, step, _key_time(t))
                stored[key] = stored.get(key, 0) + 1
        self.points_skip = stored

    def _skip_point(self, metric: dict) -> bool:
        key = (metric["metric"], metric.get("step", MISSING), _key_time(metric.get("time")))
        left = self.points_skip.get(key)
        if not left:
            return False
        if left == 1:
            del self.points_skip[key]
        else:
            self.points_skip[key] = left - 1
        return True

    # ---- lines -----------------------------------------------------------------------------------
    def feed(self, stream: str, chunk: bytes) -> None:
        """Take a chunk read from a pipe; empty bytes means end of stream."""
        s = self.streams[stream]
        if not chunk:
            if s.long_size >= 0:
                self._write(b"\n")
                self._long_end(s)
            elif s.pending:
                self._complete(s, s.pending + b"\n")
                s.pending = b""
            self._progress(s, b"")
            return
        if s.long_size >= 0:
            nl = chunk.find(b"\n")
            if nl < 0:
                self._write(chunk)
                s.long_piece(chunk)
                self._progress(s, s.long_display() if b"\r" in chunk else None)
                return
            self._write(chunk[: nl + 1])
            s.long_piece(chunk[:nl])
            self._long_end(s)
            chunk = chunk[nl + 1 :]
        data = s.pending + chunk if s.pending else chunk
        last = data.rfind(b"\n")
        if last >= 0:
            self._complete(s, data[: last + 1])
            data = data[last + 1 :]
        if len(data) > MAX_LINE_BYTES:
            self._write(data)
            s.long_size, s.long_cur, s.long_prev = 0, b"", b""
            s.long_piece(data)
            data = b""
        s.pending = data
        if b"\r" in data or s.shown:
            self._progress(s, data if b"\r" in data else b"")
        elif s.long_size >= 0 and b"\r" in chunk:
            self._progress(s, s.long_display())

    def _write(self, data: bytes) -> None:
        self.output.write(data)
        self.out_off += len(data)

    def _long_end(self, s: _Stream) -> None:
        event = {"type": "log", "t": self.elapsed(), "stream": s.name, "line": display(s.long_display()),
                 "truncated": True, "bytes": s.long_size}
        self._note(event, 1, s.code)
        s.long_size, s.long_cur, s.long_prev = -1, b"", b""
        self._progress(s, b"")

    def _progress(self, s: _Stream, raw: Optional[bytes]) -> None:
        """Publish the live state of an unfinished line (``b""``: none any more)."""
        if raw is None:
            return
        text = display(raw) if raw else ""
        if text != s.shown:
            s.shown = text
            self.progress_dirty = True

    def _complete(self, s: _Stream, data: bytes) -> None:
        """Complete lines (``data`` ends with a newline): the hot path."""
        if self.skip.get(s.name):
            lines = data.split(b"\n")[:-1]
            dropped = min(self.skip[s.name], len(lines))
            self.skip[s.name] -= dropped
            if dropped == len(lines):
                return
            data = b"\n".join(lines[dropped:]) + b"\n"
        off = self.out_off
        self._write(data)
        first = self.seq + 1
        t = self.elapsed()
        special: dict[int, dict] = {}
        # a recognizer in the middle of a table (Lightning's results) takes the next lines whatever they hold
        rec = s.recognizer is not None and (getattr(s.recognizer, "wants_next", False) or _may_recognize(data))
        if b"metric" in data or rec or len(data) > MAX_LINE_BYTES:
            lines = data.split(b"\n")
            lines.pop()
            try:
                self._scan(s, lines, first, t, special, rec)
            except Exception:  # a line no rule foresaw: logged, the rest shown as printed, never lost
                traceback.print_exc()
            n = len(lines)
        else:
            n = data.count(b"\n")
        self.seq = first + n - 1
        if not special:
            self.records.append((LINES, s.code, 0, n, first, off, len(data), t))
            return
        # lines shown otherwise than printed split the run; their bytes stay in output.log
        pos = off
        run_start = 0
        lengths = [len(x) + 1 for x in data.split(b"\n")[:-1]]
        for i in sorted(special):
            if i > run_start:
                size = sum(lengths[run_start:i])
                self.records.append((LINES, s.code, 0, i - run_start, first + run_start, pos, size, t))
                pos += size
            event = special[i]
            event.update(type="log", t=t, stream=s.name, seq=first + i)
            data_ = orjson.dumps(event) + b"\n"
            self.notes.write(data_)
            self.records.append((EVENT, s.code, 0, 1, first + i, self.notes_off, len(data_) - 1, t))
            self.notes_off += len(data_)
            pos += lengths[i]
            run_start = i + 1
        if run_start < n:
            self.records.append((LINES, s.code, 0, n - run_start, first + run_start, pos, sum(lengths[run_start:]), t))

    def _scan(self, s: _Stream, lines: list[bytes], first: int, t: float, special: dict, rec: bool) -> None:
        """Metrics (and lines to show otherwise) among a chunk's lines. The hot path of a metric
        flood: when every line of the chunk is JSON (decoded in one C-level pass), a line in the
        usual form (a name, a finite value, maybe an integer step) is stored inline; any other line
        goes through ``metric_of``, the rules' one definition."""
        objs = None
        if len(lines) > 1 and sum(map(len, lines)) < MAX_LINE_BYTES:
            try:
                objs = list(map(orjson.loads, lines))
            except orjson.JSONDecodeError:
                objs = None
        if objs is None:
            for i, raw in enumerate(lines):
                self._line(s, raw, first + i, special, i, rec)
            return
        metrics = self.metrics
        cache: dict[str, object] = {}
        for i, obj in enumerate(objs):
            if type(obj) is dict and len(obj) <= 3:
                name = obj.get("metric")
                value = obj.get("value", obj)
                step = obj.get("step", MISSING)
                kind = type(value)
                if (type(name) is str and (-_INF < value < _INF if kind is float else
                                           kind is int and -FLOAT_MAX <= value <= FLOAT_MAX)
                        and (step is MISSING or (type(step) is int and -INT_BOUND < step < INT_BOUND))
                        and len(obj) == 2 + (step is not MISSING)):
                    series = cache.get(name)
                    if series is None:
                        series = cache[name] = metrics.series(name, "mo")
                    if series is not None:
                        if not series.seq:
                            metrics.pending.append(series)
                        series.seq.append(first + i)
                        series.value.append(value)
                        series.step.append(step)
                        continue
            self._line(s, lines[i], first + i, special, i, rec, obj)

    def _line(self, s: _Stream, raw: bytes, seq: int, special: dict, i: int, rec: bool, obj=_NAN) -> None:
        """One line, by the rules: a Mo metric, a line with a warning, or maybe a framework's."""
        if len(raw) > MAX_LINE_BYTES:
            special[i] = {"line": display(raw), "truncated": True, "bytes": len(raw)}
            return
        if b"metric" in raw:
            if obj is _NAN:
                try:
                    obj = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    obj = _loads(raw)  # NaN / Infinity, as Python's json writes them
            parsed = metric_of(obj)
            metric = parsed.metric
            if metric is not None:
                series = self.metrics.series(metric["metric"], "mo")
                if series is None:
                    special[i] = {"line": display(raw), "warning": _refused(metric["metric"])}
                else:
                    self.metrics.add(series, seq, metric)
                return
            if parsed.warning:
                special[i] = {"line": display(raw), "warning": parsed.warning}
                return
        if rec:
            for metric in s.recognizer.feed(display(raw)):
                series = self.metrics.series(metric["metric"], metric.get("source", "mo"))
                if series is not None:
                    self.metrics.add(series, seq, metric)

    def flush(self) -> None:
        """Everything collected to disk, the index last."""
        self.output.flush()
        self.metrics.flush()
        self.notes.flush()
        if self.records:
            self.index.write(pack(self.records))
            self.index.flush()
            self.records = []
        if self.progress_dirty and time.monotonic() >= self.progress_due:
            self.write_progress()

    def write_progress(self) -> None:
        shown = {s.name: s.shown for s in self.streams.values() if s.shown}
        write_atomic(self.path / PROGRESS, orjson.dumps({"seq": self.seq, "lines": shown}))
        self.progress_dirty = False
        self.progress_due = time.monotonic() + PROGRESS_SECONDS

    def close(self) -> None:
        if self.progress_dirty or any(s.shown for s in self.streams.values()):
            for s in self.streams.values():
                s.shown = ""
            self.progress_dirty = True
        self.flush()
        if self.progress_dirty:
            self.write_progress()
        for f in (self.output, self.notes, self.index):
            f.close()
        self.metrics.close()


def _key_time(t) -> Optional[float]:
    return float(t) if isinstance(t, (int, float)) and t == t else None


def _refused(name: str) -> str:
    from .metricstore import MAX_NAME, MAX_SERIES

    if len(name) > MAX_NAME:
        return f"metric name longer than {MAX_NAME} characters; line kept as log"
    return (f"more than {MAX_SERIES} metric names (or the name belongs to another source, or its files in the "
            "job's folder cannot be written); line kept as log")


def _may_recognize(data: bytes) -> bool:
    try:
        from .recognize import may_hold_metrics
    except ImportError:
        return False
    return may_hold_metrics(data)
