"""Reading a job's output as it grows (``output_source``: the index of newer job folders, the
``events.jsonl`` of older ones); for ``events.jsonl``: find where a sequence number starts, then read
complete new lines (``EventTail``, one per reader); and one shared watcher per job for all of the
websocket streams of this process (``EventFeed``), so that open tabs do not each poll the disk."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Callable, Optional

import orjson

from .records import ACTIVE, EVENTS, RecordError, open_regular

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
            f = open_regular(self.path)
        except (FileNotFoundError, RecordError):
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
            with open_regular(self.path) as f:
                f.seek(self.offset)
                data = f.read(max_bytes)
        except (FileNotFoundError, RecordError):  # none yet, or not a file we wrote
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        return data[:end].split(b"\n")


class LegacySource:
    """Frames from an older job folder's ``events.jsonl`` (one event per line, batched)."""

    BATCH = 500

    def __init__(self, job_path: Path, metrics_after: int = 0):
        self.tail = EventTail(Path(job_path) / EVENTS)
        self.metrics_after = metrics_after

    def seek_after(self, since: int) -> None:
        self.tail.seek_after(since)

    def read(self) -> list[bytes]:
        lines = self.tail.read()
        if self.metrics_after > 0:
            lines = [line for line in lines if b'"type":"metric"' not in line
                     or (_seq_of(line) or 0) > self.metrics_after]
        frames = []
        for start in range(0, len(lines), self.BATCH):
            batch = lines[start : start + self.BATCH]
            frames.append(batch[0] if len(batch) == 1 else b"[" + b",".join(batch) + b"]")
        return frames


class IndexedSource:
    """Frames from the raw log and its index (``replay.OutputReader``)."""

    def __init__(self, job_path: Path, metrics_after: int = 0):
        from .replay import OutputReader

        self.reader = OutputReader(job_path, metrics_after)

    def seek_after(self, since: int) -> None:
        self.reader.seek_after(since)

    def read(self) -> list[bytes]:
        frame = self.reader.read()
        return [frame] if frame is not None else []


def output_source(job_path: Path, metrics_after: int = 0):
    """What a stream reads a job's output from (leaving out the metrics up to ``metrics_after``),
    and the file whose growth means news."""
    from .outindex import INDEX, is_indexed

    if is_indexed(job_path):
        return IndexedSource(job_path, metrics_after), Path(job_path) / INDEX
    return LegacySource(job_path, metrics_after), Path(job_path) / EVENTS


def read_progress(job_path: Path) -> dict:
    """The live state of unfinished lines (``progress.json``): {stream: text}."""
    from .outindex import PROGRESS

    try:
        with open_regular(Path(job_path) / PROGRESS) as f:
            data = orjson.loads(f.read(256 * 1024))
        lines = data.get("lines") if isinstance(data, dict) else None
        return {k: v for k, v in lines.items() if k in ("stdout", "stderr") and isinstance(v, str)} if isinstance(
            lines, dict) else {}
    except (FileNotFoundError, RecordError, orjson.JSONDecodeError, OSError):
        return {}


class EventFeed:
    """One watcher of a job's ``events.jsonl`` shared by every stream of that job in this process:
    it looks at the file's size (fast while data comes, backing off to ``SLOW`` while nothing
    changes) and at the job's state (every ``STATE_CHECK`` seconds), and wakes the streams when
    either changes. Each stream reads the new lines itself, from its own offset (``EventTail``).

    ``final`` is the job's record once it has ended. The supervisor writes the final event before
    the final state, so a stream that reads to the end of the file after seeing ``final`` has every
    event."""

    FAST, SLOW, BACKOFF = 0.01, 0.25, 1.5
    STATE_CHECK = 0.5
    _feeds: dict[str, "EventFeed"] = {}

    def __init__(self, path: Path, get_record: Callable[[], dict]):
        self.path = Path(path)
        self.get_record = get_record
        self.size = 0
        self.final: Optional[dict] = None
        self.error: Optional[BaseException] = None
        self.users = 0
        self.polls = 0  # how many times the file was looked at (for tests and curious readers)
        self.delay = self.FAST
        self.progress: dict = {}  # {stream: text} of unfinished lines, while the job runs
        self.progress_version = 0
        self._progress_stamp = None
        self._news = asyncio.Event()
        self._task: Optional[asyncio.Task] = None

    @classmethod
    def follow(cls, path: Path, get_record: Callable[[], dict]) -> "EventFeed":
        """The shared feed of ``path`` (started for the first stream); ``release`` it when done."""
        key = str(path)
        feed = cls._feeds.get(key)
        if feed is None:
            feed = cls._feeds[key] = cls(path, get_record)
        feed.users += 1
        if feed._task is None:
            feed._task = asyncio.get_running_loop().create_task(feed._watch())
        return feed

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            self._feeds.pop(str(self.path), None)
            if self._task is not None:
                self._task.cancel()

    def _wake(self) -> None:
        news, self._news = self._news, asyncio.Event()
        news.set()

    async def changed(self, seen_size: int, seen_progress: int = -1, timeout: float = 1.0) -> None:
        """Return once the size differs from ``seen_size`` (or the progress from ``seen_progress``),
        the job ended or failed, or ``timeout``."""
        if self.size != seen_size or self.final is not None or self.error is not None or (
                seen_progress >= 0 and seen_progress != self.progress_version):
            return
        try:
            await asyncio.wait_for(self._news.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def _stat(self) -> int:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def _look(self) -> tuple[int, bool]:
        """The file's size, and whether the progress of unfinished lines changed (read if so)."""
        size = self._stat()
        try:
            st = os.stat(self.path.parent / "progress.json")
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp == self._progress_stamp:
            return size, False
        self._progress_stamp = stamp
        progress = read_progress(self.path.parent) if stamp else {}
        if progress == self.progress:
            return size, False
        self.progress = progress
        return size, True

    async def _watch(self) -> None:
        next_check = 0.0
        try:
            while True:
                self.polls += 1
                size, progressed = await asyncio.to_thread(self._look)
                if progressed:
                    self.progress_version += 1
                if size != self.size or progressed:
                    self.size, self.delay = size, self.FAST
                    self._wake()
                else:
                    self.delay = min(self.SLOW, self.delay * self.BACKOFF)
                now = time.monotonic()
                if self.final is None and now >= next_check:
                    next_check = now + self.STATE_CHECK
                    record = await asyncio.to_thread(self.get_record)
                    if record["state"] not in ACTIVE:
                        self.final = record
                        self._wake()
                await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # e.g. the job was deleted: the streams end
            self.error = exc
            self._wake()
