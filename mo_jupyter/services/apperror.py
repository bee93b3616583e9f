"""Why a deployed app failed, in one line: the app's own error, found in the service's log.

Read only for a service that shows ``failed``, and only the last ``TAIL_BYTES`` of its log, from
the last deploy's separator on (``===== <id> deployed at ...``, written by ``log_deploy`` below):
an older deploy's failure is never shown for the new one. The answer, in order of preference:

1. the last Python traceback's exception line and where it was raised in the app's own files
   (``ModuleNotFoundError: No module named 'keras' (handler.py:3)``), relative to the snapshot,
   never an absolute path; mo_jupyter's frames (the app server that imports ``handler.py``),
   the interpreter's (``runpy``, ``importlib``) and installed packages' are not the app's code;
2. else the app server's own ``error: ...`` line (it exits with one when the app cannot start);
3. else None (the caller keeps its reason: "1 of 1 replica(s) exited").

The traceback parser is the one of failed jobs (``jobs.failure``)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Optional, Sequence

from ..containers import APP, PACKAGE_DIR
from ..jobs.failure import _clean, cut, from_traceback

TAIL_BYTES = 64 * 1024
SEPARATOR = re.compile(r"^===== (?P<id>\S+) deployed at ")


def separator(record: dict) -> str:
    """The line that starts a deploy's part of a service's log, with its time (SEPARATOR reads it)."""
    at = time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(record["deployed"]))
    return (f"===== {record['id']} deployed at {at}: {record['backend']}, {record['replicas']} replica(s), "
            f"port {record['port']} =====\n")


def log_deploy(log: Path, record: dict) -> None:
    """Start the deploy's part of the log with its separator (a log holds every deploy)."""
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write("\n" + separator(record))
_FRAME_FILE = re.compile(r'^(\s*File ")(?P<file>[^"]+)(", line \d+)')
_SERVER_ERROR = re.compile(r"^error: (?:importing \S+ failed: )?(?P<message>.+)$")
# where mo_jupyter runs: here, and mounted read-only in a container (containers.BASE_ENV's PYTHONPATH)
_OURS = (str(PACKAGE_DIR) + os.sep, "/opt/mo/mo_jupyter/")


def tail(data: bytes, limit: int = TAIL_BYTES) -> list[str]:
    """The whole lines among the last ``limit`` bytes of a log, from its last deploy's separator on."""
    cut_off = len(data) > limit
    data = data[-limit:]
    lines = data.decode("utf-8", "replace").splitlines()
    if cut_off and lines:
        lines = lines[1:]  # the end of a line cut by the tail
    for i in range(len(lines) - 1, -1, -1):
        if SEPARATOR.match(lines[i]):
            return lines[i + 1:]
    return lines


def read_tail(path: Path, limit: int = TAIL_BYTES) -> bytes:
    """The last ``limit`` bytes of a file (b"" when it is missing or not a regular file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b""
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not (st.st_mode & 0o170000 == 0o100000):  # S_ISREG: never a FIFO another user planted
            return b""
        f.seek(max(0, st.st_size - limit))
        return f.read(limit)


def _not_ours(lines: Sequence[str]) -> list[str]:
    """The lines with mo_jupyter's own frames renamed ``<mo_jupyter>``: still frames of the
    traceback, never the place shown for the app's error."""
    out = []
    for line in lines:
        frame = _FRAME_FILE.match(line)
        if frame and frame.group("file").startswith(_OURS):
            line = f"{frame.group(1)}<mo_jupyter>{frame.group(3)}"
        out.append(line)
    return out


def explain(lines: Sequence[str], roots: Sequence[str]) -> Optional[str]:
    """The app's error in the lines of one deploy's log (see the module's docstring), or None."""
    found = from_traceback(_not_ours(lines), roots)
    if found:
        return found
    for line in reversed(lines):
        server = _SERVER_ERROR.match(_clean(line).strip())
        if server:
            return cut(server.group("message").strip())
    return None


def app_error(log: bytes, app_dir: Path) -> Optional[str]:
    """The app's error in the tail of a service's log; ``app_dir`` is its snapshot here (its frames
    are named relative to it, as are those of ``/app``, where a container mounts it)."""
    roots = [os.path.realpath(app_dir), str(app_dir), APP]
    return explain(tail(log), roots)
