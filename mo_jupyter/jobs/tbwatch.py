"""Scalars from the TensorBoard event files a job writes under its working directory (issue 12).

The supervisor calls ``TensorBoardWatcher.poll()`` about once a second; it returns the scalars
written since the last call (Keras' ``TensorBoard`` callback, ``tf.summary.scalar``, torch's
``SummaryWriter``). The files are read with TensorBoard's own record reader and compat layers, never
with a parser of our own:

- records: ``tensorboard.compat.tensorflow_stub.pywrap_tensorflow.PyRecordReader_New``, the reader
  ``EventFileLoader`` itself uses when TensorFlow is absent. It reads incrementally: it keeps its
  offset, ``GetNext()`` raises ``OutOfRangeError`` at the end and picks up records appended later,
  and a record cut short (the writer is mid-flush) raises ``DataLossError`` and is re-read whole
  once the file has grown. ``EventFileLoader`` is not used directly because it imports TensorFlow
  when TensorFlow is installed (3.6 s and 560 MB in the supervisor); the stub costs 0.4 s / 50 MB.
  Its CRC check is pure Python (~8 MB/s), hence the per-poll byte bound below. The modules are
  imported once an event file is found: a job that writes none never pays for them (~0.8 s of
  CPU, taken from the job on a busy machine).
- events: ``event_pb2.Event``, then ``data_compat.migrate_event`` (TF1 / torch ``simple_value`` ->
  scalar tensor) and ``dataclass_compat.migrate_event`` (per-run tag metadata, since TF2 writers
  send a tag's plugin metadata only once), exactly as ``EventFileLoader.Load`` does; a value is a
  scalar when its ``data_class`` is ``DATA_CLASS_SCALAR``, decoded with ``tensor_util.make_ndarray``.

Hostile neighbours: the walk (breadth first) goes at most ``MAX_DEPTH`` folders down, looks at
``MAX_ENTRIES`` entries (``MAX_FOLDER_ENTRIES`` in one folder), keeps ``MAX_FILES`` event files,
follows no links (a linked event file is skipped, a linked folder not entered), skips ``.mo``,
``node_modules`` and hidden folders, and is repeated at most every ``REWALK_S`` seconds (longer when
the tree is slow to walk); between walks a poll only stats the files it knows. A poll reads about
``max_bytes`` at most, for ``MAX_POLL_S`` at most, and leaves the rest for the next polls; a record
larger than ``MAX_RECORD`` or a failed checksum ends the reading of that file (logged once). An
event file older than ``since`` is the previous run's: never read. Nothing raises.
"""

from __future__ import annotations

import logging
import math
import os
import stat
import time
from collections import deque
from pathlib import Path

log = logging.getLogger(__name__)

MAX_DEPTH = 6
MAX_FILES = 200
MAX_ENTRIES = 50_000  # directory entries looked at per walk
MAX_FOLDER_ENTRIES = 5_000  # ... in one folder (a dataset's images are not event files)
MAX_POLL_BYTES = 4 * 1024 * 1024
MAX_POLL_S = 0.25  # and stops reading after this long (dense scalars read at ~30k points/s)
MAX_RECORD = 16 * 1024 * 1024
REWALK_S = 3.0
_CHUNK = 64 * 1024  # the reader's read-ahead per file (its default is 16 MB, times 200 files)
_SKIP = {".mo", "node_modules", ".git", "__pycache__"}
_RECORD_OVERHEAD = 16  # length, length CRC, data CRC


def installed() -> bool:
    """Whether the tensorboard package is there, without importing it (a look at sys.path)."""
    import importlib.util

    try:
        return importlib.util.find_spec("tensorboard") is not None
    except (ImportError, ValueError):
        return False


def available() -> bool:
    """True when the tensorboard package (the optional ``tensorboard`` extra) can be imported."""
    try:
        _tb()
        return True
    except Exception:  # noqa: BLE001 - ImportError, or a broken install
        return False


def _tb():
    """TensorBoard's modules, imported on first use (never TensorFlow)."""
    from tensorboard import data_compat, dataclass_compat
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.compat.tensorflow_stub import errors, pywrap_tensorflow
    from tensorboard.util import tensor_util

    return data_compat, dataclass_compat, event_pb2, summary_pb2, errors, pywrap_tensorflow, tensor_util


class _File:
    __slots__ = ("path", "folder", "ino", "reader", "seen", "dead")

    def __init__(self, path: str, folder: str, ino: int, dead: bool):
        self.path, self.folder, self.ino, self.dead = path, folder, ino, dead
        self.reader = None
        self.seen = None  # (size, mtime) when the reader last reached the end


