"""Safe extraction of user-supplied archives (dataset uploads, ``.zip`` datasets).

* Links: every symlink and hardlink entry is refused, in tar and in zip (a zip symlink
  has ``S_IFLNK`` in ``external_attr``), even one pointing inside the destination; so
  are device files, fifos and sockets. Names are refused when absolute (``/x``,
  ``C:\\x``, ``\\\\server``) or holding ``..``, a backslash, a control character, an
  empty or dots-only segment, a segment over 255 bytes, or non-UTF-8 bytes; one leading
  ``./`` is dropped. Entries landing on the same path (NFC + case-folded, as on macOS)
  or under another entry's file are refused; repeated folders merge; ``__MACOSX/`` is
  skipped. A zip name without the UTF-8 flag is read as UTF-8 if it decodes, else cp437.
* Limits: declared sizes are checked while scanning, before anything is written; real
  bytes are counted again while writing and the copy stops once a limit is passed. The
  ratio applies per zip entry and to the whole archive (its file size), each only above
  1 MiB uncompressed; a tar has no per-entry compressed size, so only the whole one.
* All or nothing: entries go into a hidden ``.mo-extract-*`` folder beside ``dest``,
  renamed to ``dest`` on success and removed on any error (missing parents of ``dest``
  are created). Files get mode 0o644, folders 0o755.
"""

from __future__ import annotations

import errno
import lzma
import os
import re
import shutil
import stat
import struct
import tarfile
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadRequest, Conflict, cut

MiB = 1024 * 1024
_CHUNK = MiB
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_BY_LENGTH = sorted(ARCHIVE_SUFFIXES, key=len, reverse=True)
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, EOFError, OSError,
                zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError, ValueError,
                struct.error)
_DRIVE = re.compile(r"^[A-Za-z]:")
_ZIP_KINDS = {0: "file", stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink",
              stat.S_IFCHR: "device", stat.S_IFBLK: "device", stat.S_IFIFO: "fifo",
              stat.S_IFSOCK: "socket"}
_TAR_KINDS = ((tarfile.TarInfo.isreg, "file"), (tarfile.TarInfo.isdir, "dir"),
              (tarfile.TarInfo.issym, "symlink"), (tarfile.TarInfo.islnk, "hardlink"),
              (tarfile.TarInfo.ischr, "device"), (tarfile.TarInfo.isblk, "device"),
              (tarfile.TarInfo.isfifo, "fifo"))
