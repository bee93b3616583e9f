"""Atomic file writes: the new content goes to a temporary file beside the target, then is renamed
over it, so a reader sees the old file or the new one, never half of one. The temporary name is
unique per process and thread (two writers never share, and truncate, one), and the file is made
with the usual umask, so a catalog shared with a team stays readable."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def write_temp(path: Path, data: bytes | str) -> Path:
    """``data`` in the temporary file of ``path`` (UTF-8 for text); its name returned, not renamed."""
    tmp = temp_path(path)
    try:
        with open(tmp, "wb") as f:
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
