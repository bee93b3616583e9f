"""Putting a folder in place all at once: build it in a hidden sibling, then rename. Datasets are
reflinked (cloned) where the file system can, else hard-linked file by file where the catalog keeps a
manifest of them (no copy, and unlike a symlink the link works inside a job container that mounts only
the project), else copied (another file system, a catalog we cannot keep a manifest in)."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import tempfile
from pathlib import Path

import orjson

from ..errors import BadRequest, Conflict, NotFound
from ..loaders import load_json_file
from ..paths import resolve_in_root


def read_marker(path: Path) -> dict:
    """An insertion's marker file (the project's: anyone may have written it), or {}."""
    if not os.path.lexists(path):
        return {}
    try:
        data = load_json_file(path, max_bytes=64 * 1024, max_depth=8)
    except BadRequest:
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


def link_tree(src: Path, dest: Path) -> None:
    """A hard-linked twin of ``src`` at ``dest`` (copies where links fail; links left out): a cheap
    view of files that are not to be written, e.g. for a format check."""
    def link_or_copy(source, target):
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    shutil.copytree(src, dest, symlinks=True, ignore=_no_links, copy_function=link_or_copy)


def _read_only(path: Path) -> None:
    try:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except OSError:  # a file we may not change (a read-only catalog): it is read-only already
        pass


FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
_NO_REFLINK = (errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EBADF)
_NO_LINK = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES)


def reflink(source: Path, target: Path) -> bool:
    """Make ``target`` a copy-on-write clone of ``source`` (btrfs, XFS with reflink, bcachefs...):
    no data is copied, and a write to either never reaches the other. False where the file system
    cannot (nothing is left at ``target`` then)."""
    if not hasattr(fcntl, "ioctl") or os.name != "posix":
        return False
    with open(source, "rb") as src:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.ioctl(fd, FICLONE, src.fileno())
        except OSError as exc:
            os.close(fd)
            target.unlink()
            if exc.errno in _NO_REFLINK:
                return False
            raise
        os.close(fd)
    shutil.copystat(source, target)
    return True


def link_tree_atomic(src: Path, dest: Path, marker: tuple[str, dict], *, hard_links: bool,
                     skip_prefix: str = ".mo") -> str:
    """Put every regular file of src under dest, read-only, in one rename; links and our own hidden
    files (``.mo*``) are left out. Per file, the first that works of: a reflink (a clone: writes
    never reach the catalog), a hard link (only with ``hard_links``: the same inode, so the
    catalog's original is made read-only too, and its manifest tells a changed one), a copy.
    Returns the weakest used: "reflink", "link" or "copy"."""
    tmp = _staging(dest)
    used: set[str] = set()
    can_reflink, can_link = True, hard_links
    try:
        inner = tmp / "x"
        inner.mkdir()
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(skip_prefix))
            rel = Path(dirpath).relative_to(src)
            (inner / rel).mkdir(exist_ok=True)
            for name in sorted(filenames):
                source = Path(dirpath) / name
                if name.startswith(skip_prefix) or source.is_symlink() or not source.is_file():
                    continue
                target = inner / rel / name
                if can_reflink:
                    can_reflink = reflink(source, target)  # a file system either can or cannot
                    if can_reflink:
                        used.add("reflink")
                        _read_only(target)
                        continue
                if can_link:
                    _read_only(source)  # shared inode: make the catalog's copy read-only too
                    try:
                        os.link(source, target)
                        used.add("link")
                        continue
                    except OSError as exc:
                        if exc.errno not in _NO_LINK:
                            raise
                shutil.copy2(source, target)
                _read_only(target)
                used.add("copy")
        mode = next((m for m in ("copy", "link", "reflink") if m in used), "reflink" if can_reflink else "link")
        (inner / marker[0]).write_bytes(orjson.dumps({**marker[1], "mode": mode}, option=orjson.OPT_INDENT_2))
        swap_in(inner, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return mode
