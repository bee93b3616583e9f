"""A job's metrics, one column file per field per series, under ``<job>/metrics/``.

``series.jsonl`` names the series in the order they appeared (line ``k`` is series ``k``:
``{"metric": name, "source": "mo" | "keras" | ...}``); series ``k`` has ``k.seq`` (int64: the seq of
the line or event it came from), ``k.value`` (float64; NaN / ±inf are drawn as gaps), and, only
once a point of that series had one, ``k.step`` / ``k.epoch`` (int64, ``MISSING`` where a point had
none) and ``k.time`` (float64 seconds into the run, NaN where the index's time applies: points that
carry their own clock, like TensorBoard's). A value that is not a number is kept in
``k.other.jsonl`` (``[row, value]``) with NaN in ``k.value``.

One writer (the supervisor); columns are appended in ``flush`` before the index record that makes
their points visible, so a reader bounds what it reads by the index's last seq.
"""

from __future__ import annotations

import bisect
import errno
import json
import math
import os
import stat
from array import array
from pathlib import Path
from typing import Any, Optional

import orjson

from ..atomic import write_all
from .records import RecordError, open_regular

FOLDER, SERIES = "metrics", "series.jsonl"
MISSING = -(2**63)  # int64's least: "this point had none"
MAX_SERIES = 1000
MAX_NAME = 256
OPTIONAL = {"step": "<i8", "epoch": "<i8", "time": "<f8"}
TYPECODE = {"step": "q", "epoch": "q", "time": "d"}  # the writer's (array module: no numpy to start)
FILL = {"step": MISSING, "epoch": MISSING, "time": math.nan}
MAX_OPEN = 32  # column files kept open by a writer
INT_BOUND = 2**63  # step / epoch columns: -INT_BOUND < n < INT_BOUND (-2**63 marks "none")
FLOAT_MAX = 1.7976931348623157e308  # an integer value beyond this has no double
OTHER_TEXT = 16 * 1024  # an other value orjson cannot write is kept as its JSON text, cut
_OPEN = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


class _Series:
    """A series' state, and its points collected since the last flush (one entry per point in
    list: ``MISSING`` where a point had no step; epoch and time, rarer, by row)."""

    __slots__ = ("id", "name", "source", "rows", "columns", "seq", "value", "step", "sparse", "other", "dead")

    def __init__(self, id: int, name: str, source: str, rows: int = 0, columns: tuple = ()):
        self.id, self.name, self.source, self.rows = id, name, source, rows
        self.columns = set(columns)  # optional columns that exist on disk
        self.seq: list[int] = []
        self.value: list[float] = []
        self.step: list[int] = []
        self.sparse: dict[str, dict[int, Any]] = {}  # epoch / time: {pending row: value}
        self.other: list[bytes] = []  # other values' lines for other.jsonl
        self.dead = False  # a column of it cannot be written: no more points


