"""Projects (the seeds' 新建项目): the tutorial templates, new project folders made from them, and
which project folder a file belongs to.

A template is a folder of ``mo_jupyter/templates/`` with a ``template.json`` (title and description
in English and Chinese, the folder name to suggest, the notebook to open first, its files, the
example scripts of ``jobs/examples`` it takes, and the catalog datasets and modules to insert).
A folder made from one is a *project folder*: it holds a marker file, and a job of a file inside it
runs with that folder as its working directory (``project_folder``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import time
import unicodedata
from pathlib import Path
from typing import Optional

from .catalog.modules import actions_of, parse_ref
from .errors import BadRequest, Conflict, MoError, NotFound, cut, os_error
from .loaders import load_json_file
from .paths import check_path_text

_HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = _HERE / "templates"
# An installed wheel carries jobs/examples as mo_jupyter/examples; a checkout has it at the top.
EXAMPLE_DIRS = (_HERE / "examples", _HERE.parent / "jobs" / "examples")
MARKER = ".mo_project.json"
TASK_MARKER = ".mo_task.json"
"""A training task's folder (mo_jupyter/tasks) holds this: its jobs run in that folder too."""
STAGING = ".mo-new-"
TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")
LANGS = ("en", "zh")


def _text_pair(value, what: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k] for k in LANGS):
        raise ValueError(f"{what} needs an 'en' and a 'zh' text")
    return {k: value[k] for k in LANGS}


def _names(value, what: str, pattern: re.Pattern) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and pattern.match(v) for v in value):
        raise ValueError(f"{what} must be a list of plain names")
    return list(value)


def load_template(name: str) -> dict:
    """The template ``name`` (its manifest, checked, with ``name``), or NotFound."""
    if not isinstance(name, str) or not TEMPLATE_NAME.match(name):
        raise NotFound(f"no project template '{cut(name, 60)}' (templates: {', '.join(template_names())})")
    folder = TEMPLATES_DIR / name
    if not (folder / "template.json").is_file():
        raise NotFound(f"no project template '{cut(name, 60)}' (templates: {', '.join(template_names())})")
    raw = load_json_file(folder / "template.json")
    ref = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    manifest = {
        "name": name,
        "title": _text_pair(raw.get("title"), "title"),
        "description": _text_pair(raw.get("description"), "description"),
        "folder": _names([raw.get("folder")], "folder", FILE_NAME)[0],
        "open": _names([raw.get("open")], "open", FILE_NAME)[0],
        "files": _names(raw.get("files"), "files", FILE_NAME),
        "examples": _names(raw.get("examples", []), "examples", FILE_NAME),
        "datasets": _names(raw.get("datasets", []), "datasets", ref),
        "modules": _names(raw.get("modules", []), "modules", ref),
    }
    if manifest["open"] not in manifest["files"] + manifest["examples"]:
        raise ValueError(f"template {name}: 'open' is not one of its files")
    return manifest


def template_names() -> list[str]:
    if not TEMPLATES_DIR.is_dir():
        return []
    return sorted(p.name for p in TEMPLATES_DIR.iterdir() if (p / "template.json").is_file())


def templates() -> list[dict]:
    """Every template's manifest, in name order (mnist first: the seeds' tutorial)."""
    found = [load_template(name) for name in template_names()]
    return sorted(found, key=lambda t: (t["name"] != "mnist", t["name"]))


def example_file(name: str) -> Path:
    for folder in EXAMPLE_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"the example script {name} is not installed")


