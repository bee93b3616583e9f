"""What a dataset's files were when it was imported or put online: size and mtime of each file, in a
hidden ``.mo_files.json`` in the dataset's folder. Insertion links the catalog's files into projects
(the same inode): a write through such a link (a job running as root, or one that made the file
writable again) would change the catalog's original. Comparing the files with this record (a
``stat`` per file, no reading) tells a changed original: such a dataset is not inserted again and
its details say which files changed, until its owner imports it again or puts it online again.

It catches any write that leaves the new mtime (every ordinary write does, a job running as root in
a container included), not a forger who puts size and mtime back (``os.utime``, ``touch -r``,
``cp -p``): only the file's owner or root can, after making the read-only file writable again, and
they can write the catalog's file directly anyway. ctime (which only root can set back) is not
compared on purpose: removing any inserted copy (a project's ``datasets/<owner>-<name>`` deleted, or
replaced by a new insert) changes the shared inode's link count and so its ctime, so every user who
removed their copy would mark the dataset changed for everyone. Only a reflink (or a copy) keeps the
catalog's file out of reach of a write through an insert."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from ..atomic import write_atomic
from ..errors import BadRequest
from ..loaders import load_json_file

MANIFEST = ".mo_files.json"
SPEC = "dataset.yml"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def current(folder: Path) -> dict[str, list[int]]:
    """``{relative path: [size, mtime_ns]}`` of the data files (hidden ones and dataset.yml left out,
    links not followed), in walk order: a folder's files, then its sub-folders, by name."""
    out: dict[str, list[int]] = {}
    top = str(folder)
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = os.path.relpath(dirpath, top)
        for name in sorted(filenames):
            if name.startswith(".") or (name == SPEC and dirpath == top):
                continue
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            out[rel] = [st.st_size, st.st_mtime_ns]
    return out


def record(folder: Path, files: dict[str, list[int]] | None = None) -> None:
    """Remember the files as they are now (after an import, or when the owner puts it online)."""
    files = current(folder) if files is None else files
    write_atomic(folder / MANIFEST, orjson.dumps({"version": 1, "files": files}))


def recorded(folder: Path) -> dict[str, list[int]] | None:
    """The record, or None when there is none (or it cannot be read: then it is treated as absent)."""
    if not os.path.lexists(folder / MANIFEST):
        return None
    try:
        data = load_json_file(folder / MANIFEST, max_bytes=MAX_MANIFEST_BYTES, max_depth=4)
    except BadRequest:
        return None
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else None


def changes(was: dict[str, list[int]], now: dict[str, list[int]], limit: int = 5) -> list[str]:
    """What differs, in words (at most ``limit`` names, then a count)."""
    changed = sorted(rel for rel in was.keys() & now.keys() if list(was[rel]) != list(now[rel]))
    gone = sorted(was.keys() - now.keys())
    added = sorted(now.keys() - was.keys())
    words = []
    for label, names in (("changed", changed), ("missing", gone), ("new", added)):
        if names:
            shown = ", ".join(n[:200] for n in names[:limit])
            more = f" and {len(names) - limit} more" if len(names) > limit else ""
            words.append(f"{label}: {shown}{more}")
    return words
