"""Datasets (seed 003, 2.1): search, details, create / edit / delete, online / offline, permission,
archive import with a format check, and insertion into a project as read-only hard links."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import yaml

from .. import schemas
from ..atomic import write_atomic
from ..errors import BadRequest, Conflict, Forbidden, NotFound
from ..paths import resolve_in_root
from . import archives
from .cells import dataset_cell
from .checks import META_FILES, check_dataset
from .copying import insertion_target, link_tree_atomic, read_marker
from .index import DATASET_SPEC, CatalogIndex, DatasetEntry, dir_stats
from .roots import Catalogs

MARKER = ".mo_dataset.json"
KEY_ORDER = ("name", "owner", "version", "description", "tags", "purpose", "label_type", "format",
             "test_set", "permission", "status", "license", "source")
MAX_FILES_LISTED = 1000


def _ordered(meta: dict) -> dict:
    return {k: meta[k] for k in KEY_ORDER if k in meta}


def write_spec(folder: Path, meta: dict) -> None:
    text = yaml.safe_dump(_ordered(meta), sort_keys=False, allow_unicode=True)
    write_atomic(folder / DATASET_SPEC, text)


class DatasetCatalog:
    def __init__(self, root: Path, catalogs: Catalogs, index: CatalogIndex,
                 limits: archives.Limits = archives.Limits()):
        self.root = Path(root)
        self.catalogs = catalogs
        self.index = index
        self.limits = limits
        self._write_lock = threading.Lock()  # one metadata change at a time (read, merge, write)

    # ---- reading --------------------------------------------------------------------------
    def _visible(self, entry: DatasetEntry) -> bool:
        mine = entry.owner == self.catalogs.owner
        return mine or (entry.meta.get("permission") != "private" and entry.meta.get("status") == "online")

    def summary(self, entry: DatasetEntry) -> dict:
        return {**entry.meta, "id": entry.id, "catalog": entry.root.name,
                "writable": entry.root.writable and entry.owner == self.catalogs.owner,
                "size": entry.size, "file_count": entry.file_count}

    def list(self, query: str = "", limit: int = 50, status: str | None = None) -> dict:
        if status not in (None, "", "online", "offline"):
            raise BadRequest("'status' must be online or offline")
        visible = (lambda e: self._visible(e) and (not status or e.meta.get("status") == status))
        items, total = self.index.search(self.index.datasets(), query, min(limit, 500), visible)
        return {"items": [self.summary(e) for e in items], "total": total}

    def find(self, owner: str, name: str) -> DatasetEntry:
        entry = self.index.datasets().get(f"{owner}/{name}")
        if entry is None or not self._visible(entry):
            raise NotFound(f"no dataset '{owner}/{name}'")
        return entry

    def get(self, owner: str, name: str) -> dict:
        entry = self.find(owner, name)
        files, found, size = [], 0, 0
        for dirpath, dirnames, filenames in os.walk(entry.path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fname in sorted(filenames):
                if fname.startswith(".") or (dirpath == str(entry.path) and fname == DATASET_SPEC):
                    continue
                path = Path(dirpath) / fname
                found, nbytes = found + 1, path.lstat().st_size
                size += nbytes
                if len(files) < MAX_FILES_LISTED:
                    files.append({"path": path.relative_to(entry.path).as_posix(), "size": nbytes})
        problems = check_dataset(entry.path, entry.meta)
        return {**self.summary(entry), "size": size, "file_count": found, "files": files,
                "truncated": found > len(files),
                "check": {"ok": not problems, "problems": problems},
                "archives": [f["path"] for f in files if archives.is_archive(f["path"])]}

    # ---- management -----------------------------------------------------------------------
    def _mine(self, owner: str, name: str) -> DatasetEntry:
        entry = self.find(owner, name)
        if not entry.root.writable:
            raise Forbidden(f"dataset '{entry.id}' is in the read-only catalog '{entry.root.name}'")
        if entry.owner != self.catalogs.owner:
            raise Forbidden(f"dataset '{entry.id}' belongs to '{entry.owner}'")
        return entry

    def create(self, body: dict) -> dict:
        meta = {"owner": self.catalogs.owner, "version": "1.0.0", "description": "", "tags": [],
                "permission": "private", **body, "status": "offline"}
        schemas.validate("dataset", meta)
        if meta["owner"] != self.catalogs.owner:
            raise Forbidden(f"you ('{self.catalogs.owner}') can only create datasets of your own")
        if meta["permission"] == "preset":
            raise Forbidden("permission 'preset' is for the built-in catalog; use private or public")
        if f"{meta['owner']}/{meta['name']}" in self.index.datasets():
            raise Conflict(f"dataset '{meta['owner']}/{meta['name']}' already exists")
        folder = self.catalogs.user.datasets() / meta["owner"] / meta["name"]
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir()
        except FileExistsError:
            raise Conflict(f"'{folder}' already exists (its dataset.yml does not load: "
                           f"{self.index.problems.get(str(folder / DATASET_SPEC), 'unknown')})") from None
        write_spec(folder, meta)
        self.index.refresh()
        return self.get(meta["owner"], meta["name"])

    def update(self, owner: str, name: str, changes: dict) -> dict:
        with self._write_lock:
            self._update(owner, name, changes)
        return self.get(owner, name)

    def _update(self, owner: str, name: str, changes: dict) -> None:
        self.index.refresh()  # merge into what is on disk now, not into an old snapshot
        entry = self._mine(owner, name)
        for key in ("name", "owner"):
            if key in changes and changes[key] != entry.meta.get(key):
                raise BadRequest(f"'{key}' cannot change; create a new dataset instead")
        meta = {**entry.meta, **changes}
        meta = {k: v for k, v in meta.items() if v is not None}
        schemas.validate("dataset", meta)
        if meta["permission"] == "preset" and entry.meta.get("permission") != "preset":
            raise Forbidden("permission 'preset' is for the built-in catalog; use private or public")
        if meta["status"] == "online":
            problems = check_dataset(entry.path, meta)
            if problems:
                raise Conflict(f"'{entry.id}' cannot go online:\n" + "\n".join(f"- {p}" for p in problems),
                               reason="check")
        write_spec(entry.path, meta)
        self.index.refresh()

    def delete(self, owner: str, name: str) -> None:
        entry = self._mine(owner, name)
        trash = Path(tempfile.mkdtemp(prefix=".mo-deleted-", dir=entry.path.parent))
        os.replace(entry.path, trash / name)  # gone at once; the files go after
        shutil.rmtree(trash, ignore_errors=True)
        self.index.refresh()

    def import_archive(self, owner: str, name: str, archive: Path, part: str = "train") -> dict:
        with self._write_lock:
            self._import(owner, name, archive, part)
        return self.get(owner, name)

    def _import(self, owner: str, name: str, archive: Path, part: str) -> None:
        entry = self._mine(owner, name)
        independent = entry.meta.get("test_set") == "independent"
        if part not in ("train", "test"):
            raise BadRequest("'part' must be train or test")
        if part == "test" and not independent:
            raise BadRequest(f"'{entry.id}' has no independent test set (test_set: {entry.meta.get('test_set')})")
        if independent:
            archives.extract(archive, entry.path / part, self.limits, replace=True, strip_single_root=True)
        else:
            staging = Path(tempfile.mkdtemp(prefix=".mo-import-", dir=entry.path))
            try:
                archives.extract(archive, staging / "new", self.limits, strip_single_root=True)
                for old in entry.path.iterdir():
                    if old.name not in META_FILES and not old.name.startswith("."):
                        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
                for new in (staging / "new").iterdir():
                    if new.name == DATASET_SPEC or new.name.startswith("."):
                        continue  # the metadata is managed, never taken from an archive
                    os.replace(new, entry.path / new.name)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        if entry.meta.get("status") == "online" and check_dataset(entry.path, entry.meta):
            write_spec(entry.path, {**entry.meta, "status": "offline"})  # new files fail the check
        os.utime(entry.path)
        self.index.refresh()

    # ---- use in a project -----------------------------------------------------------------
    def insert(self, owner: str, name: str, notebook: str, replace: bool = False) -> dict:
        entry = self.find(owner, name)
        if entry.meta.get("status") != "online":
            raise Conflict(f"dataset '{entry.id}' is offline; only online datasets can be inserted", reason="offline")
        target, target_rel = insertion_target(self.root, notebook, "datasets", f"{entry.owner}-{entry.name}")
        size, count = dir_stats(entry.path)  # fresh: files may have changed since the last scan
        stamp = [entry.meta.get("version"), size, count, (entry.path / DATASET_SPEC).stat().st_mtime_ns]
        wanted = {"id": entry.id, "stamp": stamp}
        mode = "existing"
        if target.exists():
            have = read_marker(target / MARKER)
            if have.get("id") != entry.id and not replace:
                held = f"dataset {have['id']}" if have.get("id") else "files not inserted by mo_jupyter"
                raise Conflict(f"'{target_rel}' already holds {held}", reason="exists")
            if have.get("stamp") != stamp or have.get("id") != entry.id:
                mode = None
        if mode is None or not target.exists():
            mode = link_tree_atomic(entry.path, target, (MARKER, {**wanted, "inserted": time.time()}))
        return {"target": target_rel, "mode": mode, "cell": dataset_cell(entry.meta, target, target_rel)}

    def extract(self, archive: str, dest: str | None = None) -> dict:
        src, src_rel = resolve_in_root(self.root, archive)
        if not src.is_file() or not archives.is_archive(src.name):
            raise BadRequest(f"'{src_rel}' is not an archive ({', '.join(archives.ARCHIVE_SUFFIXES)})")
        default = (Path(src_rel).parent / archives.archive_stem(src.name)).as_posix()
        dest_path, dest_rel = resolve_in_root(self.root, dest or default, must_exist=False)
        # The usual archive holds one folder named like itself (star-face.zip: star-face/...): into
        # a folder of that name its contents land in ./star-face, not ./star-face/star-face.
        strip = dest_path.name == archives.archive_stem(src.name)
        done = archives.extract(src, dest_path, self.limits, strip_single_root=strip)
        return {"dest": dest_rel, "files": done.files, "bytes": done.bytes}