def _is_marker(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def project_folder(root: Path | str, target: Path | str, markers: tuple[str, ...] = (MARKER, TASK_MARKER)) -> Path:
    """The project folder of ``target`` (a real path inside ``root``): the nearest folder at or above
    it, inside the root, that holds one of ``markers`` as a regular file (never a link); else the
    root. By default a training task's folder counts too: a job of a file in it runs there."""
    real_root = Path(os.path.realpath(root))
    folder = Path(target)
    folder = folder if folder.is_dir() and not folder.is_symlink() else folder.parent
    while folder != real_root and folder.is_relative_to(real_root):
        if any(_is_marker(folder / marker) for marker in markers):
            return folder
        folder = folder.parent
    return real_root


class ProjectService:
    """Makes project folders inside ``root`` from templates, inserting through ``catalog`` (a
    CatalogService of the same root)."""

    def __init__(self, root: Path | str, catalog):
        self.root = Path(os.path.realpath(root))
        self.catalog = catalog

    def templates(self) -> list[dict]:
        return templates()

    # ---- where --------------------------------------------------------------------------------
    def _target(self, path: str) -> tuple[Path, str]:
        """The new folder's absolute path and its path relative to the root: every name checked,
        every existing part a real folder inside the root (no link followed)."""
        if not isinstance(path, str) or not path.strip():
            raise BadRequest("a folder name is required")
        check_path_text(path)
        if os.path.isabs(path):
            if not Path(path).is_relative_to(self.root):
                raise BadRequest(f"'{cut(path, 200)}' is outside the project root")
            path = os.path.relpath(path, self.root)
        parts = [p for p in path.split("/") if p not in ("", ".")]
        for part in parts:
            if part == ".." or part.startswith(("-", ".")) or FORBIDDEN.search(part) or part != part.strip() \
                    or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in part):
                raise BadRequest(f"'{cut(part, 100)}' is not a folder name for a project (no '..', no "
                                 "leading '.' or '-', no control or direction characters, no surrounding spaces)")
        target = self.root.joinpath(*parts)
        walk = self.root
        for part in parts:
            walk = walk / part
            if walk.is_symlink():
                raise BadRequest(f"'{cut(walk.relative_to(self.root).as_posix(), 200)}' is a symbolic link; "
                                 "a project is made only in real folders of the project root")
            if walk.exists() and not walk.is_dir():
                raise Conflict(f"'{cut(walk.relative_to(self.root).as_posix(), 200)}' is a file", reason="exists")
        if not target.parent.is_dir():
            raise NotFound(f"no such folder in the project: '{cut(target.parent.relative_to(self.root).as_posix(), 200)}'")
        rel = target.relative_to(self.root).as_posix()
        if target.is_dir() and any(target.iterdir()):
            raise Conflict(f"'{cut(rel, 200)}' already exists and is not empty; choose another name", reason="exists")
        return target, rel

    # ---- create -------------------------------------------------------------------------------
    def create(self, template: str, path: Optional[str] = None) -> dict:
        """Make ``path`` (default: the template's folder name) from ``template``; returns the
        folder, the notebook to open and what was inserted, all relative to the root."""
        tpl = load_template(template)
        target, rel = self._target(path if path is not None else tpl["folder"])
        in_place = target == self.root  # the root itself (the CLI on an empty folder): fill it
        stage = (target if in_place else target.parent) / f"{STAGING}{secrets.token_hex(6)}"
        moved: list[Path] = []
        try:
            stage.mkdir()
            inserted = self._fill(tpl, stage)
            if in_place:
                for entry in sorted(stage.iterdir()):
                    os.rename(entry, target / entry.name)
                    moved.append(target / entry.name)
                stage.rmdir()
            else:
                os.rename(stage, target)  # atomic; fails if someone filled the folder meanwhile
        except BaseException as exc:
            shutil.rmtree(stage, ignore_errors=True)
            for entry in moved:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            if isinstance(exc, OSError) and not isinstance(exc, MoError):
                if target.is_dir() and any(p for p in target.iterdir() if p != stage):
                    raise Conflict(f"'{cut(rel, 200)}' already exists and is not empty; choose another name",
                                   reason="exists") from None
                known = os_error(exc)
                if known is not None:
                    raise known from None
            raise
        prefix = "" if in_place else rel + "/"
        return {
            "template": tpl["name"],
            "path": rel if not in_place else ".",
            "open": prefix + tpl["open"],
            "files": sorted(prefix + name for name in tpl["files"] + tpl["examples"]),
            **{kind: [prefix + t for t in targets] for kind, targets in inserted.items()},
        }

    def _fill(self, tpl: dict, stage: Path) -> dict:
        source = TEMPLATES_DIR / tpl["name"]
        for name in tpl["files"]:
            shutil.copyfile(source / name, stage / name)
        for name in tpl["examples"]:
            shutil.copyfile(example_file(name), stage / name)
        marker = {"template": tpl["name"], "created": time.time()}
        (stage / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        notebook = (stage / tpl["open"]).relative_to(self.root).as_posix()
        inserted = {"datasets": [], "modules": []}
        for ref in tpl["datasets"]:
            owner, name, _ = parse_ref(ref)
            inserted["datasets"].append(self.catalog.datasets.insert(owner, name, notebook)["target"])
        for ref in tpl["modules"]:
            owner, name, version = parse_ref(ref)
            spec = self.catalog.modules.get(owner, name, version)
            action = (actions_of(spec["spec"]) or ["predict"])[0]
            inserted["modules"].append(self.catalog.modules.insert(owner, name, version, notebook, action)["target"])
        for name in tpl["files"]:
            if name.endswith(".ipynb"):
                self._fill_cells(stage / name)
        cut_at = len(stage.relative_to(self.root).as_posix()) + 1
        return {kind: sorted(t[cut_at:] for t in targets) for kind, targets in inserted.items()}

    def _fill_cells(self, path: Path) -> None:
        """Replace each cell marked ``{"mo_jupyter": {"insert": {...}}}`` with the cell the catalog
        inserts today (the dataset's loader, the module's predict/train call), unmarked."""
        nb = json.loads(path.read_text(encoding="utf-8"))
        notebook = path.relative_to(self.root).as_posix()
        changed = False
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {})
            want = (meta.get("mo_jupyter") or {}).get("insert")
            if not isinstance(want, dict):
                continue
            if "dataset" in want:
                owner, name, _ = parse_ref(want["dataset"])
                made = self.catalog.datasets.insert(owner, name, notebook)
            else:
                owner, name, version = parse_ref(want["module"])
                made = self.catalog.modules.insert(owner, name, version, notebook, want.get("action", "predict"))
            # the kernel's working directory is the notebook's folder: paths relative to it
            local = os.path.relpath(self.root / made["target"], path.parent)
            cell["source"] = made["cell"].replace(made["target"], local).splitlines(keepends=True)
            del meta["mo_jupyter"]["insert"]
            if not meta["mo_jupyter"]:
                del meta["mo_jupyter"]
            changed = True
        if changed:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
