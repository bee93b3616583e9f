"""The on-disk record of a job: one folder under the jobs directory, one writer (its supervisor).

Layout of ``<jobs_dir>/<id>/``:

``spec.json``     what to run; written once by whoever creates the job, before the supervisor starts
``status.json``   state, times, exit code, memory; written (atomically) by the supervisor only
``lock``          held (flock) by the supervisor for its whole life: free means nobody supervises
``stop``          a stop request (present = asked); the supervisor honours it in any state
``output.log``    every byte the job printed, complete lines, as they came
``events.jsonl``  numbered events: log lines, metrics, status changes (what the websocket streams)
``metrics.jsonl`` the metrics alone, in printed order (what the REST metrics endpoint reads)

``<jobs_dir>/.active/<backend>/<created_ns>-<id>`` marks a job that has not ended yet; names sort
in creation order, which is the queue order.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
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


def new_job_id(now: Optional[float] = None) -> str:
    now = time.time() if now is None else now
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + "-" + secrets.token_hex(3)


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))


def read_json(path: Path) -> Any:
    with open(path, "rb") as f:
        return orjson.loads(f.read())


def is_locked(path: Path) -> bool:
    """True when another open file description holds an flock on ``path``."""
    try:
        fd = os.open(path, os.O_RDONLY)
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
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
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
    """What a job whose files are broken looks like: listed, failed, with the reason."""
    return {"id": job_id, "name": job_id, "path": None, "state": "failed", "created": 0, "started": None,
            "ended": None, "exit_code": None, "reason": f"unreadable job record: {exc}", "peak_memory": None}


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
    except FileNotFoundError:
        return []
    return [n for n in names if ID_RE.match(n) and (Path(jobs_dir) / n / SPEC).is_file()]
