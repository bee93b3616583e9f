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

from ..errors import BadRequest, Conflict, NotFound
from ..paths import resolve_in_root


def read_marker(path: Path) -> dict:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def insertion_target(root: Path, notebook: str, container: str, leaf: str) -> tuple[Path, str]:
    """``<the notebook's folder>/<container>/<leaf>`` (e.g. ``modules/iris_classifier``) and its
    path relative to the root. Refuses a ``container`` or ``leaf`` that is a link or a file, so an
    insertion (or a replace) never writes or deletes outside the project."""
    nb_path, nb_rel = resolve_in_root(root, notebook, must_exist=False)
    folder = nb_path if nb_path.is_dir() else nb_path.parent
    if not folder.is_dir():
        raise NotFound(f"no such folder in the project: '{Path(nb_rel).parent.as_posix()}'")
    real_root = Path(os.path.realpath(root))
    base = folder / container
    target = base / leaf
    rel = target.relative_to(real_root).as_posix()
    for path in (base, target):
        if path.is_symlink():
            raise BadRequest(f"'{path.relative_to(real_root).as_posix()}' is a symbolic link; "
                             "insertion only writes into real folders of the project")
        if path.exists() and not path.is_dir():
            raise Conflict(f"'{path.relative_to(real_root).as_posix()}' is a file, not a folder", reason="file")
    return target, rel


def _no_links(src: str, names: list[str]) -> set[str]:
    """copytree's ignore: links are never followed (a link to /etc/passwd stays out)."""
    return {n for n in names if os.path.islink(os.path.join(src, n))}


def swap_in(tmp: Path, dest: Path) -> None:
    """Put the folder ``tmp`` at ``dest`` by renames; an old ``dest`` is moved aside, then removed."""
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


def copy_tree_atomic(src: Path, dest: Path, ignore=None, marker: tuple[str, dict] | None = None,
                     *, exclusive: bool = False) -> None:
    """Copy src (links left out) to dest in one rename. ``exclusive``: never replace an existing dest."""
    tmp = _staging(dest)

    def skip(folder, names):
        return _no_links(folder, names) | set(ignore(folder, names) if ignore else ())

    try:
        inner = tmp / "x"
        shutil.copytree(src, inner, ignore=skip)
        if marker:
            (inner / marker[0]).write_bytes(orjson.dumps(marker[1], option=orjson.OPT_INDENT_2))
        if exclusive:
            try:
                os.mkdir(dest)  # atomic claim: fails if another writer got there first
            except FileExistsError:
                raise Conflict(f"'{dest.name}' already exists") from None
            os.replace(inner, dest)  # onto the empty folder we just made
        else:
            swap_in(inner, dest)
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
        swap_in(inner, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return mode
