"""Who supervises a job: starting its supervisor, and what any reader does when it finds an active
job whose supervisor is dead (its lock is free).

A reader (the service's reconcile, a waiting job's queue check) then takes the job's lock and
either starts a new supervisor that re-attaches to the running job (a container: its log replays)
or ends what of the job still runs (a local process tree) and only then writes ``failed: lost``.
While something of the job cannot be ended, the job stays ``running`` and keeps its queue slot.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ..errors import MoError
from ..process import spawn_detached
from .backends import backend_for
from .records import ACTIVE, LOCK, JobDir, flocked

_SUPERVISOR_BOOT = (
    "import os, sys; sys.path[1:1] = os.environ.pop('MO_SUPERVISOR_PATH', '').split(os.pathsep); "
    "from mo_jupyter.jobs.supervisor import main; main()"
)
LOST = "lost: its supervisor ended unexpectedly"


class SupervisorFailed(MoError):
    status = 503


def spawn_supervisor(job_path: Path, lock_fd: int, reattach: bool = False) -> None:
    """Start the job's supervisor, which inherits ``lock_fd`` (the job's lock, held by the caller)."""
    # -S: skip site's .pth processing (tens of ms); the paths it would add are passed instead.
    paths = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
    proc = spawn_detached(
        [sys.executable, "-S", "-c", _SUPERVISOR_BOOT, str(job_path), "--lock-fd", str(lock_fd),
         *(["--reattach"] if reattach else [])],
        cwd=job_path, log=job_path / "supervisor.log", env={"MO_SUPERVISOR_PATH": paths}, pass_fds=(lock_fd,))
    if proc.wait() != 0:  # the first process forks the supervisor and exits at once
        raise SupervisorFailed("the job's supervisor did not start; see supervisor.log in the job's folder")


def recover(job: JobDir, timeout: float = 5.0) -> None:
    """The job's lock was found free while it may be active: settle it. Does nothing when someone
    holds the lock (its supervisor, the creator, another reader settling it)."""
    with flocked(job.file(LOCK), blocking=False) as fd:
        if fd is None:
            return
        status = job.status()
        state = status.get("state", "queued")
        if state in ACTIVE:
            spec = job.spec()
            if state == "running":
                try:
                    backend = backend_for(spec["backend"], spec.get("backend_config"))
                except MoError:
                    backend = None
                if backend is not None:
                    try:
                        if backend.attachable(spec):
                            spawn_supervisor(job.path, fd, reattach=True)  # it inherits our lock
                            return
                        if not backend.end_lost(spec, status, timeout):
                            return  # still runs: stays running, holds its slot; the next reader tries
                    except Exception:  # e.g. the engine does not answer: whether it runs is unknown
                        return
            if job.stop_requested():
                status.update(state="stopped", reason="stopped by the user")
            else:
                status.update(state="failed", reason=LOST + ("; its processes were ended" if state == "running" else ""))
            status.pop("memory", None)
            status.pop("cpu_percent", None)
            status.setdefault("ended", time.time())
            job.write_status(status)
        job.remove_markers()
