"""The one way mo_jupyter starts a process that must outlive the Jupyter server (a job's supervisor,
a deployed app's local replica) or that runs user code (a job): a scrubbed environment (none of the
server's secrets: Jupyter and JupyterHub tokens), its own session, no standard input, output
appended to a log file, and mo_jupyter importable from the source tree it was started from.
``die_with_parent`` ties a child to the process that forked it (a job's main process to its
supervisor)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
from pathlib import Path
from typing import Iterable, Mapping, Optional

PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])
# Variables of the Jupyter server that no process it starts has any business seeing.
# MO_JOB_: a job's identity marks its own processes (see jobs/backends/local.py), never a process
# that a job starts detached (a nested job's supervisor, a deployed replica).
PRIVATE_ENV_PREFIXES = ("JPY_", "JUPYTER_TOKEN", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_OAUTH", "MO_SERVICE_KEY",
                        "MO_JOB_")
PR_SET_PDEATHSIG = 1


def scrubbed_env(extra: Optional[Mapping[str, str]] = None, *, importable: bool = True) -> dict[str, str]:
    """This process's environment less the server's secrets, plus ``extra``. ``importable``: put
    the folder holding this mo_jupyter first on PYTHONPATH (a source checkout is not installed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_ENV_PREFIXES)}
    if importable:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def start_ticks(pid: int) -> Optional[int]:
    """When process ``pid`` started, in clock ticks since boot (``/proc/<pid>/stat``, field 22):
    with the PID, an identity that never changes. A start time on the wall clock does: psutil adds
    the boot time, which the kernel moves when the clock is stepped (seen: a second, in CI).
    None where there is no such process or no /proc."""
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as f:
            stat = f.read()
        return int(stat[stat.rindex(b")") + 2:].split()[19])  # fields after "(comm)" start at the 3rd
    except (OSError, ValueError, IndexError):
        return None


def spawn_detached(args: list[str], *, cwd: Path | str, log: Path | str, env: Optional[Mapping[str, str]] = None,
                   pass_fds: Iterable[int] = ()) -> subprocess.Popen:
    """Start ``args`` in a session of its own (so it outlives the server and a Ctrl-C of it), with
    the scrubbed environment plus ``env``, stdin from /dev/null and stdout + stderr appended to
    ``log``. Returns the Popen; the caller decides whether to wait for it."""
    with open(log, "ab") as out:
        return subprocess.Popen([str(a) for a in args], cwd=cwd, env=scrubbed_env(env), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=out, start_new_session=True, close_fds=True,
                                pass_fds=tuple(pass_fds))


def die_with_parent(sig: int = signal.SIGKILL):
    """A ``preexec_fn`` for Popen: the child gets ``sig`` when the process that forked it dies (Linux
    ``PR_SET_PDEATHSIG``), and ends at once if that process died before the call. Build it in the
    parent (libc is loaded here, not between fork and exec); the parent must not use threads to
    spawn (the signal follows the forking thread). Elsewhere than Linux: None (no such tie)."""
    name = ctypes.util.find_library("c")
    if not name or not hasattr(os, "getppid"):
        return None
    try:
        prctl = ctypes.CDLL(name, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def tie() -> None:  # runs in the child, after fork and setsid, before exec
        prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the tie: do as if it came after
            os.kill(os.getpid(), sig)

    return tie
