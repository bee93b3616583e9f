"""The queue: which waiting job may start. No daemon: each supervisor asks for its own slot.

Under one lock file per jobs directory, a waiting supervisor counts the jobs of its backend that are
running and the live queued jobs created before it; it starts when both together are fewer than the
backend's concurrency limit. Creation order is the queue order, so nobody runs early and nobody is
skipped. A job whose supervisor died is settled first (``supervision.recover``): it holds its slot
while anything of it still runs, and frees it once it is re-attached elsewhere or ended. A marker
whose job folder is gone (deleted by hand) is removed: it never holds a slot.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from .records import JobDir, flocked, marker_job_id
from .supervision import recover

QUEUE_LOCK = ".queue.lock"


def _state(job: JobDir) -> str:
    try:
        return job.status().get("state", "queued")
    except (OSError, ValueError):
        return "queued"  # being written, or broken: its lock says whether it lives


def _live_ahead(jobs_dir: Path, backend: str, my_marker: str) -> tuple[int, int]:
    """(running, queued before me) among live jobs of ``backend``."""
    folder = jobs_dir / ".active" / backend
    running = queued_ahead = 0
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):  # removed by hand: no marker holds a slot
        names = []
    for name in names:
        job_id = marker_job_id(name)
        if name == my_marker or job_id is None:
            continue
        job = JobDir(jobs_dir, job_id)
        if not job.exists():  # its folder was removed: the marker is stale
            try:
                os.unlink(folder / name)
            except FileNotFoundError:
                pass
            continue
        if not job.supervised():
            try:
                recover(job)
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a broken record that nobody supervises: it holds no slot
            if not job.supervised():  # not re-attached: settled, or something of it still runs
                running += _state(job) == "running"
                continue
        state = _state(job)
        if state == "running":
            running += 1
        elif state == "queued" and name < my_marker:
            queued_ahead += 1
    return running, queued_ahead


def wait_for_slot(
    job: JobDir,
    spec: dict,
    on_start: Callable[[], None],
    should_stop: Callable[[], bool],
    poll_seconds: float = 0.05,
    max_poll_seconds: float = 0.5,
) -> bool:
    """Block until the job may run; call ``on_start`` (which marks it running) under the queue lock.
    Return False if a stop came first."""
    limit = max(1, int(spec.get("concurrency", 1)))
    marker = job.active_marker(spec).name
    delay = poll_seconds
    while True:
        if should_stop():
            return False
        with flocked(job.jobs_dir / QUEUE_LOCK):
            if should_stop():
                return False
            running, ahead = _live_ahead(job.jobs_dir, spec["backend"], marker)
            if running + ahead < limit:
                on_start()
                return True
        time.sleep(delay)
        delay = min(max_poll_seconds, delay * 1.5)
