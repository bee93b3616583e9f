"""The job-backend interface. A backend knows how to check a job, start its supervisor, and (inside
the supervisor) run the job's process. It knows nothing of HTTP or of the job list."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable, Optional


class Runner(ABC):
    """A running job's process as the supervisor sees it."""

    replays = False  # a re-attached runner whose output comes again from its start (a followed log)

    @abstractmethod
    def output_fds(self) -> dict[str, int]:
        """Readable file descriptors by stream name ("stdout", "stderr")."""

    def output_mux(self) -> Optional[tuple[int, Callable[[bytes], list[tuple[str, bytes]]]]]:
        """A readable file descriptor that carries both streams, and the function that splits what
        is read from it into (stream, bytes) pieces (``b""``: the end of each); None when there is
        none (only ``output_fds``)."""
        return None

    @abstractmethod
    def poll(self) -> Optional[int]:
        """The exit code once the process has ended, else None."""

    @abstractmethod
    def terminate(self) -> None:
        """Ask the whole process tree to end (SIGTERM)."""

    @abstractmethod
    def kill(self) -> None:
        """End the whole process tree now (SIGKILL)."""

    @abstractmethod
    def sample(self) -> tuple[int, float]:
        """(resident memory of the tree in bytes, CPU percent since the last sample)."""

    def peak_memory(self) -> int:
        """The largest memory seen by the backend itself (0 if it cannot tell)."""
        return 0

    def failure_reason(self, exit_code: int) -> Optional[str]:
        """A backend-specific reason for a non-zero exit (e.g. out of memory), or None."""
        return None

    def after_exit(self) -> None:
        """The job's main process has ended: end what it left running (output may still be read)."""

    def cleanup(self) -> None:
        """Everything is read: release what is left (process group members, the container)."""

    def identity(self) -> dict:
        """What status.json keeps about the running job for a person to read (e.g. ``{"pid",
        "pgid"}``); readers never trust it to find the job's processes (a record can be planted)."""
        return {}


class JobBackend(ABC):
    """One way of running jobs: local processes, Docker containers, Swarm services."""

    name: str = ""

    def __init__(self, config: Optional[dict] = None):
        self.config = dict(config or {})

    def machines(self) -> list[dict]:
        """The machine types with availability: ``[{"name", "available", "reason"?}]``."""
        return [{"name": "cpu", "available": True}]

    def command(self, kind: str, path: str, args: list[str], python: str) -> list[str]:
        """The command line of a job: a script, or a notebook through the notebook runner. A
        relative path that starts with '-' gets './' so that no program reads it as an option."""
        if path.startswith("-"):
            path = "./" + path
        if kind == "python":
            return [python, "-u", path, *args]
        return [python, "-u", "-m", "mo_jupyter.jobs.notebook_runner", path, *args]

    @abstractmethod
    def check(self, spec: dict) -> None:
        """Raise a MoError if this backend cannot run ``spec`` here (unknown machine, no GPU)."""

    @abstractmethod
    def start(self, spec: dict, job_path: Path) -> Runner:
        """Start the job's process (called inside the supervisor, once the job has a slot).
        ``spec["nonce"]``: the job's random mark, already in status.json; a backend whose processes
        can outlive the supervisor puts it in their environment (``MO_JOB_NONCE``) so that
        ``end_lost`` can tell them from processes a planted record points at."""

    def attachable(self, spec: dict) -> bool:
        """Whether a job whose supervisor died still runs somewhere a new one can follow it (a
        container, whose log replays from the start). Local processes cannot be re-attached."""
        return False

    def attach(self, spec: dict) -> Runner:
        """The Runner of a job that is already running (see ``attachable``). Its ``replays`` says
        whether its output comes again from the start."""
        raise NotImplementedError(f"the {self.name} backend cannot re-attach to a job")

    def end_lost(self, spec: dict, status: dict, timeout: float = 5.0) -> bool:
        """The job's supervisor died and the job cannot be re-attached: end whatever of it still
        runs. True once nothing of it runs (only then may a reader call it lost); False while
        something does (it then keeps its state and its queue slot; the next reader tries again).
        ``status`` is a file anyone who can write the jobs folder may have planted: signal only
        what proves to be the job's (e.g. carries the recorded nonce), never what a number names.
        The default: the backend runs nothing that outlives the supervisor."""
        return True
