"""A docker job's output through two FIFOs, not through the engine.

Through the engine, every line a job prints is read by containerd's shim, passed to dockerd, written
by dockerd to its own JSON log (each line wrapped and escaped: about twice the bytes, on
/var/lib/docker) and framed again onto the attach socket. For a job that prints much, the engine
then spends more CPU than the job: a million metric lines cost dockerd and the shim 4-6 s of CPU on
a 2-core machine, where the job itself prints them in 2 s. Our supervisor keeps the output itself
(``output.log``), so that work is waste.

Instead the supervisor makes two FIFOs in the job's folder, ``pipes/stdout`` and ``pipes/stderr``
(mode 0600, owned by the user the container runs as), opens their read ends, and bind-mounts them
into the container at ``/run/mo/``; the job's command starts under ``/bin/sh -c 'exec
1<>/run/mo/stdout 2<>/run/mo/stderr && exec "$@"'``: the shell points the job's standard output and
error at them and becomes the job (``exec``), so the process tree under the init is the same as
without it. Once the container has started, the FIFOs' names go from the job's folder (its mounts
keep them): another job, which sees the project at /workspace, cannot reach them. A re-attaching
supervisor opens them through the container's own root (``/proc/<init>/root/run/mo/``). The engine
sees only what the shell says before the redirection (its own errors: no ``/bin/sh`` in the image,
say), which the job's failure reason shows.

Each FIFO is opened read-write by the job (``<>``), so it always has a reader: when the supervisor
dies, the job's writes are never refused (no SIGPIPE); they wait in the pipe (64 KiB), then block,
until a new supervisor opens the FIFO and reads on where the dead one stopped. What a job printed
after its supervisor died is lost if the job ends before a new one comes (a pipe's bytes go with its
last opener). The supervisor holds a write end of its own until the container has ended, so that a
FIFO that the job has not opened yet reads as empty, not as its end.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

DIR = "pipes"
TARGET = "/run/mo"
STREAMS = ("stdout", "stderr")
LABEL = "mo.output"  # "fifo" on a container whose output goes through the FIFOs
WRAPPER = f'exec 1<>{TARGET}/stdout 2<>{TARGET}/stderr && exec "$@"'


def wrap(command: list[str]) -> list[str]:
    """The container's command: the shell that points stdout and stderr at the FIFOs, then runs
    ``command`` in its place ("mo-job" is the shell's $0, shown in its error messages)."""
    return ["/bin/sh", "-c", WRAPPER, "mo-job", *command]


def make(job_path: Path, user: str) -> Optional[dict[str, Path]]:
    """Make the job's FIFOs for a container that runs as ``user`` ("uid:gid"): mode 0600, given to
    that user when it is not us (only root may). None when they could not be opened by it (another
    user, and we are not root) or not be made (then nothing made stays): the output goes through
    the engine."""
    try:
        uid, gid = (int(x) for x in user.split(":"))
    except ValueError:
        return None
    me = os.geteuid()
    if uid != me and me != 0:
        return None
    folder = Path(job_path) / DIR
    paths = {stream: folder / stream for stream in STREAMS}
    made: list[Path] = []
    try:
        folder.mkdir(mode=0o700)  # never one that was there: only what we make is ever removed
        made.append(folder)
        for path in paths.values():
            os.mkfifo(path, 0o600)
            made.append(path)
            if uid != me:
                os.chown(path, uid, gid)
    except OSError:  # a file system without FIFOs, say
        for path in reversed(made):
            try:
                path.rmdir() if path == folder else path.unlink()
            except OSError:
                pass
        return None
    return paths


def in_container(pid: int) -> dict[str, Path]:
    """The FIFOs of a running job's container, whose init is host process ``pid``: through its root,
    where its mounts hold them (their names in the job's folder are gone)."""
    return {stream: Path(f"/proc/{int(pid)}/root{TARGET}/{stream}") for stream in STREAMS}


def open_ends(paths: dict[str, Path]) -> tuple[dict[str, int], list[int]]:
    """Each FIFO's read end (non-blocking) and a write end of the same FIFO, which the supervisor
    holds while the container runs (see the module). Only FIFOs are opened: never through a link,
    never a file put in their place (OSError, with nothing left open)."""
    readers: dict[str, int] = {}
    holds: list[int] = []
    try:
        for stream, path in paths.items():
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
            readers[stream] = fd
            if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                raise OSError(f"{path} is not a FIFO")
            # the write end through our read end: the very same FIFO, whatever the name leads to now
            holds.append(os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC))
    except OSError:
        for fd in [*readers.values(), *holds]:
            os.close(fd)
        raise
    return readers, holds


def remove(paths: dict[str, Path]) -> None:
    """The FIFOs' names go, and their folder: once the container has started (its mounts keep the
    FIFOs), or when it never will."""
    for path in paths.values():
        try:
            path.unlink()
        except FileNotFoundError:
            pass
    try:
        next(iter(paths.values())).parent.rmdir()
    except (OSError, StopIteration):
        pass
