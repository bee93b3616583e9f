"""Modules: search, details, insertion into a project, publishing a project folder; a new module
from a form (scaffold.py) and the owner's changes after publishing (module_admin.py)."""

from __future__ import annotations

import ast
import keyword
import os
import shutil
import time
from pathlib import Path

from ..errors import BadRequest, Conflict, NotFound, cut
from ..paths import resolve_in_root
from . import locks, module_admin, scaffold
from .cells import class_name, module_cell, python_name
from .copying import copy_tree_atomic, insertion_target, read_marker
from .index import MODULE_SPEC, PUBLISH_META, CatalogIndex, ModuleEntry, ModuleVersion
from .roots import Catalogs, parse_ref, semver_key  # noqa: F401  (parse_ref: its importers)
from .specs import load_module_spec

MARKER = ".mo_module.json"
MAX_LIMIT = 500
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", ".git", MARKER, "*.pyc")


def actions_of(spec: dict) -> list[str]:
    inputs, outputs = spec.get("input") or {}, spec.get("output") or {}
    return [a for a in ("predict", "train", "run") if a in inputs or a in outputs]


class ModuleCatalog:
    def __init__(self, root: Path, catalogs: Catalogs, index: CatalogIndex):
        self.root = Path(root)
        self.catalogs = catalogs
        self.index = index

    # ---- reading --------------------------------------------------------------------------
    def _versions(self, entry: ModuleEntry) -> list[ModuleVersion]:
        """The versions you may see: all of yours, the others' that are neither private nor offline."""
        if entry.owner == self.catalogs.owner:
            return entry.versions
        return [v for v in entry.versions
                if v.spec.get("permission") != "private" and v.spec.get("status", "online") != "offline"]

    def _visible(self, entry: ModuleEntry) -> bool:
        return bool(self._versions(entry))

    def summary(self, entry: ModuleEntry, version: ModuleVersion | None = None) -> dict:
        versions = self._versions(entry)
        v = version or versions[0]
        spec = v.spec
        return {
            "id": entry.id,
            "owner": entry.owner,
            "name": entry.name,
            "version": v.version,
            "versions": [x.version for x in versions],
            "description": spec.get("description", ""),
            "tags": spec.get("tags", []),
            "category": spec.get("category") or ("toolkit" if "run" in (spec.get("input") or {}) else "model"),
            "permission": spec.get("permission") or ("preset" if v.root.kind == "builtin" else "public"),
            "status": spec.get("status") or "online",
            "catalog": v.root.name,
            "writable": entry.owner == self.catalogs.owner and v.root.writable and v.root.kind != "builtin",
            "actions": actions_of(spec),
        }

    def list(self, query: str = "", limit: int = 50) -> dict:
        items, total = self.index.search(self.index.modules(), query, min(limit, MAX_LIMIT), self._visible)
        return {"items": [self.summary(e) for e in items], "total": total}

    def find(self, owner: str, name: str, version: str | None = None) -> tuple[ModuleEntry, ModuleVersion]:
        entry = self.index.modules().get(f"{owner}/{name}")
        versions = self._versions(entry) if entry else []
        if not versions:
            raise NotFound(f"no module '{cut(owner, 100)}/{cut(name, 100)}'")
        if version is None:
            return entry, versions[0]
        for v in versions:
            if v.version == version:
                return entry, v
        raise NotFound(f"module '{owner}/{name}' has no version '{cut(version, 100)}' "
                       f"(versions: {', '.join(x.version for x in versions)})")

    def get(self, owner: str, name: str, version: str | None = None) -> dict:
        entry, v = self.find(owner, name, version)
        readme = v.path / "README.md"
        files = []
        for path in sorted(v.path.rglob("*")):
            rel = path.relative_to(v.path)
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                files.append({"path": rel.as_posix(), "size": path.stat().st_size})
        return {
            **self.summary(entry, v),
            "spec": {"input": v.spec.get("input") or {}, "output": v.spec.get("output") or {}},
            "readme": readme.read_text(encoding="utf-8", errors="replace") if readme.is_file() else "",
            "files": files[:1000],
            "class_name": class_name(entry.name),
        }

    # ---- insertion ------------------------------------------------------------------------
    def insert(self, owner: str, name: str, version: str | None, notebook: str,
               action: str = "predict", replace: bool = False) -> dict:
        entry, v = self.find(owner, name, version)
        actions = actions_of(v.spec)
        if action not in ("predict", "train", "run"):
            raise BadRequest(f"'action' must be predict, train or run, got {cut(repr(action), 60)}")
        if action not in actions:
            raise BadRequest(f"module '{entry.id}' has no {action}() (it offers: {', '.join(actions) or 'nothing'})")
        target, target_rel = insertion_target(self.root, notebook, "modules", python_name(entry.name))
        wanted = {"id": entry.id, "version": v.version}
        copied = False
        if target.exists():
            have = read_marker(target / MARKER)
            if {k: have.get(k) for k in wanted} != wanted:
                if not replace:
                    held = f"{have['id']} {have.get('version')}" if have.get("id") else "files not inserted by mo_jupyter"
                    raise Conflict(f"'{cut(target_rel, 200)}' already holds {held}; replace it with "
                                   f"{entry.id} {v.version}?", reason="exists")
                copied = True
        else:
            copied = True
        if copied:
            copy_tree_atomic(v.path, target, IGNORED, marker=(MARKER, {**wanted, "catalog": v.root.name,
                                                                       "inserted": time.time()}))
            for init in (target.parent / "__init__.py", target / "__init__.py"):
                if not init.exists():  # a regular package wins over any other `modules` on sys.path
                    init.write_text("")
        return {"target": target_rel, "copied": copied,
                "cell": module_cell(entry.owner, entry.name, v.version, target_rel, action, v.spec)}

    # ---- publishing -----------------------------------------------------------------------
    def check_folder(self, folder: Path) -> tuple[dict, list[str]]:
        """Load and check a module folder; return (spec, problems) with every problem listed."""
        problems: list[str] = []
        spec: dict = {}
        try:
            spec = load_module_spec(folder / MODULE_SPEC)
        except BadRequest as exc:
            problems.append(f"{MODULE_SPEC}: {exc.message}")
        if not (folder / "README.md").is_file():
            problems.append("README.md is missing")
        main = folder / "main.py"
        if not main.is_file():
            problems.append("main.py is missing")
        elif spec:
            problems += _check_main(main, spec)
        if spec:
            from ..tasks.params import training_problems  # tasks import the catalog: here, when needed

            problems += [f"{MODULE_SPEC}: {p}" for p in training_problems(spec)]
        if spec and keyword.iskeyword(spec["name"]):
            problems.append(f"name '{spec['name']}' is a Python keyword; it cannot be imported")
        owner = spec.get("owner")
        if owner and owner != self.catalogs.owner:
            problems.append(f"owner '{owner}' is not you ('{self.catalogs.owner}'); drop it or fix it")
        return spec, problems

    def publish(self, folder: str, permission: str = "private") -> dict:
        if permission not in ("private", "public"):
            raise BadRequest("'permission' must be private or public")
        path, rel = resolve_in_root(self.root, folder)
        if not path.is_dir():
            raise BadRequest(f"'{cut(rel, 200)}' is not a folder")
        spec, problems = self.check_folder(path)
        user = self.catalogs.user.path
        if os.path.commonpath([os.path.realpath(user), path]) == str(path):
            problems.append(f"'{cut(rel, 200)}' holds your catalog ({user}); publish the module's own folder")
        problems += [f"{link}: symbolic links are not published" for link in _links_in(path)]
        if problems:
            raise BadRequest(f"cannot publish '{cut(rel, 200)}':\n" + "\n".join(f"- {p}" for p in problems))
        owner, name, version = self.catalogs.owner, spec["name"], spec["version"]
        folder = self.catalogs.user.modules() / owner / name
        folder.parent.mkdir(parents=True, exist_ok=True)
        with locks.writing(folder, f"{owner}/{name}", kind="module"):  # not beside a withdraw of the same module
            self._publish(path, rel, owner, name, version, permission)
        return self.get(owner, name, version)

    def _publish(self, path: Path, rel: str, owner: str, name: str, version: str, permission: str) -> None:
        self.index.refresh()  # another process (the CLI, a teammate) may have published meanwhile
        existing = self.index.modules().get(f"{owner}/{name}")
        if existing:
            latest = existing.latest.version
            if any(x.version == version for x in existing.versions):
                raise Conflict(f"{owner}/{name} {version} is already published; raise the version in {MODULE_SPEC}")
            if semver_key(version) < semver_key(latest):
                raise Conflict(f"version {version} is older than the published {latest}; use a newer version")
        dest = self.catalogs.user.modules() / owner / name / version
        meta = {"permission": permission, "published": time.time(), "source_path": rel}
        copy_tree_atomic(path, dest, IGNORED, marker=(PUBLISH_META, meta), exclusive=True)
        self.index.refresh()

    # ---- a new module, and the owner's changes after publishing ---------------------------
    def new(self, form: dict) -> dict:
        """Scaffold ``<folder>/<name>/`` in the project from the New module form."""
        return scaffold.new_module(self.root, form)

    def update(self, owner: str, name: str, version: str | None, changes: dict) -> dict:
        return module_admin.update(self, owner, name, version, changes)

    def withdraw(self, owner: str, name: str, version: str) -> dict:
        return module_admin.withdraw(self, owner, name, version)


def _links_in(folder: Path, limit: int = 20) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                found.append(path.relative_to(folder).as_posix())
        if len(found) >= limit:
            break
    return found[:limit]


def _check_main(main: Path, spec: dict) -> list[str]:
    """Check main.py by reading it (never running it): the class and the methods the spec names."""
    try:
        tree = ast.parse(main.read_bytes(), filename="main.py")
    except SyntaxError as exc:
        return [f"main.py line {exc.lineno}: {exc.msg}"]
    cls_name = class_name(spec["name"])
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls_name:
            methods = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
            missing = [a for a in actions_of(spec) if a not in methods]
            return [f"main.py: class {cls_name} has no {m}(self, conf) (the spec declares it)" for m in missing]
    return [f"main.py has no class {cls_name} (a module named '{spec['name']}' defines class {cls_name})"]
