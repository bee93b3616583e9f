"""Small helpers for tests that run real jobs."""

import time
from pathlib import Path

from mo_jupyter.jobs.service import JobService


def wait_until(predicate, timeout=30.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def make_service(root: Path, **kwargs) -> JobService:
    kwargs.setdefault("grace_seconds", 2.0)
    return JobService(root, **kwargs)


def script(root: Path, name: str, body: str) -> str:
    (root / name).write_text(body)
    return name
