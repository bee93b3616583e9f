"""Datasets (seed 003, 2.1): search, details, create / edit / delete, online / offline, permission,
archive import with a format check, and insertion into a project as read-only reflinks or hard links
(see copying.py), guarded by a manifest of the files (manifest.py).

Changes and reads of one dataset are ordered by per-dataset locks (locks.py): an import extracts and
checks its archive aside, then renames the new files in while no reader reads, so details, insert and
the format check see the dataset before the import or after it, never half of each."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from .. import schemas
from ..atomic import write_atomic
from ..errors import BadRequest, Conflict, Forbidden, NotFound, cut
from ..paths import resolve_in_root
from . import archives, locks, manifest
from .cells import dataset_cell
from .checks import META_FILES, check_dataset
from .copying import insertion_target, link_tree, link_tree_atomic, read_marker
from .index import DATASET_SPEC, CatalogIndex, DatasetEntry
from .roots import Catalogs
from .specs import dump_yaml

MARKER = ".mo_dataset.json"
KEY_ORDER = ("name", "owner", "version", "description", "tags", "purpose", "label_type", "format",
             "test_set", "permission", "status", "license", "source")
MAX_FILES_LISTED = 1000


def _ordered(meta: dict) -> dict:
    return {k: meta[k] for k in KEY_ORDER if k in meta}


def spec_text(meta: dict) -> str:
    """dataset.yml's text; refused (TooLarge) when the loader would not read it back."""
    return dump_yaml(_ordered(meta), DATASET_SPEC)


def write_spec(folder: Path, meta: dict) -> None:
    write_atomic(folder / DATASET_SPEC, spec_text(meta))