class MetricWriter:
    """Collects points (``add``) and appends them to their columns (``flush``)."""

    def __init__(self, job_path: Path, upto: Optional[int] = None):
        """``upto``: a re-attached writer's last seq on the index (later lines come again)."""
        self.folder = Path(job_path) / FOLDER
        try:
            os.mkdir(self.folder, 0o755)
        except FileExistsError:
            pass
        if not self.folder.is_dir() or self.folder.is_symlink():
            raise RecordError("metrics is not a folder")
        self.by_name: dict[str, _Series] = {}
        self.pending: list[_Series] = []
        self._fds: dict[str, int] = {}  # open column files, the one used last at the end
        for s in read_series_list(job_path):  # a re-attached supervisor goes on
            cols = [c for c in OPTIONAL if os.path.lexists(self.folder / f"{s.id}.{c}")]
            rows = self._complete_rows(s.id, cols, upto)
            self.by_name[s.name] = _Series(s.id, s.name, s.source, rows, cols)

    def _complete_rows(self, sid: int, cols: list[str], upto: Optional[int]) -> int:
        """A re-attached writer's rows of a series: those that both ``seq`` and ``value`` hold (a
        supervisor killed inside a flush leaves one longer) and whose seq is on the index (``upto``:
        the lines after it come again, and their points with them). Both are cut back to them; an
        optional column is cut back too, or filled up to them with its "none" (killed while it was
        being created: its rows before that were "none" by construction)."""
        rows = min(_size(self.folder / f"{sid}.seq"), _size(self.folder / f"{sid}.value")) // 8
        if upto is not None and rows:  # (a link planted at seq: the column is gone anyway)
            rows = bisect.bisect_right(read_rows(self.folder, f"{sid}.seq", "q", rows) or array("q"), upto)
        for col in ("seq", "value", *cols):
            path = self.folder / f"{sid}.{col}"
            size = _size(path)
            if size == rows * 8:
                continue
            have = size // 8
            fd = _open_regular_append(path)
            if fd is None:
                continue
            try:
                os.ftruncate(fd, min(have, rows) * 8)
                if have < rows:
                    write_all(fd, array(TYPECODE[col], [FILL[col]]) * (rows - have))
            finally:
                os.close(fd)
        return rows

    def series(self, name: str, source: str) -> Optional[_Series]:
        """The series of ``name`` (created on first use); None when it cannot take this point:
        another source owns the name, or the bounds on names are reached."""
        s = self.by_name.get(name)
        if s is None:
            if len(self.by_name) >= MAX_SERIES or len(name) > MAX_NAME:
                return None
            # its name first: a column never lacks it (a series.jsonl planted as a FIFO: no series)
            if not self._write(SERIES, orjson.dumps({"metric": name, "source": source}) + b"\n", keep=False):
                return None
            s = self.by_name[name] = _Series(len(self.by_name), name, source)
        elif s.source != source or s.dead:
            return None
        return s

    def add(self, s: _Series, seq: int, metric: dict) -> None:
        """One point (a parsed metric: value, and maybe step / epoch / time). A field that does not
        fit its column (a step beyond 64 bits from a recognizer, an integer beyond a double) is
        left out or kept as an other value: nothing a job prints stops the writer."""
        if not s.seq:
            self.pending.append(s)
        row = s.rows + len(s.seq)
        value = metric["value"]
        kind = type(value)
        if kind is int and not -FLOAT_MAX <= value <= FLOAT_MAX:
            kind = None
        if kind is not float and kind is not int:
            if "nonfinite" not in metric:
                s.other.append(_other_line(row, value))
            value = _NONFINITE.get(metric.get("nonfinite"), math.nan)
        epoch, time_ = metric.get("epoch"), metric.get("time")
        if epoch is not None and _fits(epoch):
            s.sparse.setdefault("epoch", {})[len(s.seq)] = epoch
        if type(time_) in (float, int) and -FLOAT_MAX <= time_ <= FLOAT_MAX:
            s.sparse.setdefault("time", {})[len(s.seq)] = time_
        step = metric.get("step", MISSING)
        s.seq.append(seq)
        s.value.append(value)
        s.step.append(step if step is MISSING or _fits(step) else MISSING)

    def flush(self) -> None:
        """The points collected, appended to their columns: every series' buffers are taken first
        (a failed write never repeats rows, nor keeps a series' points back), then written."""
        pending, self.pending = self.pending, []
        writes = []
        for s in pending:
            seq, value, step, sparse, other = s.seq, s.value, s.step, s.sparse, s.other
            s.seq, s.value, s.step, s.sparse, s.other = [], [], [], {}, []
            n, rows = len(seq), s.rows
            s.rows += n
            columns = [("seq", array("q", seq)), ("value", array("d", value))]
            for col, code in TYPECODE.items():
                if col == "step":
                    arr = array(code, step)
                    given = any(v != MISSING for v in step) if col not in s.columns else True
                else:
                    given = bool(sparse.get(col))
                    arr = array(code, [FILL[col]]) * n
                    for r, v in (sparse.get(col) or {}).items():
                        arr[r] = v
                if col not in s.columns:
                    if not given:
                        continue
                    # its first point with this field: earlier rows had none
                    columns.append((col, array(code, [FILL[col]]) * rows))
                    s.columns.add(col)
                columns.append((col, arr))
            writes.append((s, columns, b"".join(other)))
        for s, columns, other in writes:
            for col, arr in columns:
                if not self._write(f"{s.id}.{col}", arr):
                    s.dead = True  # a column that cannot grow: the series takes no more points
            if other:
                self._write(f"{s.id}.other.jsonl", other, keep=False)

    def _write(self, name: str, data, keep: bool = True) -> bool:
        """Append to a file of the folder, kept open between flushes when ``keep`` (the
        ``MAX_OPEN`` used last). Only a regular file is written (never through a link, and never
        a FIFO planted there: its open would wait for a reader): another is left alone (False)."""
        fd = self._fds.pop(name, None)
        if fd is None:
            fd = _open_regular_append(self.folder / name)
            if fd is None:
                return False
            if not keep:
                try:
                    write_all(fd, data)
                finally:
                    os.close(fd)
                return True
            if len(self._fds) >= MAX_OPEN:
                os.close(self._fds.pop(next(iter(self._fds))))
        self._fds[name] = fd  # the most recent last
        write_all(fd, data)
        return True

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}


def read_rows(folder: Path, name: str, typecode: str, rows: int) -> Optional[array]:
    """The first ``rows`` values of a column of ``folder`` (an ``array``: no numpy on the
    supervisor's side), None when it is absent or shorter."""
    arr = array(typecode)
    try:
        with open_regular(folder / name) as f:
            arr.frombytes(f.read(rows * 8))
    except (OSError, RecordError, ValueError):
        return None
    return arr if len(arr) == rows else None


def _fits(number) -> bool:
    """An integer a 64-bit column takes (its lowest value marks "none")."""
    return type(number) is int and -INT_BOUND < number < INT_BOUND


def _other_line(row: int, value) -> bytes:
    try:
        return orjson.dumps([row, value]) + b"\n"
    except TypeError:  # past 64 bits inside a list (Python's json read it), or nested too deep
        try:
            text = json.dumps(value)[:OTHER_TEXT]
        except (RecursionError, ValueError, TypeError):
            text = "(a value nested too deep to keep)"
        return orjson.dumps([row, text]) + b"\n"


