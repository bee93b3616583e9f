"""A model's files: found in the project (never through a link, never outside the root), copied into
the model's own folder with their sha256, and zipped for a download.

Copies, not links: the model must outlive the job's folder, a re-run that overwrites ``results/``,
and a user who deletes the file. The hash is of the bytes copied (read once)."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import BadRequest, TooLarge, cut
from ..paths import check_path_text

CHUNK = 1024 * 1024
SKIPPED_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".git"})
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 8 * 1024**3  # all files of one version together
    max_files: int = 10_000


@dataclass(frozen=True)
class Source:
    path: Path  # absolute, inside the root, reached without a link
    inner: str  # its path inside the model's files/ folder (POSIX)
    rel: str  # its path relative to the root (POSIX), for the record


def locate(root: Path, path: str, what: str = "the path") -> tuple[Path, str]:
    """``path`` (relative to ``root``, or absolute inside it) as (absolute path, relative POSIX
    path): BadRequest when it leaves the root, passes through or is a link, or is missing."""
    if not isinstance(path, str) or not path.strip():
        raise BadRequest(f"{what} is required")
    check_path_text(path)
    root = Path(os.path.realpath(root))
    rel = os.path.normpath(os.path.relpath(os.path.normpath(path), root) if os.path.isabs(path) else path)
    if rel == "." or rel == ".." or rel.startswith("../") or os.path.isabs(rel):
        raise BadRequest(f"'{cut(path, 300)}' is outside the project")
    current = root
    for part in Path(rel).parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            raise BadRequest(f"no such file or folder in the project: '{cut(path, 300)}'") from None
        except NotADirectoryError:
            raise BadRequest(f"'{cut(path, 300)}' passes through a file") from None
        if stat.S_ISLNK(mode):
            raise BadRequest(f"'{cut(Path(rel).as_posix(), 300)}' is or passes through a link; register the "
                             "file itself (links are never followed)")
    return current, Path(rel).as_posix()


def sources(root: Path, path: str, limits: Limits) -> list[Source]:
    """The regular files of ``path`` (a file, or every file under a folder; links and special files
    left out), each with the path it gets in the model (``model.npz``; a folder's files under its
    name: ``saved_model/variables/...``). BadRequest when there is none."""
    target, rel = locate(root, path)
    if target.is_file():
        return [Source(target, target.name, rel)]
    if not target.is_dir():
        raise BadRequest(f"'{cut(rel, 300)}' is neither a file nor a folder")
    out: list[Source] = []
    for folder, dirs, files in os.walk(target):  # never descends into a linked folder
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not os.path.islink(os.path.join(folder, d)))
        for name in sorted(files):
            full = Path(folder) / name
            try:
                if not stat.S_ISREG(os.lstat(full).st_mode):
                    continue  # a link, a fifo, a socket: not part of a model
            except OSError:
                continue
            inner = full.relative_to(target).as_posix()
            out.append(Source(full, f"{target.name}/{inner}", f"{rel}/{inner}"))
            if len(out) > limits.max_files:
                raise TooLarge(f"'{cut(rel, 200)}' holds more than {limits.max_files} files")
    if not out:
        raise BadRequest(f"the folder '{cut(rel, 300)}' holds no files")
    return out


def copy_files(items: list[Source], dest: Path, limits: Limits) -> list[dict]:
    """Copy each file into ``dest`` (a new, empty folder), hashing what is copied; the files'
    entries of the record (path, size, sha256, source). TooLarge past ``limits.max_bytes``."""
    total, entries = 0, []
    for item in items:
        target = dest / item.inner
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            fd = os.open(item.path, OPEN_FLAGS)
        except OSError as exc:
            raise BadRequest(f"'{cut(item.rel, 300)}' cannot be read: {exc.strerror or 'error'}") from None
        with open(fd, "rb") as src:
            if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                raise BadRequest(f"'{cut(item.rel, 300)}' is not a regular file")
            out_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with open(out_fd, "wb") as out:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if total > limits.max_bytes:
                        raise TooLarge(f"the model's files are over {limits.max_bytes // 1024**2} MiB together")
                    digest.update(chunk)
                    out.write(chunk)
        entries.append({"path": item.inner, "size": size, "sha256": digest.hexdigest(), "source": item.rel})
    return entries


def sha256_of(path: Path, max_bytes: int = 64 * 1024**2) -> str | None:
    """The sha256 of a regular file of at most ``max_bytes`` (a job's code), else None."""
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError:
        return None
    with open(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        digest = hashlib.sha256()
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def build_zip(files_dir: Path, entries: list[dict]) -> IO[bytes]:
    """A temporary file (deleted when closed) holding a zip of the version's files, at offset 0."""
    tmp = tempfile.TemporaryFile(prefix="mo-model-", suffix=".zip")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1,
                             allowZip64=True) as archive:
            for entry in entries:
                fd = os.open(files_dir / entry["path"], OPEN_FLAGS)  # the record's paths were checked
                with open(fd, "rb") as src:
                    if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                        raise BadRequest(f"the model's file {cut(entry['path'], 200)} is not a regular file")
                    stamp = time.localtime(max(os.fstat(src.fileno()).st_mtime, 315532800))  # zip: from 1980
                    info = zipfile.ZipInfo(entry["path"], stamp[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    with archive.open(info, "w", force_zip64=True) as out:
                        while chunk := src.read(CHUNK):
                            out.write(chunk)
        tmp.seek(0)
        return tmp
    except BaseException:
        tmp.close()
        raise
