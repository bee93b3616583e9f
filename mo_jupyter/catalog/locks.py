"""Per-dataset locks, between the threads of the server and between processes (the CLI, a teammate's
server on a shared catalog): ``flock`` on small hidden files beside the dataset's folder
(``datasets/<owner>/.<name>.lock`` and ``.<name>.write.lock``). flock locks belong to an open file,
so two threads that each open the file exclude each other as two processes do.

* ``writing``: one change at a time (an import, an edit, a delete): the slow part of an import
  (extraction, the format check) runs under it while readers go on reading the old files.
* ``swapping``: held only while the new files are renamed into place (and dataset.yml rewritten).
* ``reading``: details, insert and the format check; waits for a swap under way, so a reader sees
  the files before an import or after it, never half of each. Readers pass a gate (``.<name>.gate``)
  that a swap closes while it waits, so a stream of readers never starves it.

Only those who may write the catalog may take these locks: flock needs no write right on the file,
so a lock file anyone can open would let a user with read access stall every reader and writer of
the dataset. A lock file is opened for writing (O_RDWR) and made (or, when ours, kept) readable and
writable only by the classes that can write the folder it lives in: the owner, the group where that
folder is group-writable (a team catalog). Where the lock file can be neither made nor opened for
writing (a read-only shared catalog, a teammate's catalog we may only read), nobody imports through
us, and readers read without a lock.

A reader waits at most READ_WAIT (2 s) for a swap, then answers 409 "being replaced; try again": a
swap is renames and a small write, and a reader's thread is one of the server's fast pool."""

from __future__ import annotations

import fcntl
import os
import stat
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import ContextManager, Iterator

from ..errors import Conflict

READ_WAIT = 2.0  # seconds a reader waits for a swap (renames and a small write) to end
SWAP_WAIT = 30.0  # seconds a swap waits for the readers under way (a format check, an insert) to end
EDIT_WAIT = 10.0  # seconds an edit waits for another change of the same dataset


def _lock_file(folder: Path, kind: str) -> Path:
    return folder.parent / f".{folder.name}.{kind}"


def lock_mode(folder: Path) -> int:
    """rw for the owner, and for the group and others only where they can write ``folder``."""
    try:
        mode = folder.stat().st_mode
    except OSError:
        return 0o600
    return 0o600 | (0o060 if mode & 0o020 else 0) | (0o006 if mode & 0o002 else 0)


def _open(path: Path, create: bool = True) -> int | None:
    """The lock file, opened for writing and made if missing (and ``create``); None where it can be
    neither made nor opened for writing (a read-only catalog, a lock file only others may write, or
    the owner's folder is gone with the dataset: the caller then finds no dataset)."""
    flags = (os.O_RDWR | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
    wanted = lock_mode(path.parent)
    for extra in ((os.O_CREAT, 0) if create else (0,)):
        try:
            fd = os.open(path, flags | extra, wanted)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # a fifo or a device planted as a lock file
                os.close(fd)
                return None
            if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != wanted:
                os.fchmod(fd, wanted)  # the umask may have left it readable to those who cannot write
        except OSError:
            pass
        return fd
    return None


@contextmanager
def _flock(path: Path, mode: int, wait: float, busy: str, create: bool = True) -> Iterator[None]:
    fd = _open(path, create)
    if fd is None:
        yield
        return
    try:
        deadline, pause = time.monotonic() + wait, 0.005
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Conflict(busy, reason="busy") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def writing(folder: Path, name: str, wait: float = EDIT_WAIT, kind: str = "dataset") -> ContextManager[None]:
    """Exclusive: one change of the dataset (or module: ``kind``) at ``folder`` at a time (``wait=0``:
    refuse at once)."""
    doing = "an import or an edit" if kind == "dataset" else "a publish or an edit"
    return _flock(_lock_file(folder, "write.lock"), fcntl.LOCK_EX, wait,
                  f"{kind} '{name}' is being changed ({doing} is under way); try again")


@contextmanager
def swapping(folder: Path, name: str) -> Iterator[None]:
    """Exclusive against readers, while new files are renamed in. The gate is closed first, so
    readers that come meanwhile wait at it: a stream of readers never starves the swap."""
    busy = f"dataset '{name}' is being read for too long; try again"
    with _flock(_lock_file(folder, "gate"), fcntl.LOCK_EX, SWAP_WAIT, busy), \
            _flock(_lock_file(folder, "lock"), fcntl.LOCK_EX, SWAP_WAIT, busy):
        yield


@contextmanager
def reading(folder: Path, name: str, create: bool = True) -> Iterator[None]:
    """Shared: no swap happens while it is held. ``create=False`` for a catalog that is not ours to
    write (the built-in one): a lock file there is used if present, never made."""
    busy = f"dataset '{name}' is being replaced; try again"
    with ExitStack() as held:
        with _flock(_lock_file(folder, "gate"), fcntl.LOCK_SH, READ_WAIT, busy, create):
            held.enter_context(_flock(_lock_file(folder, "lock"), fcntl.LOCK_SH, READ_WAIT, busy, create))
        yield  # the gate is open again; the shared lock is held
