"""What a deploy takes from the project: handler.py and app_spec.yml (never through a link leading
out of the project, never a `handler:` that climbs out: refused before anything is read or run),
the picked files and folders (links inside them copied as the file they point to when it is in the
project, else refused by name), and which job wrote each of them."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from ..errors import BadRequest, cut
from ..handle.parse import scan_source
from ..handle.spec import load_app_spec
from ..paths import resolve_in_root


def refuse_links(folder: Path, root: Path) -> None:
    """Links inside a folder picked for deploying: one to a file inside the project is copied as that
    file; one leading out of the project, to a folder (pick that folder itself) or to nothing is
    refused, naming it, before anything is written."""
    for dirpath, dirnames, filenames in os.walk(folder):  # links to folders are listed, not entered
        for name in dirnames + filenames:
            link = Path(dirpath) / name
            if not link.is_symlink():
                continue
            rel = link.relative_to(root).as_posix()
            target = os.path.realpath(link)
            if os.path.commonpath([str(root), target]) != str(root):
                raise BadRequest(f"'{rel}' links outside the project (to {os.readlink(link)}): copy the file "
                                 "into the project, or leave it out")
            if os.path.isdir(target):
                raise BadRequest(f"'{rel}' links to a folder: pick '{Path(target).relative_to(root).as_posix()}' "
                                 "itself")
            if not os.path.exists(target):
                raise BadRequest(f"'{rel}' is a broken link (to {os.readlink(link)})")


def trained_by(jobs, picked: list[tuple[Path, Path]]) -> list[dict]:
    """For each deployed file (in a folder: each file in it), the job whose run wrote it: the
    latest job that was running when the file was last modified."""
    if jobs is None:
        return []
    runs = [j for j in jobs.list() if isinstance(j.get("started"), (int, float))]
    out = []
    for path, inner in picked:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())[:200]
        for f in files:
            mtime = f.stat().st_mtime
            hits = [j for j in runs if j["started"] - 1 <= mtime <= (j.get("ended") or time.time()) + 2]
            if hits:
                job = max(hits, key=lambda j: j["started"])
                rel = (inner / f.relative_to(path)).as_posix() if path.is_dir() else inner.as_posix()
                out.append({"file": rel, "job": job["id"], "name": job.get("name"), "state": job.get("state")})
    return out


def app_file(root: Path, folder: Path, needed: str) -> Path | None:
    """The real path of handler.py / app_spec.yml in ``folder``, or None when missing; a link
    leading out of the project is refused by name, before the file is read (its content never
    shows in an error)."""
    path = folder / needed
    if not path.is_file():
        return None
    real = Path(os.path.realpath(path))
    if os.path.commonpath([str(root), str(real)]) != str(root):
        rel = path.relative_to(root).as_posix()
        raise BadRequest(f"cannot deploy: '{cut(rel, 200)}' links outside the project; copy the file into "
                         "the project instead")
    return real

def check_app(root: Path, folder: Path, rel: str) -> dict:
    problems = []
    spec = {}
    files = {needed: app_file(root, folder, needed) for needed in ("handler.py", "app_spec.yml")}
    for needed, real in files.items():
        if real is None:
            problems.append(f"{needed} is missing in '{rel or '.'}' (write it with the deploy wizard)")
    if not problems:
        try:  # refuses a handler: that climbs out of the folder (../x.py, a link elsewhere)
            spec = load_app_spec(files["app_spec.yml"])
        except BadRequest as exc:
            problems.append(f"app_spec.yml: {exc.message}")
        scan = scan_source(files["handler.py"].read_text(encoding="utf-8", errors="replace"))
        problems += [f"handler.py line {p['line']}: {p['message']}" if p.get("line") else f"handler.py: {p['message']}"
                     for p in scan["problems"] if p["severity"] == "error"]
    if problems:
        raise BadRequest("cannot deploy:\n" + "\n".join(f"- {p}" for p in problems))
    return spec


def picked_files(root: Path, src: Path, rel: str, files) -> list[tuple[Path, Path]]:
    """(real path, name in the app) of each picked file or folder. The name is the path as
    written, relative to the folder (a link keeps its own name); the real path must be in the
    project, and folders are checked for links and for the project's own .mo records."""
    picked = []
    for item in files:
        inner = Path(os.path.normpath(item))
        if str(inner) == "." or inner.is_absolute() or inner.parts[0] == "..":
            raise BadRequest(f"'{item}' is not a file or folder inside '{rel or '.'}'")
        path, _ = resolve_in_root(root, (Path(rel) / inner).as_posix())
        if path.is_dir():
            records = root / ".mo"
            if path == records or records in path.parents or path in records.parents:
                raise BadRequest(f"'{item}' holds the project's .mo folder (jobs, services): pick the files "
                                 "and folders the app needs")
            refuse_links(path, root)
        picked.append((path, inner))
    return picked

def copy_snapshot(root: Path, src: Path, picked: list[tuple[Path, Path]], staging: Path) -> None:
    for needed in ("handler.py", "app_spec.yml"):
        real = app_file(root, src, needed)  # checked again: a link may have changed meanwhile
        if real is None:
            raise BadRequest(f"cannot deploy: {needed} is missing")
        shutil.copyfile(real, staging / needed)
    for path, inner in picked:
        dest = staging / inner
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, dest, symlinks=False, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy2(path, dest)
