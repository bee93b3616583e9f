"""The on-disk record of a job: one folder under the jobs directory, one writer (its supervisor).

Layout of ``<jobs_dir>/<id>/``:

``spec.json``     what to run; written once by whoever creates the job, before the supervisor starts
``status.json``   state, times, exit code, memory; written (atomically) by the supervisor only
``lock``          held (flock) by the supervisor for its whole life: free means nobody supervises
``stop``          a stop request (present = asked); the supervisor honours it in any state
``output.log``    every byte the job printed, as it came (the one source of truth)
``output.idx``    its index: a record per run of lines or per other event (see ``outindex``)
``notes.jsonl``   the events that are not plain lines: status changes, lines shown otherwise
``metrics/``      the metric columns (see ``metricstore``)
``progress.json`` the live state of a line not ended yet (a ``\r`` progress bar)

Older folders hold ``events.jsonl`` and ``metrics.jsonl`` instead (see ``legacy``).

``<jobs_dir>/.active/<backend>/<created_ns>-<id>`` marks a job that has not ended yet; names sort
in creation order, which is the queue order.

Records are files that anyone with access to the folder can write (or an old version left): they
are read bounded (a size limit, regular files only, never through a link), and a broken one reads
as an unreadable record with a short reason.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import orjson

from ..atomic import write_atomic

TERMINAL = ("completed", "failed", "stopped")
ACTIVE = ("queued", "running")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$")

SPEC, STATUS, LOCK, STOP = "spec.json", "status.json", "lock", "stop"
OUTPUT, EVENTS, METRICS = "output.log", "events.jsonl", "metrics.jsonl"
# A spec holds at most 64 KiB of args + env (twice: args again in the command) and the backend's
# config; a status holds times, codes, a reason and process ids. Larger files are not ours.
RECORD_LIMITS = {SPEC: 512 * 1024, STATUS: 64 * 1024}
DEFAULT_RECORD_LIMIT = 64 * 1024
LOCK_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | os.O_NOFOLLOW


class RecordError(ValueError):
    """A record file that cannot be what we wrote: too large, not a regular file."""


def open_regular(path: Path):
    """``path`` opened for binary reading if it is a regular file reached without a link at its
    last step (a FIFO planted there would block the reader, a link could lead anywhere)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RecordError(f"{Path(path).name} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def new_job_id(now: Optional[float] = None) -> str:
    now = time.time() if now is None else now
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + "-" + secrets.token_hex(3)


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))


def read_json(path: Path, limit: int | None = None) -> Any:
    """A record file's JSON, never more than ``limit`` bytes read (by default its name's limit)."""
    path = Path(path)
    limit = limit or RECORD_LIMITS.get(path.name, DEFAULT_RECORD_LIMIT)
    with open_regular(path) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise RecordError(f"{path.name} is over {limit // 1024} KiB")
    return orjson.loads(data)


def is_locked(path: Path) -> bool:
    """True when another open file description holds an flock on ``path``."""
    try:  # never through a link, never blocking on a FIFO planted there
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@contextmanager
def flocked(path: Path, blocking: bool = True) -> Iterator[Optional[int]]:
    """Hold an exclusive flock on ``path`` (created if missing); yields None if not blocking and busy."""
    fd = os.open(path, LOCK_FLAGS, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)


class JobDir:
    """Paths and small reads of one job's folder."""

    def __init__(self, jobs_dir: Path, job_id: str):
        self.jobs_dir = Path(jobs_dir)
        self.id = job_id
        self.path = self.jobs_dir / job_id

    def file(self, name: str) -> Path:
        return self.path / name

    def exists(self) -> bool:
        return (self.path / SPEC).is_file()

    def spec(self) -> dict:
        return _object(read_json(self.file(SPEC)), SPEC)

    def status(self) -> dict:
        try:
            return _object(read_json(self.file(STATUS)), STATUS)
        except FileNotFoundError:
            return {"state": "queued"}

    def write_status(self, status: dict) -> None:
        write_json_atomic(self.file(STATUS), status)

    def supervised(self) -> bool:
        return is_locked(self.file(LOCK))

    def stop_requested(self) -> bool:
        return self.file(STOP).exists()

    def request_stop(self) -> None:
        self.file(STOP).touch()

    def active_marker(self, spec: dict) -> Path:
        name = f"{int(spec['created'] * 1e9):020d}-{self.id}"
        return self.jobs_dir / ".active" / spec["backend"] / name

    def remove_markers(self) -> None:
        """Remove this job's queue markers, whatever its spec says (it may be unreadable)."""
        remove_markers(self.jobs_dir, self.id)

    def record(self) -> dict:
        """The job as the API shows it: the spec merged with the status."""
        record = make_record(self.spec(), self.status())
        record["id"] = self.id
        return record


_PRIVATE_SPEC_KEYS = ("cwd", "concurrency", "grace_seconds", "backend_config")


def _object(data: Any, name: str) -> dict:
    if not isinstance(data, dict):
        raise ValueError(f"{name} holds {type(data).__name__}, not an object")
    return data


def unreadable_record(job_id: str, exc: Exception) -> dict:
    """What a job whose files are broken looks like: listed, failed, with a short reason."""
    detail = str(exc)
    detail = detail if len(detail) <= 200 else detail[:200] + "…"
    return {"id": job_id, "name": job_id, "path": None, "state": "failed", "created": 0, "started": None,
            "ended": None, "exit_code": None, "reason": f"unreadable job record: {detail}", "peak_memory": None}


def make_record(spec: dict, status: dict) -> dict:
    job = {k: v for k, v in spec.items() if k not in _PRIVATE_SPEC_KEYS}
    job.update(
        state=status.get("state", "queued"),
        started=status.get("started"),
        ended=status.get("ended"),
        exit_code=status.get("exit_code"),
        reason=status.get("reason"),
        peak_memory=status.get("peak_memory"),
    )
    if job["state"] == "running":
        for key in ("memory", "cpu_percent"):
            if key in status:
                job[key] = status[key]
    return job


def list_job_ids(jobs_dir: Path) -> list[str]:
    try:
        names = os.listdir(jobs_dir)
    except (FileNotFoundError, NotADirectoryError):  # no jobs yet, or a file in the folder's place
        return []
    return [n for n in names if ID_RE.match(n) and (Path(jobs_dir) / n / SPEC).is_file()]


def marker_job_id(name: str) -> Optional[str]:
    """The job id a queue marker's name holds, or None for a name that is not a marker."""
    created, sep, job_id = name.partition("-")
    return job_id if sep and created.isdigit() and ID_RE.match(job_id) else None


def remove_markers(jobs_dir: Path, job_id: str) -> None:
    active = Path(jobs_dir) / ".active"
    try:
        backends = os.listdir(active)
    except (FileNotFoundError, NotADirectoryError):
        return
    for backend in backends:
        try:
            names = os.listdir(active / backend)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            if marker_job_id(name) == job_id:
                try:
                    os.unlink(active / backend / name)
                except FileNotFoundError:
                    pass