class TensorBoardWatcher:
    def __init__(self, root: Path, since: float = 0.0, *, max_bytes: int = MAX_POLL_BYTES):
        self.root = str(root)
        self.since = since
        self.max_bytes = max_bytes
        self._files: dict[str, _File] = {}
        self._order: list[str] = []
        self._meta: dict[str, dict] = {}  # run folder -> dataclass_compat's initial metadata
        self._next_walk = 0.0
        self._tb = None

    @property
    def unavailable(self) -> bool:
        """TensorBoard's modules failed to import: the watcher can read nothing."""
        return self._tb is False

    def rescan(self) -> None:
        """Look for new event files at the next poll (the job has ended: its last files count)."""
        self._next_walk = 0.0

    def poll(self) -> list[dict]:
        """The scalars written since the last poll, in file order. Never raises."""
        out: list[dict] = []
        try:
            now = time.monotonic()
            if now >= self._next_walk:
                self._walk()
                self._next_walk = time.monotonic() + max(REWALK_S, 50 * (time.monotonic() - now))
            if not any(not f.dead for f in self._files.values()):
                return out  # TensorBoard's modules (~0.8 s of CPU to import) only once a file is there
            if self._tb is None:
                self._tb = _tb() if available() else False
            if not self._tb:  # installed but broken: nothing more to do (``unavailable``)
                return out
            names = self._names()
            budget, deadline = self.max_bytes, time.monotonic() + MAX_POLL_S
            for path in self._order:
                if budget <= 0:
                    break
                f = self._files[path]
                if not f.dead:
                    budget -= self._read(f, names.get(f.folder, ""), budget, deadline, out)
        except Exception:  # noqa: BLE001 - the supervisor must never fail on a job's files
            log.exception("tensorboard watcher: poll failed under %s", self.root)
        return out

    def _walk(self) -> None:
        """Breadth first (a shallow logs/ is found before a deep dataset uses up the entries),
        keeping what is known of the files found before."""
        files = {p: f for p, f in self._files.items() if _same_file(p, f.ino)}
        live = sum(not f.dead for f in files.values())
        entries, queue = 0, deque([(self.root, "", 0)])
        while queue and live < MAX_FILES and entries < MAX_ENTRIES:
            folder, rel, depth = queue.popleft()
            subdirs = []
            try:
                with os.scandir(folder) as it:
                    for n, e in enumerate(it):
                        if n >= MAX_FOLDER_ENTRIES or entries >= MAX_ENTRIES:
                            break
                        entries += 1
                        if e.is_dir(follow_symlinks=False):  # d_type: no stat per entry
                            if depth < MAX_DEPTH and not e.name.startswith(".") and e.name not in _SKIP:
                                subdirs.append((e.name, e.path))
                        elif "tfevents" in e.name and e.path not in files and e.is_file(follow_symlinks=False):
                            st = e.stat(follow_symlinks=False)
                            if st.st_mtime >= self.since and live < MAX_FILES:  # else the previous run's
                                files[e.path] = _File(e.path, rel, st.st_ino, dead=False)
                                live += 1
            except OSError:
                pass
            for name, path in sorted(subdirs):
                queue.append((path, f"{rel}/{name}" if rel else name, depth + 1))
        self._files = files
        self._order = sorted(files, key=lambda p: (files[p].folder, p))

    def _names(self) -> dict[str, str]:
        """Each run folder's prefix: the folder relative to the job's folder, then '/' (Keras'
        logs/train and logs/validation: 'logs/train/epoch_loss', 'logs/validation/epoch_loss');
        a file directly in the job's folder gives bare tags. Fixed per folder, whatever folders
        appear later, so a series keeps its name for the whole run."""
        return {f.folder: f.folder + "/" for f in self._files.values() if f.folder}

    def _read(self, f: _File, prefix: str, budget: int, deadline: float, out: list[dict]) -> int:
        """Read ``f`` from where it stopped, up to about ``budget`` bytes or until ``deadline``;
        the bytes used."""
        try:
            st = os.lstat(f.path)
        except OSError:
            return 0
        if not stat.S_ISREG(st.st_mode) or st.st_ino != f.ino:
            return 0
        state = (st.st_size, st.st_mtime_ns)
        if state == f.seen:
            return 0
        data_compat, dataclass_compat, event_pb2, summary_pb2, errors, pywrap, tensor_util = self._tb
        used = 0
        try:
            if f.reader is None:
                f.reader = _bounded_reader(pywrap, errors)(f.path)
                f.reader.file_handle.buff_chunk_size = _CHUNK
            meta = self._meta.setdefault(f.folder, {})
            while used < budget and time.monotonic() < deadline:
                try:
                    f.reader.GetNext()
                except errors.OutOfRangeError:
                    f.seen = state
                    break
                except errors.DataLossError as e:
                    if "truncated" not in str(e):
                        raise
                    f.seen = state  # a record being written: again when the file grows
                    break
                record = f.reader.record()
                used += len(record) + _RECORD_OVERHEAD
                event = event_pb2.Event.FromString(record)
                if event.WhichOneof("what") != "summary":
                    continue
                for ev in dataclass_compat.migrate_event(data_compat.migrate_event(event), meta):
                    for v in ev.summary.value:
                        if v.metadata.data_class == summary_pb2.DATA_CLASS_SCALAR:
                            _scalar(prefix + v.tag, tensor_util.make_ndarray(v.tensor), ev, out)
        except Exception as e:  # noqa: BLE001 - garbled, too large, unreadable: stop on this file
            f.dead = True
            f.reader = None
            log.warning("tensorboard watcher: stopped reading %s: %s", f.path, str(e)[:200])
        return used


def _same_file(path: str, ino: int) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_ino == ino


def _scalar(name: str, array, event, out: list[dict]) -> None:
    if array.size != 1:
        return
    item = array.reshape(-1)[0]
    # float32 (what the writers store) by its shortest repr: 0.33333334, not 0.3333333432674408
    value = float(str(item)) if array.dtype.kind == "f" and array.dtype.itemsize < 8 else float(item)
    point = {"metric": name, "value": value}
    if not math.isfinite(value):  # as metrics.parse_line keeps them
        point = {"metric": name, "value": None,
                 "nonfinite": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    point.update(step=int(event.step), wall_time=float(event.wall_time), source="tensorboard")
    out.append(point)


_READER = None


def _bounded_reader(pywrap, errors):
    """TensorBoard's record reader, refusing a record longer than ``MAX_RECORD`` (a garbled
    length would otherwise make it read the rest of a huge file into memory at once)."""
    global _READER
    if _READER is None:

        class BoundedRecordReader(pywrap.PyRecordReader_New):
            def _read(self, n):
                if n > MAX_RECORD:
                    raise errors.DataLossError(None, None, f"record of {n} bytes is too large")
                return super()._read(n)

        _READER = BoundedRecordReader
    return _READER
