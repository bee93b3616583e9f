"""The catalog as one service: the configured catalogs, their index, modules, datasets, uploads."""

from __future__ import annotations

from pathlib import Path

from ..paths import resolve_in_root
from .archives import Limits
from .datasets import DatasetCatalog
from .index import CatalogIndex
from .modules import ModuleCatalog
from .roots import BUILTIN_PATH, Catalogs
from .uploads import UploadStore


class CatalogService:
    def __init__(self, root: Path | str, paths: list[str], *, owner: str | None = None,
                 rescan_seconds: float = 10.0, limits: Limits = Limits(),
                 max_upload_bytes: int = 4 * 1024**3, builtin: Path | None = BUILTIN_PATH):
        self.root = Path(root)
        self.catalogs = Catalogs(paths, owner, builtin)
        self.index = CatalogIndex(self.catalogs, rescan_seconds)
        self.modules = ModuleCatalog(self.root, self.catalogs, self.index)
        self.datasets = DatasetCatalog(self.root, self.catalogs, self.index, limits)
        self.uploads = UploadStore(self.root / ".mo" / "uploads", max_upload_bytes)

    def info(self) -> dict:
        return self.catalogs.info()

    def import_into(self, owner: str, name: str, body: dict) -> dict:
        """Import an upload (then drop it) or an archive from the project into a dataset."""
        part = body.get("part", "train")
        if body.get("upload"):
            self.datasets.find(owner, name)  # a wrong name is a 404 before the upload is claimed
            with self.uploads.claimed(body["upload"]) as archive:
                return self.datasets.import_archive(owner, name, archive, part)
        archive, _ = resolve_in_root(self.root, body["path"])
        return self.datasets.import_archive(owner, name, archive, part)
