"""Process groups of local replicas. A keeper runs in a group of its own (its session), and starts
each run of the app in another group of its own, so that whatever the app forks (a handle's
``os.fork``, a ``multiprocessing`` worker, a shell) stays in that group even when its parent dies:
ending the group ends them all, and no forked copy of the app's listening socket outlives the app.

A group id comes from a file (replicas.json, a keeper's status file) that anyone who can write the
project can write: a group is signalled only through the members that are verified to be this
service's (their command line or their environment names the service's folder), never by its id
alone."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psutil

MARK = "MO_SERVICE_FOLDER"  # in every replica's environment (and so in whatever its app forks)


def is_ours(proc: psutil.Process, folder: Path | str) -> bool:
    """Whether ``proc`` is a process of the service in ``folder`` (a keeper, an app, a fork of it)."""
    folder = str(folder)
    try:
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        if any(folder in arg for arg in proc.cmdline()):
            return True
        return proc.environ().get(MARK) == folder
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
        return False


def members(pgid: int) -> list[psutil.Process]:
    """The live (not zombie) processes of group ``pgid``."""
    if isinstance(pgid, bool) or not isinstance(pgid, int) or pgid <= 1:
        return []
    found = []
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) != pgid:
                continue
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (ProcessLookupError, psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied, OSError):
            continue
    return found


def kill_ours(pgid: int, folder: Path | str, sig: int = signal.SIGKILL) -> int:
    """Send ``sig`` to the members of group ``pgid`` that are the service's: the whole group at once
    when every member is (a fork in progress is caught too), else each verified member. Returns how
    many members were the service's."""
    found = members(pgid)
    ours = [p for p in found if is_ours(p, folder)]
    if not ours:
        return 0
    try:
        if len(ours) == len(found):
            os.killpg(pgid, sig)
        else:
            for proc in ours:
                os.kill(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    return len(ours)


def end_group(pgid: int, grace: float) -> None:
    """SIGTERM to group ``pgid``, then SIGKILL to what is left of it after ``grace`` seconds (the
    keeper's own child group: it made it, so it needs no check)."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace
    while members(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