_KIND_WORDS = {"symlink": "a symbolic link", "hardlink": "a hard link", "device": "a device file",
               "fifo": "a fifo", "socket": "a socket", "other": "of an unsupported type"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 4 * 1024**3  # total uncompressed bytes
    max_entries: int = 100_000  # number of entries (files + folders)
    max_ratio: float = 200.0  # uncompressed / compressed, whole archive and per entry > 1 MiB


@dataclass(frozen=True)
class Extracted:
    dest: Path
    files: int
    bytes: int


@dataclass
class _Entry:
    name: str  # as written in the archive, for messages
    kind: str  # "file", "dir", or a refused kind
    size: int  # declared uncompressed size
    csize: int | None  # compressed size (zip), None for tar
    ref: object  # ZipInfo / TarInfo
    parts: tuple[str, ...] = ()


def _short(name: str) -> str:
    """A name as messages quote it: repr'd, at most about 200 characters."""
    return cut(repr(name), 200)


def _suffix(name: str) -> str | None:
    low = name.lower()
    return next((s for s in _BY_LENGTH if low.endswith(s)), None)


def is_archive(name: str) -> bool:
    return _suffix(name) is not None


def archive_stem(name: str) -> str:
    """``"a/star-face.tar.gz"`` -> ``"star-face"``; a non-archive name keeps its suffix."""
    base = re.split(r"[/\\]", name)[-1]
    suffix = _suffix(base)
    return base[: len(base) - len(suffix)] if suffix else base


class _ZipReader:
    def __init__(self, path: Path):
        self.zf = zipfile.ZipFile(path)

    def members(self):
        for zi in self.zf.infolist():
            name = zi.filename
            if not zi.flag_bits & 0x800:
                try:
                    name = name.encode("cp437").decode("utf-8")
                except UnicodeError:
                    pass
            mode = zi.external_attr >> 16
            kind = _ZIP_KINDS.get(stat.S_IFMT(mode), "other")
            if zi.is_dir():
                kind = "dir" if kind in ("file", "dir") else kind
            if kind == "file" and zi.flag_bits & 0x1:
                raise BadRequest(f"refused: entry {_short(name)} is encrypted")
            yield _Entry(name, kind, 0 if kind == "dir" else zi.file_size, zi.compress_size, zi)

    def open(self, ref):
        return self.zf.open(ref)

    def close(self):
        self.zf.close()


class _TarReader:
    def __init__(self, path: Path):
        self.tf = tarfile.open(path, "r:*")

    def members(self):
        for ti in self.tf:
            kind = next((k for test, k in _TAR_KINDS if test(ti)), "other")
            yield _Entry(ti.name, kind, ti.size if kind == "file" else 0, None, ti)

    def open(self, ref):
        return self.tf.extractfile(ref)

    def close(self):
        self.tf.close()


def _parts(name: str, is_dir: bool) -> tuple[str, ...]:
    """The safe path segments of an entry name, or BadRequest naming the entry."""
    def refuse(why: str):
        raise BadRequest(f"refused: entry {_short(name)} {why}")

    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        refuse("is an absolute path")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        refuse("has a control character in its name")
    if "\\" in name:
        refuse("has a backslash in its name")
    try:
        name.encode("utf-8")
    except UnicodeError:
        refuse("has a name that is not valid UTF-8")
    rel = name[2:] if name.startswith("./") else name
    if is_dir and rel.endswith("/"):
        rel = rel[:-1]
    if is_dir and rel in ("", "."):
        return ()  # the root folder itself
    segments = rel.split("/")
    if ".." in segments:
        refuse("leaves the destination folder")
    for seg in segments:
        if seg == "":
            refuse("has an empty path segment")
        if set(seg) == {"."}:
            refuse(f"has the unsafe path segment {_short(seg)}")
        if len(seg.encode("utf-8")) > 255:
            refuse("has a path segment longer than 255 bytes")
    return tuple(segments)


def _refuse_ratio(what: str, size: int, csize: int, limits: Limits) -> None:
    if size > MiB and size > csize * limits.max_ratio:
        ratio = size / csize if csize else float("inf")
        raise BadRequest(f"refused: {what} expands {ratio:.0f}x (limit {limits.max_ratio:g}x)")


def _scan(reader, archive: Path, asize: int, limits: Limits) -> list[_Entry]:
    """Every entry, validated against names, kinds and the declared sizes."""
    entries, total = [], 0
    for count, e in enumerate(reader.members(), 1):
        if count > limits.max_entries:
            raise BadRequest(f"refused: entry {_short(e.name)} is past the limit of "
                             f"{limits.max_entries} entries")
        e.parts = _parts(e.name, e.kind == "dir")
        if e.kind not in ("file", "dir"):
            raise BadRequest(f"refused: entry {_short(e.name)} is {_KIND_WORDS[e.kind]}")
        total += e.size
        if total > limits.max_bytes:
            raise BadRequest(f"refused: entry {_short(e.name)} brings the total past "
                             f"{limits.max_bytes:,} bytes")
        if e.csize is not None:
            _refuse_ratio(repr(e.name), e.size, e.csize, limits)
        _refuse_ratio(f"{_short(archive.name)} (at entry {_short(e.name)})", total, asize, limits)
        if e.parts and e.parts[0] != "__MACOSX":
            entries.append(e)
    return entries


def _plan(entries: list[_Entry], strip_single_root: bool) -> list[_Entry]:
    """Strip the single root if asked, then refuse entries that collide."""
    roots = {e.parts[0] for e in entries}
    if strip_single_root and len(roots) == 1 and all(
            len(e.parts) > 1 or e.kind == "dir" for e in entries):
        for e in entries:
            e.parts = e.parts[1:]
        entries = [e for e in entries if e.parts]
    seen: dict[tuple[str, ...], _Entry] = {}
    kept = []
    for e in entries:
        key = tuple(unicodedata.normalize("NFC", p).casefold() for p in e.parts)
        other = seen.get(key)
        if other is not None:
            if e.kind == "dir" and other.kind == "dir":
                continue
            raise BadRequest(f"refused: entries {_short(other.name)} and {_short(e.name)} "
                             "map to the same path")
        seen[key] = e
        kept.append(e)
    for key, e in seen.items():
        for i in range(1, len(key)):
            parent = seen.get(key[:i])
            if parent is not None and parent.kind != "dir":
                raise BadRequest(f"refused: entry {_short(e.name)} sits under {_short(parent.name)}, "
                                 "which is a file")
    return kept


def _guard(call, archive: Path, entry: _Entry):
    """``call()``, with a read error turned into a BadRequest naming the entry."""
    try:
        return call()
    except _READ_ERRORS as exc:
        raise BadRequest(f"{_short(archive.name)} is corrupt at entry {_short(entry.name)}: "
                         f"{cut(exc, 200)}") from None


def _write(reader, entries, root: Path, archive: Path, asize: int, limits: Limits):
    files = total = 0
    made: set[tuple[str, ...]] = set()

    def mkdirs(parts):
        for i in range(1, len(parts) + 1):
            if parts[:i] not in made:
                folder = root.joinpath(*parts[:i])
                folder.mkdir(exist_ok=True)
                os.chmod(folder, 0o755)
                made.add(parts[:i])

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_BINARY", 0)
    for e in entries:
        if e.kind == "dir":
            mkdirs(e.parts)
            continue
        mkdirs(e.parts[:-1])
        target = root.joinpath(*e.parts)
        src = _guard(lambda: reader.open(e.ref), archive, e)
        with src, os.fdopen(os.open(target, flags, 0o644), "wb") as out:
            written = 0
            while chunk := _guard(lambda: src.read(_CHUNK), archive, e):
                written += len(chunk)
                total += len(chunk)
                if total > limits.max_bytes:
                    raise BadRequest(f"refused: entry {_short(e.name)} brings the total past "
                                     f"{limits.max_bytes:,} bytes")
                if e.csize is not None:
                    _refuse_ratio(repr(e.name), written, e.csize, limits)
                _refuse_ratio(f"{_short(archive.name)} (at entry {_short(e.name)})", total, asize, limits)
                out.write(chunk)
        os.chmod(target, 0o644)
        files += 1
    return files, total


def _make_folder(folder: Path) -> None:
    """``folder`` and its missing parents, or a BadRequest that says why not (no path in it: the
    caller's message names the destination)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise BadRequest("the destination's folder cannot be made: a part of its path is a file") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise BadRequest("the destination's path has a name longer than 255 bytes") from None
        raise


def _occupied(dest: Path) -> bool:
    """True when ``dest`` exists as anything but an empty real folder."""
    if not os.path.lexists(dest):
        return False
    return dest.is_symlink() or not dest.is_dir() or any(dest.iterdir())


def _commit(tmp: Path, dest: Path, replace: bool) -> None:
    if not _occupied(dest):
        if os.path.lexists(dest):
            dest.rmdir()
        os.rename(tmp, dest)
        return
    if not replace:
        raise Conflict(f"{_short(dest.name)} already exists and is not empty")
    old = tmp.with_name(tmp.name + ".old")
    os.rename(dest, old)
    try:
        os.rename(tmp, dest)
    except BaseException:
        os.rename(old, dest)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink()


def extract(archive: Path, dest: Path, limits: Limits = Limits(), *, replace: bool = False,
            strip_single_root: bool = False) -> Extracted:
    """Extract ``archive`` into ``dest``, all or nothing; see the module docstring."""
    archive, dest = Path(archive), Path(dest)
    suffix = _suffix(archive.name)
    if suffix is None:
        raise BadRequest(f"unsupported archive format {_short(archive.name)}: supported are "
                         + ", ".join(ARCHIVE_SUFFIXES))
    try:
        occupied = _occupied(dest)
    except OSError as exc:  # a name over 255 bytes, a file where a folder should be
        raise BadRequest(f"the destination {_short(dest.name)} cannot be used: {exc.strerror}") from None
    if not replace and occupied:
        raise Conflict(f"{_short(dest.name)} already exists and is not empty")
    try:
        asize = archive.stat().st_size
        reader = _ZipReader(archive) if suffix == ".zip" else _TarReader(archive)
    except _READ_ERRORS as exc:
        raise BadRequest(f"{_short(archive.name)} is not a readable archive: {cut(exc, 200)}") from None
    try:
        try:
            entries = _scan(reader, archive, asize, limits)
        except _READ_ERRORS as exc:
            raise BadRequest(f"{_short(archive.name)} is corrupt: {cut(exc, 200)}") from None
        entries = _plan(entries, strip_single_root)
        _make_folder(dest.parent)
        tmp = Path(tempfile.mkdtemp(prefix=".mo-extract-", dir=dest.parent))
        try:
            files, total = _write(reader, entries, tmp, archive, asize, limits)
            os.chmod(tmp, 0o755)
            _commit(tmp, dest, replace)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        reader.close()
    return Extracted(dest, files, total)
