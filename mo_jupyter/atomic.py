"""Atomic file writes: the new content goes to a temporary file beside the target, then is renamed
over it, so a reader sees the old file or the new one, never half of one. The temporary name is
unique per process and thread (two writers never share, and truncate, one), created exclusively and
never through a link, and made with the usual umask, so a catalog shared with a team stays
readable. No fsync: these files are rewritten often, and a crash loses at most the last version."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def write_temp(path: Path, data: bytes | str) -> Path:
    """``data`` in the temporary file of ``path`` (UTF-8 for text); its name returned, not renamed."""
    tmp = temp_path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o666)  # never through a link someone left at the name
    except FileExistsError:  # left by a writer that died with this pid and thread id
        tmp.unlink()
        fd = os.open(tmp, flags, 0o666)
    try:
        with open(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes | str) -> None:
    tmp = write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_all(fd: int, data) -> None:
    """All of ``data`` (bytes or a buffer) to the file descriptor ``fd``: a pipe, or a file on a
    full disk, may take less per call."""
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view):]
