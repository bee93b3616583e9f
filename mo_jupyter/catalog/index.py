"""An in-memory index of every module and dataset in the catalogs, and the search over it.

Scans read each spec once and keep it while the file's (mtime, size) stay the same, so a rescan of a
big shared catalog costs stats, not YAML parsing. Searches answer from the last snapshot at once; a
snapshot older than ``rescan_seconds`` is refreshed in a background thread (changes made through
this process refresh it immediately)."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MoError, cut
from ..loaders import load_json_file
from .roots import Catalogs, CatalogRoot, is_segment, semver_key
from .specs import load_dataset_spec, load_module_spec

log = logging.getLogger(__name__)

MODULE_SPEC = "module_spec.yml"
DATASET_SPEC = "dataset.yml"
PUBLISH_META = ".mo_meta.json"


@dataclass
class ModuleVersion:
    version: str
    root: CatalogRoot
    path: Path
    spec: dict


@dataclass
class ModuleEntry:
    owner: str
    name: str
    versions: list[ModuleVersion] = field(default_factory=list)  # newest first
    hay: str = ""

    @property
    def id(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def latest(self) -> ModuleVersion:
        return self.versions[0]


@dataclass
class DatasetEntry:
    owner: str
    name: str
    root: CatalogRoot
    path: Path
    meta: dict
    size: int
    file_count: int
    hay: str = ""

    @property
    def id(self) -> str:
        return f"{self.owner}/{self.name}"


def _children(path: Path):
    try:
        with os.scandir(path) as it:
            return sorted((e for e in it if e.is_dir(follow_symlinks=False) and is_segment(e.name)),
                          key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []


def dir_stats(path: Path) -> tuple[int, int]:
    """(bytes, files) of a dataset's data: regular files, hidden ones and dataset.yml skipped."""
    size = count = 0
    top = str(path)
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or (name == DATASET_SPEC and dirpath == top):
                continue
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            size += st.st_size
            count += 1
    return size, count


def _hay(*parts) -> str:
    out = []
    for part in parts:
        if isinstance(part, (list, tuple)):
            out.extend(str(p) for p in part)
        elif part:
            out.append(str(part))
    return " ".join(out).lower()