class DatasetCatalog:
    def __init__(self, root: Path, catalogs: Catalogs, index: CatalogIndex,
                 limits: archives.Limits = archives.Limits()):
        self.root = Path(root)
        self.catalogs = catalogs
        self.index = index
        self.limits = limits

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
            raise NotFound(f"no dataset '{cut(owner, 100)}/{cut(name, 100)}'")
        return entry

    def get(self, owner: str, name: str) -> dict:
        entry = self.find(owner, name)
        with locks.reading(entry.path, entry.id, entry.root.writable):
            now = manifest.current(entry.path)
            problems = check_dataset(entry.path, entry.meta) + self._changed_originals(entry, now)
        files = [{"path": rel, "size": stamp[0]} for rel, stamp in list(now.items())[:MAX_FILES_LISTED]]
        size, found = sum(stamp[0] for stamp in now.values()), len(now)
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
        dataset_id = f"{meta['owner']}/{meta['name']}"
        if dataset_id in self.index.datasets():
            raise Conflict(f"dataset '{dataset_id}' already exists")
        text = spec_text(meta)  # refused before anything is written when it would not load again
        folder = self.catalogs.user.datasets() / meta["owner"] / meta["name"]
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir()
        except FileExistsError:
            why = self.index.problems.get(str(folder / DATASET_SPEC), "it is being made")
            raise Conflict(f"a folder for '{dataset_id}' already exists (its dataset.yml does not load: "
                           f"{cut(why, 300)})") from None
        write_atomic(folder / DATASET_SPEC, text)
        self.index.refresh()
        return self.get(meta["owner"], meta["name"])

    def update(self, owner: str, name: str, changes: dict) -> dict:
        entry = self._mine(owner, name)
        with locks.writing(entry.path, entry.id):
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
        text = spec_text(meta)
        if meta["status"] == "online":
            problems = check_dataset(entry.path, meta)
            if problems:
                raise Conflict(f"'{entry.id}' cannot go online:\n" + "\n".join(f"- {p}" for p in problems),
                               reason="check")
            manifest.record(entry.path)  # its owner puts it online: these are its files now
        write_atomic(entry.path / DATASET_SPEC, text)
        self.index.refresh()

    def delete(self, owner: str, name: str) -> None:
        entry = self._mine(owner, name)
        with locks.writing(entry.path, entry.id), locks.swapping(entry.path, entry.id):
            trash = Path(tempfile.mkdtemp(prefix=".mo-deleted-", dir=entry.path.parent))
            os.replace(entry.path, trash / name)  # gone at once; the files go after
        shutil.rmtree(trash, ignore_errors=True)
        self.index.refresh()

    def import_archive(self, owner: str, name: str, archive: Path, part: str = "train") -> dict:
        entry = self._mine(owner, name)
        with locks.writing(entry.path, entry.id, wait=0):  # a second import at once: 409, not a queue
            self._import(owner, name, Path(archive), part)
        return self.get(owner, name)

    def _import(self, owner: str, name: str, archive: Path, part: str) -> None:
        self.index.refresh()
        entry = self._mine(owner, name)
        independent = entry.meta.get("test_set") == "independent"
        if part not in ("train", "test"):
            raise BadRequest("'part' must be train or test")
        if part == "test" and not independent:
            raise BadRequest(f"'{entry.id}' has no independent test set (test_set: {entry.meta.get('test_set')})")
        # Extract and check aside (readers go on with the old files), then swap in by renames.
        staging = Path(tempfile.mkdtemp(prefix=f".mo-import-{name}-", dir=entry.path.parent))
        try:
            view = staging / "view"
            if independent:
                archives.extract(archive, view / part, self.limits, strip_single_root=True)
                other = "test" if part == "train" else "train"
                if (entry.path / other).is_dir():  # the format check sees both parts, as they will be
                    link_tree(entry.path / other, view / other)
            else:
                archives.extract(archive, view, self.limits, strip_single_root=True)
            online = entry.meta.get("status") == "online"
            problems = check_dataset(view, entry.meta) if online else []
            with locks.swapping(entry.path, entry.id):
                self._swap(entry.path, view, staging / "old", [part] if independent else None)
                if problems:
                    write_spec(entry.path, {**entry.meta, "status": "offline"})  # new files fail the check
                manifest.record(entry.path)
                os.utime(entry.path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.index.refresh()

    @staticmethod
    def _swap(folder: Path, new: Path, old: Path, names: list[str] | None) -> None:
        """Move ``folder``'s data entries (or just ``names``) to ``old`` and ``new``'s into ``folder``;
        the metadata (dataset.yml, hidden files) is managed, never taken from an archive."""
        old.mkdir()
        (old / "meta").mkdir()
        for entry in sorted(folder.iterdir()):
            if names is None and entry.name not in META_FILES and not entry.name.startswith("."):
                os.replace(entry, old / entry.name)
        for item in sorted(new.iterdir()):
            if (names is not None and item.name not in names) or item.name == DATASET_SPEC \
                    or item.name.startswith("."):
                continue
            target = folder / item.name
            if os.path.lexists(target):  # README.md from the archive, or the part replaced
                os.replace(target, old / "meta" / item.name)
            os.replace(item, target)

    # ---- use in a project -----------------------------------------------------------------
    def _changed_originals(self, entry: DatasetEntry, now: dict) -> list[str]:
        was = manifest.recorded(entry.path)
        if was is None:
            return []
        changed = {rel: stamp for rel, stamp in was.items() if rel in now and list(stamp) != now[rel]}
        if not changed:
            return []
        return [f"files changed since the dataset was imported or put online "
                f"({'; '.join(manifest.changes(changed, {k: now[k] for k in changed}))}): a write through "
                "an inserted copy reaches the catalog's files; its owner can import it again, or put it "
                "online again to accept the files as they are"]

    def _links_allowed(self, entry: DatasetEntry, now: dict) -> bool:
        """Hard links only where the manifest guards the originals (written here if missing or if
        files were added or removed); the built-in catalog is copied (small, and not ours to guard)."""
        if entry.root.kind == "builtin":
            return False
        problems = self._changed_originals(entry, now)
        if problems:
            raise Conflict(f"dataset '{entry.id}' is not inserted: {problems[0]}", reason="changed")
        if manifest.recorded(entry.path) == now:
            return True
        try:
            manifest.record(entry.path, now)
            return True
        except OSError:  # a catalog we may not write: no manifest, so no shared inodes
            return False

    def insert(self, owner: str, name: str, notebook: str, replace: bool = False) -> dict:
        entry = self.find(owner, name)
        if entry.meta.get("status") != "online":
            raise Conflict(f"dataset '{entry.id}' is offline; only online datasets can be inserted", reason="offline")
        target, target_rel = insertion_target(self.root, notebook, "datasets", f"{entry.owner}-{entry.name}")
        with locks.reading(entry.path, entry.id, entry.root.writable):
            now = manifest.current(entry.path)  # fresh: files may have changed since the last scan
            hard_links = self._links_allowed(entry, now)
            size, count = sum(stamp[0] for stamp in now.values()), len(now)
            stamp = [entry.meta.get("version"), size, count, (entry.path / DATASET_SPEC).stat().st_mtime_ns]
            wanted = {"id": entry.id, "stamp": stamp}
            mode = "existing"
            if target.exists():
                have = read_marker(target / MARKER)
                if have.get("id") != entry.id and not replace:
                    held = f"dataset {cut(have['id'], 200)}" if have.get("id") else "files not inserted by mo_jupyter"
                    raise Conflict(f"'{cut(target_rel, 200)}' already holds {held}", reason="exists")
                if have.get("stamp") != stamp or have.get("id") != entry.id:
                    mode = None
            if mode is None or not target.exists():
                mode = link_tree_atomic(entry.path, target, (MARKER, {**wanted, "inserted": time.time()}),
                                        hard_links=hard_links)
        return {"target": target_rel, "mode": mode, "cell": dataset_cell(entry.meta, target, target_rel)}

    def extract(self, archive: str, dest: str | None = None) -> dict:
        src, src_rel = resolve_in_root(self.root, archive)
        if not src.is_file() or not archives.is_archive(src.name):
            raise BadRequest(f"'{cut(src_rel, 200)}' is not an archive ({', '.join(archives.ARCHIVE_SUFFIXES)})")
        default = (Path(src_rel).parent / archives.archive_stem(src.name)).as_posix()
        dest_path, dest_rel = resolve_in_root(self.root, dest or default, must_exist=False)
        # The usual archive holds one folder named like itself (star-face.zip: star-face/...): into
        # a folder of that name its contents land in ./star-face, not ./star-face/star-face.
        strip = dest_path.name == archives.archive_stem(src.name)
        done = archives.extract(src, dest_path, self.limits, strip_single_root=strip)
        return {"dest": dest_rel, "files": done.files, "bytes": done.bytes}
