"""A published module's life, for its owner (seed 003, 2.2.2 修改 / 2.2.5 上线 / 2.2.6 权限, as the
datasets have them): edit a version's metadata (description, tags, category, README), put it
offline or online, make it private or public, withdraw a version.

What lives where: description, tags and category in the version's module_spec.yml (what an insert
copies); status and permission in its ``.mo_meta.json`` beside it (publish writes it). An offline or
private version is hidden from the others: not listed, not found, not inserted; its owner still sees
it. Built-in modules, read-only catalogs and other owners' modules are refused (403). Changes of one
module are ordered by its write lock (locks.py, as datasets use it); files are written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import orjson

from .. import schemas
from ..atomic import write_atomic
from ..errors import BadRequest, Forbidden
from ..loaders import load_json_file
from . import locks
from .index import MODULE_SPEC, PUBLISH_META, ModuleEntry, ModuleVersion, _children
from .specs import dump_yaml, load_yaml

SPEC_KEYS = ("description", "tags", "category")
META_KEYS = ("status", "permission")
README = "README.md"


def module_folder(entry: ModuleEntry, v: ModuleVersion) -> Path:
    return v.path.parent


def writable_versions(catalog, owner: str, name: str, version: str | None) -> tuple[ModuleEntry, list[ModuleVersion]]:
    """The versions a change applies to (one, or all of the module's), refused unless they are yours
    and in a writable catalog of yours."""
    entry, v = catalog.find(owner, name, version)
    versions = [v] if version is not None else list(entry.versions)
    for x in versions:
        if x.root.kind == "builtin" or not x.root.writable:
            raise Forbidden(f"module '{entry.id}' {x.version} is in the read-only catalog '{x.root.name}'")
    if entry.owner != catalog.catalogs.owner:
        raise Forbidden(f"module '{entry.id}' belongs to '{entry.owner}'; only its owner can change it")
    return entry, versions


def _read_meta(path: Path) -> dict:
    if not os.path.lexists(path):
        return {}
    data = load_json_file(path, max_bytes=64 * 1024, max_depth=8)
    return data if isinstance(data, dict) else {}


def _edit_version(v: ModuleVersion, changes: dict) -> None:
    spec_changes = {k: changes[k] for k in SPEC_KEYS if k in changes}
    if spec_changes:
        raw = load_yaml(v.path / MODULE_SPEC)
        if not isinstance(raw, dict):
            raise BadRequest(f"{MODULE_SPEC} of {v.version} is not a mapping")
        if "description" in spec_changes:
            raw.pop("des", None)  # the legacy key would otherwise stand beside the new one
        raw.update(spec_changes)
        schemas.validate("module_spec", raw)
        write_atomic(v.path / MODULE_SPEC, dump_yaml(raw, MODULE_SPEC))
    if "readme" in changes:
        write_atomic(v.path / README, changes["readme"])
    meta_changes = {k: changes[k] for k in META_KEYS if k in changes}
    if meta_changes:
        meta = {**_read_meta(v.path / PUBLISH_META), **meta_changes}
        write_atomic(v.path / PUBLISH_META, orjson.dumps(meta, option=orjson.OPT_INDENT_2))


def update(catalog, owner: str, name: str, version: str | None, changes: dict) -> dict:
    """Change one version (or, with ``version`` None, every version) of one of your modules."""
    schemas.validate("catalog_requests#module_edit", changes)
    entry, versions = writable_versions(catalog, owner, name, version)
    with locks.writing(module_folder(entry, versions[0]), entry.id, kind="module"):
        catalog.index.refresh()  # the versions as they are now (another writer may have withdrawn one)
        entry, versions = writable_versions(catalog, owner, name, version)
        for v in versions:
            _edit_version(v, changes)
    catalog.index.refresh()
    return catalog.get(owner, name, version)


def withdraw(catalog, owner: str, name: str, version: str) -> dict:
    """Remove one version of one of your modules; the last one takes the module with it. Projects
    that inserted it keep their copies (an insert copies)."""
    if not version:
        raise BadRequest("name the version to withdraw (OWNER/NAME@VERSION)")
    entry, (v,) = writable_versions(catalog, owner, name, version)
    folder = module_folder(entry, v)
    with locks.writing(folder, entry.id, kind="module"):
        catalog.index.refresh()
        entry, (v,) = writable_versions(catalog, owner, name, version)
        trash = Path(tempfile.mkdtemp(prefix=".mo-withdrawn-", dir=folder))
        try:
            os.replace(v.path, trash / v.version)  # gone at once for every reader; the files go after
        finally:
            shutil.rmtree(trash, ignore_errors=True)
        if not _children(folder):
            shutil.rmtree(folder, ignore_errors=True)
    catalog.index.refresh()
    left = catalog.index.modules().get(entry.id)
    remaining = [x.version for x in catalog._versions(left)] if left else []
    return {"id": entry.id, "withdrawn": v.version, "versions": remaining, "removed": not remaining}

