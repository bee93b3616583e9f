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

import os
from pathlib import Path
from typing import Any, Optional

import math
import stat
from array import array

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
_OPEN = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


class _Series:
    """A series' state, and its points collected since the last flush (one entry per point in
    list: ``MISSING`` where a point had no step; epoch and time, rarer, by row)."""

    __slots__ = ("id", "name", "source", "rows", "columns", "seq", "value", "step", "sparse", "other")

    def __init__(self, id: int, name: str, source: str, rows: int = 0, columns: tuple = ()):
        self.id, self.name, self.source, self.rows = id, name, source, rows
        self.columns = set(columns)  # optional columns that exist on disk
        self.seq: list[int] = []
        self.value: list[float] = []
        self.step: list[int] = []
        self.sparse: dict[str, dict[int, Any]] = {}  # epoch / time: {pending row: value}
        self.other: list[tuple[int, Any]] = []


class MetricWriter:
    """Collects points (``add``) and appends them to their columns (``flush``)."""

    def __init__(self, job_path: Path):
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
            cols = [c for c in OPTIONAL if (self.folder / f"{s.id}.{c}").exists()]
            rows = _size(self.folder / f"{s.id}.seq") // 8
            self.by_name[s.name] = _Series(s.id, s.name, s.source, rows, cols)

    def series(self, name: str, source: str) -> Optional[_Series]:
        """The series of ``name`` (created on first use); None when it cannot take this point:
        another source owns the name, or the bounds on names are reached."""
        s = self.by_name.get(name)
        if s is None:
            if len(self.by_name) >= MAX_SERIES or len(name) > MAX_NAME:
                return None
            s = self.by_name[name] = _Series(len(self.by_name), name, source)
            with open(self.folder / SERIES, "ab") as f:  # first: a column never lacks its name
                f.write(orjson.dumps({"metric": name, "source": source}) + b"\n")
        elif s.source != source:
            return None
        return s

    def add(self, s: _Series, seq: int, metric: dict) -> None:
        """One point (a parsed metric: value, and maybe step / epoch / time)."""
        if not s.seq:
            self.pending.append(s)
        value = metric["value"]
        kind = type(value)
        if kind is not float and kind is not int:
            if "nonfinite" not in metric:
                s.other.append((s.rows + len(s.seq), value))
            value = _NONFINITE.get(metric.get("nonfinite"), math.nan)
        for key in ("epoch", "time"):
            if key in metric:
                s.sparse.setdefault(key, {})[len(s.seq)] = metric[key]
        s.seq.append(seq)
        s.value.append(value)
        s.step.append(metric.get("step", MISSING))

    def flush(self) -> None:
        for s in self.pending:
            n = len(s.seq)
            self._append(s, "seq", array("q", s.seq))
            self._append(s, "value", array("d", s.value))
            for col, code in TYPECODE.items():
                if col == "step":
                    arr = array(code, s.step)
                    given = any(v != MISSING for v in s.step) if col not in s.columns else True
                else:
                    sparse = s.sparse.get(col)
                    given = bool(sparse)
                    arr = array(code, [FILL[col]]) * n
                    for row, value in (sparse or {}).items():
                        arr[row] = value
                if col not in s.columns:
                    if not given:
                        continue
                    # its first point with this field: earlier rows had none
                    self._append(s, col, array(code, [FILL[col]]) * s.rows)
                    s.columns.add(col)
                self._append(s, col, arr)
            if s.other:
                with self._open(f"{s.id}.other.jsonl") as f:
                    f.write(b"".join(orjson.dumps(list(item)) + b"\n" for item in s.other))
            s.rows += n
            s.seq, s.value, s.step, s.sparse, s.other = [], [], [], {}, []
        self.pending = []

    def _open(self, name: str):
        return os.fdopen(os.open(self.folder / name, _OPEN, 0o644), "ab")

    def _append(self, s: _Series, col: str, arr: array) -> None:
        """Append to a column file, kept open between flushes (the ``MAX_OPEN`` used last)."""
        name = f"{s.id}.{col}"
        fd = self._fds.pop(name, None)
        if fd is None:
            if len(self._fds) >= MAX_OPEN:
                os.close(self._fds.pop(next(iter(self._fds))))
            fd = os.open(self.folder / name, _OPEN, 0o644)
        self._fds[name] = fd  # the most recent last
        write_all(fd, arr)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}


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
    except (FileNotFoundError, NotADirectoryError, RecordError):
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
    except (FileNotFoundError, RecordError):
        return None
    usable = len(data) - len(data) % 8
    return np.frombuffer(data[:usable], dtype)


def _seq_rows(folder: Path, sid: int, max_seq: int, min_seq: int, start: int):
    """The ``seq`` column from row ``start`` far enough to hold every row up to ``max_seq``, and
    the bounds (lo, hi) of the rows with ``min_seq < seq <= max_seq`` in it; None when absent."""
    import numpy as np

    want = max(4096, max_seq - min_seq + 1) if start else 1 << 40  # usually a row per seq, at most
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
        start = cursor.get(info.id, 0) if cursor is not None else 0
        found = _seq_rows(folder, info.id, max_seq, min_seq, start)
        if found is None:
            continue
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
    except (FileNotFoundError, RecordError):
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
