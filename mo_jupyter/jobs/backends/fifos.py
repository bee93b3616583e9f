"""A docker job's output through two FIFOs in its folder, not through the engine.

Through the engine, every line a job prints is read by containerd's shim, passed to dockerd, written
by dockerd to its own JSON log (each line wrapped and escaped: about twice the bytes, on
/var/lib/docker) and framed again onto the attach socket. For a job that prints much, the engine
then spends more CPU than the job: a million metric lines cost dockerd and the shim 4-6 s of CPU on
a 2-core machine, where the job itself prints them in 2 s. Our supervisor keeps the output itself
(``output.log``), so that work is waste.

Instead the job's folder holds ``pipes/stdout`` and ``pipes/stderr`` (FIFOs, mode 0600, owned by
the user the container runs as), bind-mounted into the container at ``/run/mo/``, and the job's
command starts under ``/bin/sh -c 'exec 1<>/run/mo/stdout 2<>/run/mo/stderr && exec "$@"'``: the
shell points the job's standard output and error at them and becomes the job (``exec``), so the
process tree under the init is the same as without it. The engine sees only what the shell says
before that (its own errors: no ``/bin/sh`` in the image, say), which the job's failure reason
shows.

Each FIFO is opened read-write by the job (``<>``), so it always has a reader: when the supervisor
dies, the job's writes are never refused (no SIGPIPE); they wait in the pipe (64 KiB), then block,
until a new supervisor opens the FIFO and reads on where the dead one stopped. The supervisor holds
a write end of its own until the container has ended, so that a FIFO that the job has not opened
yet reads as empty, not as its end.
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
WRAPPER = 'exec 1<>/run/mo/stdout 2<>/run/mo/stderr && exec "$@"'


def wrap(command: list[str]) -> list[str]:
    """The container's command: the shell that points stdout and stderr at the FIFOs, then runs
    ``command`` in its place ("mo-job" is the shell's $0, shown in its error messages)."""
    return ["/bin/sh", "-c", WRAPPER, "mo-job", *command]


def make(job_path: Path, user: str) -> Optional[dict[str, Path]]:
    """Make the job's FIFOs for a container that runs as ``user`` ("uid:gid"): mode 0600, given to
    that user when it is not us (only root may). None when they could not be opened by it (another
    user, and we are not root) or not be made: then the output goes through the engine."""
    try:
        uid, gid = (int(x) for x in user.split(":"))
    except ValueError:
        return None
    me = os.geteuid()
    if uid != me and me != 0:
        return None
    folder = Path(job_path) / DIR
    paths = {stream: folder / stream for stream in STREAMS}
    try:
        folder.mkdir(mode=0o700)
        for path in paths.values():
            os.mkfifo(path, 0o600)
            if uid != me:
                os.chown(path, uid, gid)
    except OSError:  # a file system without FIFOs, say: through the engine then
        remove(paths)
        return None
    return paths


def found(job_path: Path) -> Optional[dict[str, Path]]:
    """The job's FIFOs, as a re-attaching supervisor finds them; None when it has none."""
    folder = Path(job_path) / DIR
    paths = {stream: folder / stream for stream in STREAMS}
    return paths if all(p.exists() for p in paths.values()) else None


def open_ends(paths: dict[str, Path]) -> tuple[dict[str, int], list[int]]:
    """Each FIFO's read end (non-blocking) and a write end the supervisor holds while the
    container runs (see the module). Only FIFOs are opened: never through a link, never a file
    put in their place (OSError)."""
    readers: dict[str, int] = {}
    holds: list[int] = []
    try:
        for stream, path in paths.items():
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
            readers[stream] = fd
            if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                raise OSError(f"{path} is not a FIFO")
            holds.append(os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC))
    except OSError:
        for fd in [*readers.values(), *holds]:
            os.close(fd)
        raise
    return readers, holds


def remove(paths: dict[str, Path]) -> None:
    """The FIFOs go once the job has ended (nothing may open them after), and their folder."""
    for path in paths.values():
        try:
            path.unlink()
        except FileNotFoundError:
            pass
    try:
        next(iter(paths.values())).parent.rmdir()
    except (OSError, StopIteration):
        pass
