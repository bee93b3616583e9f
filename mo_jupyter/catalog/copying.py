"""Putting a folder in place all at once: build it in a hidden sibling, then rename. Datasets are
hard-linked file by file (no copy, and unlike a symlink the link works inside a job container that
mounts only the project); where links cannot be made (another file system) the files are copied."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

import orjson


def read_marker(path: Path) -> dict:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _swap_in(tmp: Path, dest: Path) -> None:
    old = None
    if dest.exists() or dest.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=".mo-old-", dir=dest.parent))
        os.replace(dest, old / "x")
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _staging(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".mo-tmp-", dir=dest.parent))


def copy_tree_atomic(src: Path, dest: Path, ignore=None, marker: tuple[str, dict] | None = None) -> None:
    tmp = _staging(dest)
    try:
        inner = tmp / "x"
        shutil.copytree(src, inner, ignore=ignore, symlinks=False)
        if marker:
            (inner / marker[0]).write_bytes(orjson.dumps(marker[1], option=orjson.OPT_INDENT_2))
        _swap_in(inner, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_only(path: Path) -> None:
    try:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except OSError:  # a file we may not change (a read-only catalog): it is read-only already
        pass


def link_tree_atomic(src: Path, dest: Path, marker: tuple[str, dict], skip=(".mo_meta.json",)) -> str:
    """Hard-link every regular file of src under dest (copy where linking fails); files end up
    read-only. Returns "link" when nothing had to be copied, else "copy"."""
    tmp = _staging(dest)
    mode = "link"
    try:
        inner = tmp / "x"
        inner.mkdir()
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".mo-"))
            rel = Path(dirpath).relative_to(src)
            (inner / rel).mkdir(exist_ok=True)
            for name in sorted(filenames):
                source = Path(dirpath) / name
                if name in skip or not source.is_file() or source.is_symlink():
                    continue
                target = inner / rel / name
                _read_only(source)  # shared inode: make the catalog's copy read-only too
                try:
                    os.link(source, target)
                except OSError as exc:
                    if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
                        raise
                    shutil.copy2(source, target)
                    _read_only(target)
                    mode = "copy"
        (inner / marker[0]).write_bytes(orjson.dumps({**marker[1], "mode": mode}, option=orjson.OPT_INDENT_2))
        _swap_in(inner, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return mode