class CatalogIndex:
    def __init__(self, catalogs: Catalogs, rescan_seconds: float = 10.0):
        self.catalogs = catalogs
        self.rescan_seconds = rescan_seconds
        self._cache: dict[str, tuple] = {}  # spec path -> (stamp, parsed or None)
        self._modules: dict[str, ModuleEntry] = {}
        self._datasets: dict[str, DatasetEntry] = {}
        self._scanned_at = 0.0
        self._lock = threading.Lock()
        self._scanning = False
        self.problems: dict[str, str] = {}  # spec path -> why it was skipped

    # ---- scanning -------------------------------------------------------------------------
    def _parsed(self, path: Path, loader):
        key = str(path)
        try:
            st = path.stat()
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            parsed = loader(path)
            self.problems.pop(key, None)
        except Exception as exc:  # one bad entry must never hide the rest of the catalogs
            parsed = None
            why = exc.message if isinstance(exc, MoError) else f"cannot be read ({type(exc).__name__})"
            self.problems[key] = cut(why, 500)
            log.warning("mo_jupyter catalog: skipping %s: %s", cut(key, 300), self.problems[key])
        self._cache[key] = (stamp, parsed)
        return parsed

    def _scan_modules(self) -> dict[str, ModuleEntry]:
        entries: dict[str, ModuleEntry] = {}
        for root in self.catalogs.roots:
            for owner in _children(root.modules()):
                for name in _children(Path(owner.path)):
                    for ver in _children(Path(name.path)):
                        path = Path(ver.path)
                        spec = self._parsed(path / MODULE_SPEC, load_module_spec)
                        if spec is None or spec.get("name") != name.name or spec.get("version") != ver.name:
                            if spec is not None:
                                self.problems[str(path / MODULE_SPEC)] = "name/version differ from the folder"
                            continue
                        meta = self._parsed(path / PUBLISH_META, _load_meta) or {}
                        spec = {**spec, **meta}
                        key = f"{owner.name}/{name.name}"
                        entry = entries.setdefault(key, ModuleEntry(owner.name, name.name))
                        if all(v.version != ver.name for v in entry.versions):  # earlier catalogs win
                            entry.versions.append(ModuleVersion(ver.name, root, path, spec))
        for entry in entries.values():
            entry.versions.sort(key=lambda v: semver_key(v.version), reverse=True)
            spec = entry.latest.spec
            entry.hay = _hay(entry.name, entry.owner, spec.get("description"), spec.get("tags"))
        return entries

    def _scan_datasets(self) -> dict[str, DatasetEntry]:
        entries: dict[str, DatasetEntry] = {}
        for root in self.catalogs.roots:
            for owner in _children(root.datasets()):
                for name in _children(Path(owner.path)):
                    key = f"{owner.name}/{name.name}"
                    if key in entries:
                        continue
                    path = Path(name.path)
                    meta = self._parsed(path / DATASET_SPEC, load_dataset_spec)
                    if meta is None:
                        continue
                    if meta.get("name") != name.name or meta.get("owner") != owner.name:
                        self.problems[str(path / DATASET_SPEC)] = "name/owner differ from the folder"
                        continue
                    size, count = self._stats(path)
                    entries[key] = DatasetEntry(owner.name, name.name, root, path, meta, size, count,
                                                _hay(name.name, owner.name, meta.get("description"),
                                                     meta.get("tags"), meta.get("purpose"), meta.get("format")))
        return entries

    def _stats(self, path: Path) -> tuple[int, int]:
        key = f"stats:{path}"
        try:
            stamp = (path.stat().st_mtime_ns, (path / DATASET_SPEC).stat().st_mtime_ns)
        except OSError:
            return 0, 0
        cached = self._cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        stats = dir_stats(path)
        self._cache[key] = (stamp, stats)
        return stats

    def refresh(self) -> None:
        """Rescan now (after a change made by this process)."""
        with self._lock:
            by_name = (lambda item: (item[1].name.lower(), item[1].owner))  # noqa: E731
            modules = dict(sorted(self._scan_modules().items(), key=by_name))
            datasets = dict(sorted(self._scan_datasets().items(), key=by_name))
            self._modules, self._datasets = modules, datasets
            self._scanned_at = time.monotonic()

    def _background_refresh(self) -> None:
        try:
            self.refresh()
        except Exception:  # a scan must never take the server down; the old snapshot stays
            log.exception("mo_jupyter catalog: rescan failed")
        finally:
            self._scanning = False

    def warm(self) -> None:
        """Scan in the background now (at server start), so the first search finds an index."""
        if not self._scanned_at and not self._scanning:
            self._scanning = True
            threading.Thread(target=self._background_refresh, daemon=True, name="mo-catalog-scan").start()

    def _fresh(self) -> None:
        if not self._scanned_at:
            self.refresh()  # waits for a warm-up scan under way (the lock), then rescans from cache
        elif time.monotonic() - self._scanned_at > self.rescan_seconds and not self._scanning:
            self._scanning = True
            threading.Thread(target=self._background_refresh, daemon=True, name="mo-catalog-scan").start()

    # ---- reading --------------------------------------------------------------------------
    def modules(self) -> dict[str, ModuleEntry]:
        self._fresh()
        return self._modules

    def datasets(self) -> dict[str, DatasetEntry]:
        self._fresh()
        return self._datasets

    def search(self, entries, query: str, limit: int, visible=lambda e: True) -> tuple[list, int]:
        """Entries matching every word of ``query`` (name, owner, description, tags), best first:
        exact name, then name prefix, then a word in the name, then the rest; by name within
        (the snapshot is kept sorted by name, so ranking is bucketing: no sort per query)."""
        words = query.lower().split()
        q = query.strip().lower()
        buckets: tuple[list, list, list, list] = ([], [], [], [])
        for entry in entries.values():
            hay = entry.hay
            if words and not all(w in hay for w in words):
                continue
            if not visible(entry):
                continue
            if not words:
                rank = 0
            else:
                name = entry.name.lower()
                if name == q:
                    rank = 0
                elif name.startswith(words[0]):
                    rank = 1
                elif any(w in name for w in words):
                    rank = 2
                else:
                    rank = 3
            buckets[rank].append(entry)
        total = sum(map(len, buckets))
        out: list = []
        for bucket in buckets:
            if len(out) >= limit:
                break
            out.extend(bucket[: limit - len(out)])
        return out, total


def _load_meta(path: Path) -> dict:
    if not os.path.lexists(path):
        return {}
    data = load_json_file(path, max_bytes=64 * 1024, max_depth=8)
    if not isinstance(data, dict):
        return {}
    meta = {k: v for k, v in data.items() if k in ("permission", "published", "source_path")}
    if data.get("status") in ("online", "offline"):  # set by the owner (module_admin.py)
        meta["status"] = data["status"]
    return meta
