"""Where training tasks live: their records (``<root>/.mo/tasks/<id>.json``, written atomically,
changed under one file lock that the server and the CLI share) and their working folders
(``<project>/tasks/<slug>/``, marked by ``.mo_task.json``), made only in real folders of the root."""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import stat
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import orjson

from ..atomic import write_atomic
from ..errors import BadRequest, Conflict, MoError, NotFound, cut, os_error
from ..loaders import load_json_file
from ..paths import check_path_text
from ..projects import MARKER, TASK_MARKER, project_folder

TASK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
RECORDS = ".mo/tasks"
TASKS_FOLDER = "tasks"
MAX_RECORD_BYTES = 1024 * 1024


def new_task_id(now: float | None = None) -> str:
    now = time.time() if now is None else now
    return f"task-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{secrets.token_hex(2)}"


def slugify(name: str) -> str:
    """``bayes 0.8`` -> ``bayes-0-8``; a name with no ASCII letters or digits (贝叶斯) -> ``task``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-") or "task"


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


class TaskStore:
    def __init__(self, root: Path):
        self.root = Path(os.path.realpath(root))
        self.dir = self.root / RECORDS

    # ---- records ------------------------------------------------------------------------------
    def path(self, task_id: str) -> Path:
        if not isinstance(task_id, str) or not TASK_ID.match(task_id):
            raise NotFound(f"no task '{cut(task_id, 80)}'")
        return self.dir / f"{task_id}.json"

    def read(self, task_id: str) -> dict:
        path = self.path(task_id)
        if not _regular(path):
            raise NotFound(f"no task '{task_id}'")
        try:
            record = load_json_file(path, MAX_RECORD_BYTES)
        except (OSError, MoError, ValueError) as exc:
            raise Conflict(f"the record of task '{task_id}' cannot be read: {cut(exc, 200)}") from None
        if not isinstance(record, dict) or record.get("id") != task_id:
            raise Conflict(f"the record of task '{task_id}' is damaged")
        return record

    def write(self, record: dict) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path(record["id"]), orjson.dumps(record, option=orjson.OPT_INDENT_2))

    def claim_id(self) -> str:
        """A new id whose record file is made (empty) at once, so two creates never share one."""
        self.dir.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            task_id = new_task_id()
            try:
                os.close(os.open(self.dir / f"{task_id}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
                return task_id
            except FileExistsError:
                continue
        raise Conflict("no free task id; try again")

    def remove(self, task_id: str) -> None:
        self.path(task_id).unlink(missing_ok=True)

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [n[:-5] for n in names if n.endswith(".json") and TASK_ID.match(n[:-5])]

    def records(self) -> list[dict]:
        out = []
        for task_id in self.ids():
            try:
                out.append(self.read(task_id))
            except MoError:  # half made (a create in progress) or damaged: not listed
                continue
        return out

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Changes of tasks one at a time, across threads and processes (server and CLI)."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(self.dir / ".lock", flags, 0o644)
        except OSError as exc:
            known = os_error(exc)
            raise (known or exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # ---- folders ------------------------------------------------------------------------------
    def project_of(self, folder: str | None) -> Path:
        """The project folder of ``folder`` (relative to the root; default the root): every part a
        real folder inside the root, none hidden, no link followed."""
        if folder is None or folder.strip() in ("", "."):
            return self.root
        check_path_text(folder)
        if os.path.isabs(folder):
            if not Path(folder).is_relative_to(self.root):
                raise BadRequest(f"'{cut(folder, 200)}' is outside the project root")
            folder = os.path.relpath(folder, self.root)
        parts = [p for p in folder.split("/") if p not in ("", ".")]
        for part in parts:
            if part == ".." or part.startswith("."):
                raise BadRequest(f"'{cut(part, 100)}' is not a folder for a task (no '..', no hidden folders)")
        walk = self.root
        for part in parts:
            walk = walk / part
            if walk.is_symlink():
                raise BadRequest(f"'{cut(walk.relative_to(self.root).as_posix(), 200)}' is a symbolic link; "
                                 "a task is made only in real folders of the project root")
            if not walk.is_dir():
                raise NotFound(f"no such folder in the project: '{cut(walk.relative_to(self.root).as_posix(), 200)}'")
        return project_folder(self.root, walk, markers=(MARKER,))

    def _tasks_dir(self, project: Path) -> Path:
        tasks = project / TASKS_FOLDER
        if tasks.is_symlink():
            raise BadRequest(f"'{tasks.relative_to(self.root).as_posix()}' is a symbolic link; task folders are "
                             "made only in real folders")
        if tasks.exists() and not tasks.is_dir():
            raise Conflict(f"'{tasks.relative_to(self.root).as_posix()}' is a file, not a folder")
        tasks.mkdir(exist_ok=True)
        return tasks

    def make_folder(self, project: Path, name: str, task_id: str) -> str:
        """``<project>/tasks/<slug>`` made (slug from ``name``, unique among folders and records),
        with its marker; returns it relative to the root."""
        tasks = self._tasks_dir(project)
        taken = {r.get("folder") for r in self.records()}
        base = slugify(name)
        for n in range(1, 1000):
            slug = base if n == 1 else f"{base}-{n}"
            folder = tasks / slug
            rel = folder.relative_to(self.root).as_posix()
            if rel in taken or os.path.lexists(folder):
                continue
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            self.mark(folder, task_id)
            return rel
        raise Conflict(f"no free folder name for '{cut(name, 60)}' in {tasks.relative_to(self.root).as_posix()}")

    @staticmethod
    def mark(folder: Path, task_id: str) -> None:
        write_atomic(folder / TASK_MARKER, orjson.dumps({"task": task_id, "created": time.time()}) + b"\n")

    def folder(self, record: dict, create: bool = False) -> Path:
        """The task's folder, checked: a real folder inside the root (remade with its marker when
        ``create`` and it is gone)."""
        rel = record["folder"]
        path = self.root / rel
        walk = self.root
        for part in rel.split("/"):
            walk = walk / part
            if walk.is_symlink() or (walk.exists() and not walk.is_dir()):
                raise Conflict(f"the folder of task '{record['id']}' ({rel}) is not a real folder any more")
        if not path.is_dir():
            if not create:
                raise NotFound(f"the folder of task '{record['id']}' ({rel}) is gone")
            path.mkdir(parents=True)
        if create and not _regular(path / TASK_MARKER):
            self.mark(path, record["id"])
        return path

    def remove_folder(self, record: dict) -> None:
        """Delete the task's folder, only when it is a real folder that still holds its marker."""
        try:
            path = self.folder(record)
        except NotFound:
            return
        try:
            marker = load_json_file(path / TASK_MARKER, 4096)
        except (OSError, MoError, ValueError):
            marker = None
        if not isinstance(marker, dict) or marker.get("task") != record["id"]:
            raise Conflict(f"'{record['folder']}' is not marked as the folder of task '{record['id']}'; "
                           "it was left in place")
        shutil.rmtree(path)
