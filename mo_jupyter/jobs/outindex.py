"""The index of a job's output (``output.idx``): what was printed, in order, without copying it.

``output.log`` keeps every byte the job printed (the one source of truth). The index is a file of
fixed 40-byte records, appended by the supervisor only, each covering a run of sequence numbers:

- ``LINES``: ``n`` complete lines of one stream, ``len`` bytes of ``output.log`` from ``off``
  (newlines included), numbered ``seq`` .. ``seq + n - 1``, read at ``t`` seconds into the run;
- ``EVENT``: one JSON event in ``notes.jsonl`` (``len`` bytes from ``off``) that covers ``n`` (0 or 1)
  seq numbers: a status change, a line shown otherwise than printed (over-long, or with a warning:
  its bytes are in ``output.log`` all the same), a batch of TensorBoard scalars.

Sequence numbers count lines and status events; a metric carries the seq of the line (or event)
it came from (see ``metricstore``). Records are written after the bytes they point to, so a reader
that sees a record can read what it points to.
"""

from __future__ import annotations

import functools
import os
import struct
from pathlib import Path

from typing import TYPE_CHECKING

from .records import open_regular

if TYPE_CHECKING:
    import numpy as np

INDEX, NOTES, PROGRESS = "output.idx", "notes.jsonl", "progress.json"
LINES, EVENT = 1, 2
STREAMS = ("stdout", "stderr")
NO_STREAM = 255

# kind, stream, flags, n, seq, off, len, t: what the supervisor packs (without numpy: it starts fast)
STRUCT = struct.Struct("<BBHIQQQd")
RECORD = STRUCT.size  # 40


@functools.lru_cache(maxsize=None)
def dtype():
    """The records' layout for numpy (readers: a whole index is one array)."""
    import numpy as np

    dt = np.dtype([
        ("kind", "u1"), ("stream", "u1"), ("flags", "<u2"), ("n", "<u4"),
        ("seq", "<u8"), ("off", "<u8"), ("len", "<u8"), ("t", "<f8"),
    ])
    assert dt.itemsize == RECORD
    return dt


def pack(records: list[tuple]) -> bytes:
    return b"".join(STRUCT.pack(*r) for r in records)


def is_indexed(job_path: Path) -> bool:
    """True for a job folder of this layout, or one that has no output yet; False for an older
    folder (``events.jsonl``, which this layout never writes)."""
    return os.path.lexists(Path(job_path) / INDEX) or not os.path.lexists(Path(job_path) / "events.jsonl")


def read_index(job_path: Path, start: int = 0) -> np.ndarray:
    """The complete records from record number ``start`` on (a torn last record is left out);
    none yet when there is no index; RecordError when it is not a file we wrote (a FIFO, a link)."""
    import numpy as np

    try:
        with open_regular(Path(job_path) / INDEX) as f:
            f.seek(start * RECORD)
            data = f.read()
    except FileNotFoundError:
        return np.zeros(0, dtype())
    usable = len(data) - len(data) % RECORD
    return np.frombuffer(data[:usable], dtype())


def record_count(job_path: Path) -> int:
    try:
        return os.stat(Path(job_path) / INDEX).st_size // RECORD
    except FileNotFoundError:
        return 0


def find_since(index: np.ndarray, since: int) -> int:
    """The number of the first record holding a seq greater than ``since``."""
    import numpy as np

    if not len(index) or since <= 0:
        return 0
    ends = index["seq"].astype(np.int64) + index["n"].astype(np.int64) - 1
    return int(np.searchsorted(ends, since, side="right"))


def last_seq(index: np.ndarray) -> int:
    if not len(index):
        return 0
    covering = index[index["n"] > 0]
    if not len(covering):
        return 0
    return int(covering["seq"][-1]) + int(covering["n"][-1]) - 1


def times_of(index: np.ndarray, seqs: np.ndarray) -> np.ndarray:
    """The time of each seq: that of the record that covers it (or the one before)."""
    import numpy as np

    if not len(index):
        return np.zeros(len(seqs))
    pos = np.searchsorted(index["seq"], seqs, side="right") - 1
    return index["t"][np.clip(pos, 0, len(index) - 1)]


def lines_per_stream(index: np.ndarray, notes: list) -> dict[str, int]:
    """How many lines of each stream the index holds (``notes``: the events of its EVENT records)."""
    counts = {"stdout": 0, "stderr": 0}
    for i, name in enumerate(STREAMS):
        rows = index[(index["kind"] == LINES) & (index["stream"] == i)]
        counts[name] += int(rows["n"].sum())
    for event in notes:
        if event.get("type") == "log" and event.get("stream") in counts:
            counts[event["stream"]] += 1
    return counts
