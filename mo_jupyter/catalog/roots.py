"""Where catalogs live: a configured list of directory trees (the first writable one is the user's;
others, e.g. on a network file system, are shared) plus the read-only catalog inside the package.

A catalog holds ``modules/<owner>/<name>/<version>/`` and ``datasets/<owner>/<name>/``."""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadRequest, Forbidden, cut

BUILTIN_PATH = Path(__file__).resolve().parent / "builtin"
SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def default_owner() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (containers)
        user = "me"
    user = re.sub(r"[^A-Za-z0-9_.-]", "-", user).lstrip("-._") or "me"
    return user[:100]


def semver_key(version: str) -> tuple:
    """Order versions the semver way: 1.10.0 > 1.9.0, and 1.0.0-rc1 < 1.0.0."""
    m = SEMVER_RE.match(version)
    if not m:
        return (-1, -1, -1, 0, version)
    major, minor, patch, pre = m.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def is_segment(value: str) -> bool:
    return isinstance(value, str) and bool(SEGMENT_RE.match(value)) and value not in (".", "..")


@dataclass(frozen=True)
class CatalogRoot:
    name: str  # unique: "user", "builtin", or a shared folder's name
    path: Path
    writable: bool
    kind: str = "shared"  # "user" (yours: the first writable), "shared" or "builtin"

    def modules(self) -> Path:
        return self.path / "modules"

    def datasets(self) -> Path:
        return self.path / "datasets"

    def info(self) -> dict:
        return {"name": self.name, "path": str(self.path), "writable": self.writable, "kind": self.kind}


def _writable(path: Path) -> bool:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return os.access(probe, os.W_OK)


class Catalogs:
    """The ordered catalogs: configured ones first, the built-in one last."""

    def __init__(self, paths: list[str], owner: str | None = None, builtin: Path | None = BUILTIN_PATH):
        self.owner = owner or default_owner()
        roots: list[CatalogRoot] = []
        taken = {"user", "builtin"}
        user_found = False
        for raw in paths:
            path = Path(os.path.expanduser(raw)).resolve()
            writable = _writable(path)
            if writable and not user_found:
                roots.append(CatalogRoot("user", path, True, "user"))
                user_found = True
                continue
            name, n = path.name or "shared", 1
            while name in taken:
                n += 1
                name = f"{path.name or 'shared'}-{n}"
            taken.add(name)
            roots.append(CatalogRoot(name, path, writable, "shared"))
        if builtin is not None:
            roots.append(CatalogRoot("builtin", Path(builtin), False, "builtin"))
        self.roots = roots

    @property
    def user(self) -> CatalogRoot:
        for root in self.roots:
            if root.kind == "user":
                return root
        raise Forbidden("no writable catalog is configured (c.MoJupyterApp.catalogs)")

    def by_name(self, name: str) -> CatalogRoot:
        for root in self.roots:
            if root.name == name:
                return root
        raise KeyError(name)

    def info(self) -> dict:
        return {"owner": self.owner, "catalogs": [root.info() for root in self.roots]}


def parse_ref(ref: str) -> tuple[str, str, str | None]:
    """``owner/name[@version]`` -> (owner, name, version)."""
    version = None
    if "@" in ref:
        ref, version = ref.rsplit("@", 1)
    parts = ref.split("/")
    if len(parts) != 2 or not all(is_segment(p) for p in parts):
        raise BadRequest(f"'{cut(ref, 200)}' is not OWNER/NAME")
    return parts[0], parts[1], version
