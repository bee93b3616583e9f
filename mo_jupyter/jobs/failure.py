"""Why a job failed, in one line: the error it printed, found at the end of its output.

Read once, when a job has exited non-zero (never while it runs): the lines among the last
``TAIL_BYTES`` of its output, with their stream (from the index; ``events.jsonl`` in older folders). The answer, in order of preference:

1. the last Python traceback on stderr, else on stdout: its exception line (``KeyError: 'test'``)
   and where it was raised in the user's code, the last frame in a file of the project
   (``failing.py:6``, relative to the project root, never an absolute path) or in a notebook job's
   cell (``cell 3, line 2``); frames in installed packages are not the user's code;
2. else the last non-empty line on stderr (a program that is not Python, ``sys.exit("message")``);
3. else None (the caller says "exited with code N").

The text is cut to ``MAX_CHARS``; control characters and terminal colours are removed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Optional, Sequence

import orjson

from .records import EVENTS, open_regular

TAIL_BYTES = 64 * 1024
MAX_CHARS = 200
MAX_WHERE_CHARS = 80

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)')
# An exception line: a (dotted) class name, alone or followed by ": message".
_EXCEPTION = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?::(?P<message>.*))?$")
_CELL = re.compile(r"^<cell (\d+)>$")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_INSTALLED = ("site-packages", "dist-packages")
_RUNNER_LINE = re.compile(r"^\[mo\] cell \d+(/\d+| failed)$")  # the notebook runner's own lines


def cut(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(line: str) -> str:
    return _CONTROL.sub(" ", _ANSI.sub("", line)).rstrip()


def tail_lines(job_path: Path, limit: int = TAIL_BYTES) -> dict[str, list[str]]:
    """The log lines among the last ``limit`` bytes of a job's events, by stream."""
    from .outindex import is_indexed

    if is_indexed(job_path):
        from .replay import tail_lines as indexed_tail

        return indexed_tail(Path(job_path), limit)
    lines: dict[str, list[str]] = {"stdout": [], "stderr": []}
    with open_regular(Path(job_path) / EVENTS) as f:
        size = os.fstat(f.fileno()).st_size
        start = max(0, size - limit)
        f.seek(start)
        data = f.read(limit)
    chunks = data.split(b"\n")
    if start > 0:
        chunks = chunks[1:]  # the first one is the end of a line cut by the seek
    for raw in chunks:
        if b'"type":"log"' not in raw:
            continue
        try:
            event = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue  # a torn last line, or not ours
        if not isinstance(event, dict):
            continue
        stream, line = event.get("stream"), event.get("line")
        if stream in lines and isinstance(line, str):
            lines[stream].append(line)
    return lines


def _where(file: str, line: str, roots: Sequence[str]) -> Optional[str]:
    """``file:line`` for a frame in the user's code, or None for anything else."""
    cell = _CELL.match(file)
    if cell:
        return f"cell {cell.group(1)}, line {line}"
    if file.startswith("<"):
        return None  # <string>, <frozen runpy>, <stdin>
    parts = Path(file).parts
    if any(p in _INSTALLED for p in parts):
        return None
    if os.path.isabs(file):
        for root in roots:
            if root and (file == root or file.startswith(root.rstrip("/") + "/")):
                file = os.path.relpath(file, root)
                break
        else:
            return None  # outside the project: the interpreter's library, another user's files
    file = os.path.normpath(file)
    if file.startswith(".."):
        return None
    if len(file) > MAX_WHERE_CHARS:
        file = "…" + file[-(MAX_WHERE_CHARS - 1):]
    return f"{file}:{line}"


def from_traceback(lines: Sequence[str], roots: Sequence[str] = ()) -> Optional[str]:
    """The last traceback's exception line and its place in the user's code, or None.

    A traceback is an exception line (not indented) under an indented block of ``File "...",
    line N`` frames, with or without its ``Traceback (most recent call last):`` header (a
    SyntaxError in the main script has none)."""
    for i in range(len(lines) - 1, 0, -1):
        line = lines[i]
        if not line or line[0].isspace() or not _EXCEPTION.match(line.rstrip()):
            continue
        where, frames, j = None, 0, i - 1
        while j >= 0 and (not lines[j].strip() or lines[j][0].isspace()):
            j -= 1
        for above in lines[j + 1 : i]:  # the frames, top to bottom: the last user frame wins
            frame = _FRAME.match(above)
            if frame:
                frames += 1
                where = _where(frame.group("file"), frame.group("line"), roots) or where
        if not frames:
            continue
        text = cut(_clean(line.strip()))
        return f"{text} ({where})" if where else text
    return None


def last_line(lines: Iterable[str]) -> Optional[str]:
    for line in reversed(list(lines)):
        text = _clean(line).strip()
        if text and not _RUNNER_LINE.match(text):
            return cut(text)
    return None


def explain(streams: dict[str, list[str]], roots: Sequence[str] = ()) -> Optional[str]:
    """The one-line error of a failed job's output (see the module's docstring), or None."""
    stderr, stdout = streams.get("stderr", []), streams.get("stdout", [])
    return from_traceback(stderr, roots) or from_traceback(stdout, roots) or last_line(stderr)


def failure_error(job_path: Path, roots: Sequence[str] = ()) -> Optional[str]:
    """What a failed job's output says went wrong; None if it says nothing (or cannot be read)."""
    try:
        streams = tail_lines(job_path)
    except (OSError, ValueError):
        return None
    return explain(streams, [os.path.realpath(r) for r in roots if r] + [r for r in roots if r])
