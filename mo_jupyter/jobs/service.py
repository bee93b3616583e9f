"""The jobs service: create, list, read, stop and delete jobs of one project.

Plain Python, blocking, no tornado: the server calls it from a thread, the CLI calls it directly.
Both see the same jobs because everything lives in the project's jobs directory.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Optional

import orjson

from .. import schemas
from ..errors import BadRequest, Conflict, MoError, NotFound, os_error
from ..paths import resolve_in_root
from ..requirements_scan import require_importable
from .backends import backend_for
from .backends.local import LocalBackend
from .records import (
    ACTIVE, ID_RE, LOCK, LOCK_FLAGS, METRICS, OUTPUT, SPEC, JobDir, RecordError, list_job_ids, new_job_id,
    open_regular, unreadable_record, write_json_atomic,
)
from .supervision import recover, spawn_supervisor

KINDS = {".py": "python", ".ipynb": "notebook"}
LOG_CHUNK = 1024 * 1024
# args and env of one job together, as JSON: every list and record repeats them (the schema bounds
# each item; this bounds their sum, which a schema cannot say).
MAX_ARGS_ENV_BYTES = 64 * 1024
# optional request fields kept as given in the spec; with path, name, args, env, machine and backend
# they are what a re-run repeats
RERUN_OPTIONAL = ("description", "max_run_seconds", "recognize", "task")
RERUN_FIELDS = ("path", "name", "args", "env", "machine", "backend", *RERUN_OPTIONAL)


def _whole_text(data: bytes, f) -> bytes:
    """Cut a full slice at its last newline, or else after its last complete UTF-8 character
    (reading up to 3 more bytes when not even one character fits), so pages never split one."""
    if b"\n" in data:
        return data[: data.rfind(b"\n") + 1]
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:  # ASCII: the slice ends on a character boundary
            return data
        if byte >= 0xC0:  # a lead byte: is its sequence complete?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if back >= need:
                return data
            cut = data[:-back]
            return cut if cut else data + f.read(need - back)
    return data


class JobService:
    def __init__(
        self,
        root: Path | str,
        jobs_dir: str = ".mo/jobs",
        backends: Optional[dict[str, dict]] = None,
        default_backend: str = "local",
        concurrency: Optional[dict[str, int]] = None,
        grace_seconds: float = 5.0,
        python: str = sys.executable,
    ):
        self.root = Path(os.path.realpath(root))
        self.jobs_dir = Path(jobs_dir) if os.path.isabs(jobs_dir) else self.root / jobs_dir
        self.backend_config = backends if backends is not None else {"local": {}}
        if default_backend not in self.backend_config:
            raise ValueError(f"default backend {default_backend!r} is not among {list(self.backend_config)}")
        self.default_backend = default_backend
        self.concurrency = concurrency or {}
        self.grace_seconds = grace_seconds
        self.python = python
        self._backends = {}

    # ---- configuration -------------------------------------------------------------------
    def backend(self, name: str):
        if name not in self.backend_config:
            raise BadRequest(f"backend '{name}' is not enabled (enabled: {', '.join(self.backend_config)})")
        if name not in self._backends:
            self._backends[name] = backend_for(name, self.backend_config[name])
        return self._backends[name]

    def config(self) -> dict:
        backend_machines = {}
        for name in self.backend_config:
            try:
                backend_machines[name] = self.backend(name).machines()
            except MoError as exc:  # e.g. no Docker engine: listed, with the reason
                backend_machines[name] = [{"name": "cpu", "available": False, "reason": exc.message}]
        return {
            "machines": backend_machines[self.default_backend],
            "backend_machines": backend_machines,
            "backends": list(self.backend_config),
            "default_backend": self.default_backend,
            "default_machine": "cpu",
            "root": str(self.root),
        }

    # ---- create ---------------------------------------------------------------------------
    def build_spec(self, request: dict) -> dict:
        schemas.validate("job_request", request)
        size = sum(len(orjson.dumps(request.get(key, empty))) for key, empty in (("args", []), ("env", {}), ("task", {})))
        if size > MAX_ARGS_ENV_BYTES:
            raise BadRequest(f"args, env and task are {size // 1024} KiB together; the limit is "
                             f"{MAX_ARGS_ENV_BYTES // 1024} KiB (pass large inputs in a file)")
        target, rel = resolve_in_root(self.root, request["path"])
        if not target.is_file():
            raise BadRequest(f"'{rel}' is not a file")
        kind = KINDS.get(target.suffix.lower())
        if kind is None:
            raise BadRequest(f"'{rel}' is neither a .py script nor a .ipynb notebook")
        backend_name = request.get("backend", self.default_backend)
        backend = self.backend(backend_name)
        created = time.time()
        job_id = new_job_id(created)
        args = list(request.get("args", []))
        from ..projects import project_folder  # the catalog it brings: only when a job is made (CLI start)

        cwd = project_folder(self.root, target)  # a project folder made from a template, else the root
        command = backend.command(kind, os.path.relpath(target, cwd), args, self.python)
        spec = {
            "id": job_id,
            "name": request.get("name") or target.stem,
            "path": rel,
            "kind": kind,
            "args": args,
            "env": dict(request.get("env", {})),
            "machine": request.get("machine", "cpu"),
            "backend": backend_name,
            "command": command,
            "created": created,
            "cwd": str(cwd),
            "concurrency": int(self.concurrency.get(backend_name, 1)),
            "grace_seconds": self.grace_seconds,
            "backend_config": self.backend_config[backend_name],
        }
        for key in RERUN_OPTIONAL:  # absent from the spec (and the view) when not given
            if key in request:
                spec[key] = request[key]
        backend.check(spec)
        if isinstance(backend, LocalBackend):  # runs on job_python: a missing framework is said now
            require_importable(target, cwd, self.python, label=rel, what="the local backend",
                               env=spec["env"])
        return spec

    def create(self, request: dict) -> dict:
        spec = self.build_spec(request)
        job = JobDir(self.jobs_dir, spec["id"])
        try:
            job.path.mkdir(parents=True)
        except OSError as exc:  # the jobs folder is a file, read-only, full...
            raise self._unwritable(exc) from None
        try:
            marker = job.active_marker(spec)
            marker.parent.mkdir(parents=True, exist_ok=True)
            lock_fd = os.open(job.file(LOCK), LOCK_FLAGS, 0o644)
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX)  # held until the supervisor has inherited it
                write_json_atomic(job.file(SPEC), spec)
                marker.touch()
                spawn_supervisor(job.path, lock_fd)
            finally:
                os.close(lock_fd)
        except Exception as exc:  # no ghost: a job that did not start leaves nothing behind
            job.remove_markers()
            shutil.rmtree(job.path, ignore_errors=True)
            if isinstance(exc, OSError):
                raise self._unwritable(exc) from None
            raise
        return job.record()

    def rerun(self, job_id: str) -> dict:
        """A new job with the same request as ``job_id`` (validated as any create)."""
        job = self.job_dir(job_id)
        try:
            spec = job.spec()
        except (OSError, ValueError) as exc:
            raise Conflict(f"job '{job_id}' cannot be re-run: its record is unreadable ({exc})") from None
        return self.create({k: spec[k] for k in RERUN_FIELDS if k in spec})

    def _unwritable(self, exc: OSError) -> MoError:
        """A jobs folder that cannot take a new job: 409 (a file in the way), 403 (permissions,
        read-only), 507 (full), 503 (out of file handles), without its absolute path."""
        known = os_error(exc)
        inside = self.jobs_dir.is_relative_to(self.root)
        where = f"'{os.path.relpath(self.jobs_dir, self.root)}'" if inside else "the jobs folder"
        error = Conflict(f"cannot create a job in {where}: {known.message if known else 'it cannot be written'}")
        if known is not None and known.status in (403, 503, 507):
            error.status = known.status
        return error

    # ---- read -----------------------------------------------------------------------------
    def job_dir(self, job_id: str) -> JobDir:
        if not isinstance(job_id, str) or not ID_RE.match(job_id):
            raise NotFound(f"no job '{job_id}'")
        job = JobDir(self.jobs_dir, job_id)
        if not job.exists():
            raise NotFound(f"no job '{job_id}'")
        return job

    def reconcile(self, job: JobDir) -> dict:
        """The job's record; a job left active by a dead supervisor is marked for what it is, a
        job whose files are broken is shown as failed with the reason (never an exception)."""
        try:
            return self._reconcile(job)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            return unreadable_record(job.id, exc)

    def _reconcile(self, job: JobDir) -> dict:
        record = job.record()
        if record["state"] not in ACTIVE or job.supervised():
            return record
        recover(job)  # re-attach, or end what still runs before calling it lost
        return job.record()

    def get(self, job_id: str) -> dict:
        return self.reconcile(self.job_dir(job_id))

    def list(self) -> list[dict]:
        jobs = []
        for job_id in list_job_ids(self.jobs_dir):
            jobs.append(self.reconcile(JobDir(self.jobs_dir, job_id)))
        jobs.sort(key=lambda j: (j["created"] if isinstance(j.get("created"), (int, float)) else 0, j["id"]),
                  reverse=True)
        return jobs

    def read_log(self, job_id: str, offset: int = 0, limit: int = LOG_CHUNK) -> dict:
        job = self.job_dir(job_id)
        if not 0 <= offset < 2**62:
            raise BadRequest("offset must be >= 0 and < 2**62")
        limit = max(1, min(int(limit), LOG_CHUNK))
        state = self.reconcile(job)["state"]
        try:
            with open_regular(job.file(OUTPUT)) as f:
                size = os.fstat(f.fileno()).st_size
                f.seek(offset)
                data = f.read(limit)
                if len(data) == limit:
                    data = _whole_text(data, f)
        except FileNotFoundError:
            size, data = 0, b""
        except RecordError as exc:
            raise Conflict(f"the output of job '{job_id}' cannot be read: {exc}") from None
        next_offset = offset + len(data)
        return {
            "offset": offset,
            "next_offset": next_offset,
            "text": data.decode("utf-8", errors="replace"),
            "complete": state not in ACTIVE and next_offset >= size,
        }

    def metrics(self, job_id: str) -> list[dict]:
        """Every metric point of a job, one dict each, in printed order."""
        from .outindex import is_indexed  # numpy: not for the CLI's quick commands
        from .replay import metric_records

        job = self.job_dir(job_id)
        if is_indexed(job.path):
            return _read_metrics(job, metric_records)
        try:
            with open_regular(job.file(METRICS)) as f:
                data = f.read()
        except FileNotFoundError:
            return []
        except RecordError as exc:
            raise Conflict(f"the metrics of job '{job_id}' cannot be read: {exc}") from None
        out = []
        for line in data.split(b"\n"):
            if line:
                try:
                    out.append(orjson.loads(line))
                except orjson.JSONDecodeError:
                    break  # a line still being written
        return out

    def metric_columns(self, job_id: str) -> dict:
        """Every metric of a job as columns per series (what the Metrics and Compare tabs load)."""
        from .outindex import is_indexed
        from .replay import legacy_columns, metric_columns

        job = self.job_dir(job_id)
        if is_indexed(job.path):
            return _read_metrics(job, metric_columns)
        return legacy_columns(self.metrics(job_id))

    def metric_columns_json(self, job_id: str) -> bytes:
        return orjson.dumps(self.metric_columns(job_id), option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)

    # ---- change ---------------------------------------------------------------------------
    def stop(self, job_id: str) -> dict:
        job = self.job_dir(job_id)
        record = self.reconcile(job)
        if record["state"] in ACTIVE:
            job.request_stop()  # the supervisor sees it within a poll, queued or running
        return self.reconcile(job)

    def delete(self, job_id: str) -> None:
        job = self.job_dir(job_id)
        if self.reconcile(job)["state"] in ACTIVE:
            raise Conflict(f"job '{job_id}' is still {job.record()['state']}: stop it first")
        job.remove_markers()  # first: a marker without its folder would be stale
        shutil.rmtree(job.path)

    def wait(self, job_id: str, timeout: Optional[float] = None, interval: float = 0.1) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            record = self.get(job_id)
            if record["state"] not in ACTIVE:
                return record
            if deadline is not None and time.monotonic() > deadline:
                return record
            time.sleep(interval)


def _read_metrics(job: JobDir, read):
    """``read(job folder)``; a record that is not a file we wrote (a FIFO, a link) is a 409."""
    try:
        return read(job.path)
    except RecordError as exc:
        raise Conflict(f"the metrics of job '{job.id}' cannot be read: {exc}") from None
