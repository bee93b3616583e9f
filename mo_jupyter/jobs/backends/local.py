"""The ``local`` backend: the job is a process tree on this machine, in its own session.

Its output goes through pipes to its supervisor, so a job cannot outlive its supervisor usefully:
the main process dies with it (``PR_SET_PDEATHSIG``), and the first reader that finds the
supervisor dead ends the rest of the tree (``end_lost``) before it calls the job lost. The job's
processes are those whose environment holds both its ``MO_JOB_ID`` and its ``MO_JOB_NONCE``, a
random mark the supervisor records in status.json before the job starts (which also finds those
that left the process group). Nothing else in a record is trusted: status.json is a file that
anyone who can write the jobs folder can plant, but a planted record cannot know the nonce of a
process it did not start, so it can point at no process outside the job. The limit: a process of
the job that replaced its whole environment (``exec`` with ``env -i``) is not found.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Optional

import psutil

from ...errors import BadRequest, Unavailable
from ...process import die_with_parent, scrubbed_env
from .base import JobBackend, Runner

F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
PIPE_BYTES = 1024 * 1024
# The variables that mark a job's processes; the nonce comes from the supervisor (spec["nonce"]).
ID_ENV, NONCE_ENV = "MO_JOB_ID", "MO_JOB_NONCE"
NONCE = re.compile(r"[0-9a-f]{32}")


def detect_gpus() -> list[str]:
    """Indices of the NVIDIA GPUs this machine has ([] when none)."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        found = [str(i) for i, line in enumerate(out.splitlines()) if line.startswith("GPU ")]
        if found:
            return found
    return sorted(name[6:] for name in os.listdir("/dev") if name[6:].isdigit() and name.startswith("nvidia"))


def job_environment(spec: dict, gpus: list[str]) -> dict[str, str]:
    env = scrubbed_env(spec.get("env") or {}, importable=False)
    env["PYTHONUNBUFFERED"] = "1"
    env[ID_ENV] = spec["id"]
    if spec.get("nonce"):
        env[NONCE_ENV] = spec["nonce"]
    env["MO_JOB_NAME"] = spec["name"]
    env["CUDA_VISIBLE_DEVICES"] = ",".join(gpus) if spec.get("machine") == "gpu" else ""
    return env


class LocalRunner(Runner):
    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.pgid = proc.pid  # start_new_session: the job leads its own process group
        self._procs: dict[int, psutil.Process] = {}

    def output_fds(self) -> dict[str, int]:
        return {"stdout": self.proc.stdout.fileno(), "stderr": self.proc.stderr.fileno()}

    def poll(self) -> Optional[int]:
        return self.proc.poll()

    def _tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def _signal(self, sig: int) -> None:
        members = self._tree()
        try:
            os.killpg(self.pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        for p in members:  # children that left the process group are still the job's
            try:
                p.send_signal(sig)
            except psutil.Error:
                pass

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def sample(self) -> tuple[int, float]:
        rss, cpu, alive = 0, 0.0, {}
        for p in self._tree():
            p = self._procs.get(p.pid, p)
            try:
                rss += p.memory_info().rss
                cpu += p.cpu_percent(None)
            except psutil.Error:
                continue
            alive[p.pid] = p
        self._procs = alive
        return rss, cpu

    def peak_memory(self) -> int:
        import resource

        # ru_maxrss is in KiB on Linux: the largest single process among the reaped children.
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

    def failure_reason(self, exit_code: int) -> Optional[str]:
        if exit_code < 0:
            try:
                name = signal.Signals(-exit_code).name
            except ValueError:
                name = f"signal {-exit_code}"
            return f"killed by {name}"
        return None

    def after_exit(self) -> None:
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    cleanup = after_exit

    def identity(self) -> dict:
        # for a person reading status.json; end_lost never trusts a recorded number
        return {"pid": self.proc.pid, "pgid": self.pgid}


def job_processes(job_id: str, status: dict) -> list[psutil.Process]:
    """This user's live processes that belong to job ``job_id``: those whose environment holds
    both ``MO_JOB_ID=job_id`` and the nonce recorded in ``status``. Each process is checked on its
    own, members of the job's process group included: a recorded group number (or its leader's
    absence) says nothing, as a planted record could name any group of the user's. A record
    without a well-formed nonce matches no process."""
    nonce = status.get("nonce")
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        return []
    me, uid = os.getpid(), os.getuid()
    found = []
    for p in psutil.process_iter(["uids", "status"]):
        if p.pid == me or p.info["uids"] is None or p.info["uids"].real != uid:
            continue
        if p.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        try:
            env = p.environ()
        except (psutil.Error, OSError):
            continue
        if env.get(ID_ENV) == job_id and env.get(NONCE_ENV) == nonce:
            found.append(p)
    return found


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class LocalBackend(JobBackend):
    name = "local"

    def _gpus(self) -> list[str]:
        configured = self.config.get("gpus")
        return list(configured) if configured is not None else detect_gpus()

    def machines(self) -> list[dict]:
        gpu = {"name": "gpu", "available": bool(self._gpus())}
        if not gpu["available"]:
            gpu["reason"] = "no GPU found on this machine"
        return [{"name": "cpu", "available": True}, gpu]

    def check(self, spec: dict) -> None:
        machine = spec.get("machine", "cpu")
        if machine not in ("cpu", "gpu"):
            raise BadRequest(f"unknown machine type '{machine}' for the local backend (cpu, gpu)")
        if machine == "gpu" and not self._gpus():
            raise Unavailable("a GPU job cannot run here: no GPU found on this machine; choose the cpu machine")

    def end_lost(self, spec: dict, status: dict, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while True:  # again until none is found: a member may fork while we kill
            procs = [p for p in job_processes(spec["id"], status) if _alive(p)]
            if not procs:
                return True
            if time.monotonic() > deadline:
                return False
            for p in procs:
                try:
                    p.kill()  # psutil checks the start time: a reused pid is not signalled
                except psutil.Error:
                    pass
            time.sleep(0.02)

    def start(self, spec: dict, job_path: Path) -> Runner:
        proc = subprocess.Popen(
            spec["command"],
            cwd=spec["cwd"],
            env=job_environment(spec, self._gpus()),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
            # the job dies with its supervisor (its pipes would be gone; see end_lost for the rest)
            preexec_fn=die_with_parent(),
        )
        for pipe in (proc.stdout, proc.stderr):
            try:  # a roomy pipe lets a chatty job run ahead while the supervisor batches reads
                fcntl.fcntl(pipe.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:
                pass
        return LocalRunner(proc)