def _open_regular_append(path: Path) -> Optional[int]:
    """An fd to append to ``path``; None when something planted is there (a link: ELOOP, a FIFO
    with no reader: ENXIO, or anything not a regular file). Other errors (a full disk, no fds
    left) are raised: they are not the file's doing."""
    try:
        fd = os.open(path, _OPEN | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.EACCES, errno.EPERM):
            return None  # a link, a FIFO, a folder or a file we may not write planted there
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    os.set_blocking(fd, True)
    return fd


_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except FileNotFoundError:
        return 0


class SeriesInfo:
    __slots__ = ("id", "name", "source")

    def __init__(self, id: int, name: str, source: str):
        self.id, self.name, self.source = id, name, source


def read_series_list(job_path: Path) -> list[SeriesInfo]:
    """The series of a job (none yet: []); RecordError when ``metrics`` is not a real folder."""
    folder = Path(job_path) / FOLDER
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            raise RecordError("metrics is not a folder")
    except FileNotFoundError:
        return []
    try:
        with open_regular(Path(job_path) / FOLDER / SERIES) as f:
            data = f.read(MAX_SERIES * (MAX_NAME * 6 + 64))
    except (OSError, RecordError):
        return []
    out = []
    for line in data.split(b"\n")[:MAX_SERIES]:
        try:
            item = orjson.loads(line)
            out.append(SeriesInfo(len(out), str(item["metric"]), str(item.get("source", "mo"))))
        except (orjson.JSONDecodeError, TypeError, KeyError):
            break  # a torn last line
    return out


def _column(folder: Path, name: str, dtype: str, rows: int, start: int = 0):
    """Rows ``start`` to ``start + rows`` (fewer at its end) of a column; None when it is absent."""
    import numpy as np

    try:
        with open_regular(folder / name) as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(start * 8)
            data = f.read(max(0, min(rows * 8, size - start * 8)))
    except (OSError, RecordError):  # absent, or a link planted there (ELOOP)
        return None
    usable = len(data) - len(data) % 8
    return np.frombuffer(data[:usable], dtype)


def _seq_rows(folder: Path, sid: int, max_seq: int, min_seq: int, start: Optional[int]):
    """The ``seq`` column from row ``start`` (None: not known, from its first row) far enough to
    hold every row up to ``max_seq``, and the bounds (lo, hi) of the rows with ``min_seq < seq <=
    max_seq`` in it; None when absent."""
    import numpy as np

    # from a known row: usually a row per seq at most; else the whole column (searched)
    want = max(4096, max_seq - min_seq + 1) if start is not None else 1 << 40
    start = start or 0
    while True:
        seq = _column(folder, f"{sid}.seq", "<i8", want, start)
        if seq is None:
            return None
        hi = int(np.searchsorted(seq, max_seq, side="right"))
        if hi < len(seq) or len(seq) < want:  # the rows past max_seq, or the column's end, are in
            lo = int(np.searchsorted(seq, min_seq, side="right")) if min_seq > 0 else 0
            return seq, lo, hi
        want *= 4  # many points share a seq here (TensorBoard's): read on


def read_columns(job_path: Path, max_seq: int, min_seq: int = 0, cursor: Optional[dict] = None) -> list[dict]:
    """Every series' points with ``min_seq < seq <= max_seq``, as numpy columns:
    ``{"metric", "source", "seq", "value", "step"?, "epoch"?, "time"?, "other"?}``. ``cursor``
    (a reader's, for calls with growing seqs): each series' first row not read yet, kept up to
    date, so that a reader going through a job reads each column once."""
    folder = Path(job_path) / FOLDER
    out = []
    for info in read_series_list(job_path):
        start = cursor.get(info.id) if cursor is not None else None
        found = _seq_rows(folder, info.id, max_seq, min_seq, start)
        if found is None:
            continue
        start = start or 0
        seq, lo, hi = found
        value = _column(folder, f"{info.id}.value", "<f8", hi - lo, start + lo)
        if value is None:
            continue
        hi = min(hi, lo + len(value))
        if cursor is not None:
            cursor[info.id] = start + hi
        if hi <= lo:
            continue
        item = {"metric": info.name, "source": info.source, "seq": seq[lo:hi], "value": value[: hi - lo]}
        for col, dtype in OPTIONAL.items():
            arr = _column(folder, f"{info.id}.{col}", dtype, hi - lo, start + lo)
            if arr is not None and len(arr) >= hi - lo:
                item[col] = arr
        other = _others(folder / f"{info.id}.other.jsonl", start + lo, start + hi)
        if other:
            item["other"] = other
        out.append(item)
    return out


def _others(path: Path, lo: int, hi: int) -> dict[int, Any]:
    try:
        with open_regular(path) as f:
            data = f.read(64 * 1024 * 1024)
    except (OSError, RecordError):
        return {}
    out = {}
    for line in data.split(b"\n"):
        try:
            row, value = orjson.loads(line)
        except (orjson.JSONDecodeError, TypeError, ValueError):
            continue
        if isinstance(row, int) and lo <= row < hi:
            out[row - lo] = value
    return out
