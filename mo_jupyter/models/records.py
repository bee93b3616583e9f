"""Model records on disk: ``<models>/<name>/<version>.json`` and the version's files under
``<models>/<name>/<version>/files/``.

Versions count up per name under the name's lock (an flock, so threads, the CLI and a second server
never hand out one version twice) and are never reused: ``<name>/.last_version`` remembers the
highest one given, so a deleted version's number stays retired (a service or a note that names
``bayes:3`` never silently means another model).

A record is a file that anyone with access to the folder may write: it is read bounded (size, depth,
regular file, no link), checked against ``schema/model_record.schema.json`` and against its place
(name and version as the path says), and a record that fails is skipped with a warning.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Iterator, Optional

import orjson

from .. import schemas
from ..atomic import write_atomic
from ..errors import BadRequest, MoError, NotFound, cut
from ..loaders import load_json_file

log = logging.getLogger("mo_jupyter.models")

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
VERSION_RE = re.compile(r"^[1-9][0-9]{0,8}$")  # up to 999,999,999 (the schema's bound)
MAX_RECORD_BYTES = 4 * 1024 * 1024
MAX_RECORD_DEPTH = 64
LAST_VERSION = ".last_version"
LOCK = ".lock"
FRAMEWORKS = {  # suffix -> framework; the first framework of PRIORITY found among the files wins
    ".keras": "keras", ".h5": "keras", ".hdf5": "keras",
    ".pt": "pytorch", ".pth": "pytorch",
    ".joblib": "sklearn", ".pkl": "sklearn", ".pickle": "sklearn",
    ".npz": "numpy", ".npy": "numpy",
    ".onnx": "onnx",
    ".json": "json",
}
PRIORITY = ("keras", "pytorch", "onnx", "sklearn", "numpy", "json")


def check_name(name) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise BadRequest(f"'{cut(name, 100)}' is not a model name (letters, digits, '_', '-', '.', starting "
                         "with a letter or digit, at most 100)")
    return name


def make_name(text: str) -> str:
    """A valid model name made of ``text`` (a file's stem, a module's name)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", text or "").strip("-_.")[:100].rstrip("-_.")
    return name or "model"


def parse_version(text) -> int:
    if isinstance(text, int) and not isinstance(text, bool) and 1 <= text < 10**9:
        return text
    if not isinstance(text, str) or not VERSION_RE.match(text):
        raise NotFound(f"no model version '{cut(text, 40)}' (versions are whole numbers from 1)")
    return int(text)


def parse_ref(ref: str) -> tuple[str, Optional[int]]:
    """``name`` or ``name:version`` (the CLI's way of naming a model)."""
    name, sep, version = (ref or "").partition(":")
    return check_name(name), (parse_version(version) if sep else None)


def detect_framework(paths) -> str:
    """The framework the files are saved with, from their suffixes (``model.keras`` -> keras)."""
    found = {FRAMEWORKS.get(Path(p).suffix.lower()) for p in paths}
    return next((f for f in PRIORITY if f in found), "unknown")


def lock_fd(path: Path) -> int:
    """An fd of ``path`` (created if missing, never through a link) to flock."""
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o644)


class Store:
    """The models folder of a project: paths, reads and writes of records."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def name_dir(self, name: str) -> Path:
        return self.folder / check_name(name)

    def record_path(self, name: str, version: int) -> Path:
        return self.name_dir(name) / f"{version}.json"

    def files_dir(self, name: str, version: int) -> Path:
        return self.name_dir(name) / str(version) / "files"

    def names(self) -> list[str]:
        try:
            entries = os.listdir(self.folder)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(n for n in entries if NAME_RE.match(n) and _real_dir(self.folder / n))

    def versions(self, name: str) -> list[int]:
        """The versions of ``name`` that have a record file (newest first)."""
        try:
            entries = os.listdir(self.name_dir(name))
        except (FileNotFoundError, NotADirectoryError):
            return []
        out = []
        for entry in entries:
            stem, dot, ext = entry.partition(".")
            if dot and ext == "json" and VERSION_RE.match(stem):
                out.append(int(stem))
        return sorted(out, reverse=True)

    def read(self, name: str, version: int) -> dict:
        """The record, checked; NotFound when it is missing, BadRequest when it is broken."""
        path = self.record_path(name, version)
        if self.name_dir(name).is_symlink():
            raise BadRequest(f"the folder of model {name} is a link")
        if not os.path.lexists(path):
            raise NotFound(f"no model '{cut(name, 100)}:{version}'")
        if os.path.islink(path):
            raise BadRequest(f"the record of {name}:{version} is a link")
        record = load_json_file(path, max_bytes=MAX_RECORD_BYTES, max_depth=MAX_RECORD_DEPTH)
        return check_record(record, name, version)

    def iter_records(self, name: Optional[str] = None) -> Iterator[dict]:
        """Every readable record (of ``name``, or of all names); a broken one is skipped, with a
        warning in the log."""
        for each in [name] if name else self.names():
            for version in self.versions(each):
                try:
                    yield self.read(each, version)
                except NotFound:
                    continue  # deleted meanwhile
                except (MoError, OSError) as exc:
                    log.warning("mo_jupyter: model record %s:%s skipped: %s", cut(each, 100), version,
                                cut(getattr(exc, "message", exc), 300))

    def write(self, record: dict) -> None:
        check_record(record, record["name"], record["version"])
        write_atomic(self.record_path(record["name"], record["version"]),
                     orjson.dumps(record, option=orjson.OPT_INDENT_2))

    def last_version(self, name: str) -> int:
        """The highest version ever given to ``name`` (the counter, or a record or folder left)."""
        folder = self.name_dir(name)
        highest = max(self.versions(name), default=0)
        try:
            with open(os.open(folder / LAST_VERSION, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
                text = f.read(32).strip()
            if VERSION_RE.match(text.decode("ascii", "replace")):
                highest = max(highest, int(text))
        except (OSError, ValueError):
            pass
        try:
            highest = max([highest, *(int(n) for n in os.listdir(folder) if VERSION_RE.match(n))])
        except OSError:
            pass
        return highest

    def set_last_version(self, name: str, version: int) -> None:
        write_atomic(self.name_dir(name) / LAST_VERSION, f"{version}\n")


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def check_record(record, name: str, version: int) -> dict:
    """``record`` as the schema and its place say it must be, else BadRequest (why, in short)."""
    if not isinstance(record, dict):
        raise BadRequest("the record is not a JSON object")
    exc = next(iter(schemas.validator("model_record").iter_errors(record)), None)
    if exc is not None:
        where = "/".join(str(p) for p in exc.absolute_path) or "(record)"
        raise BadRequest(f"the record does not fit its schema: {cut(where, 80)}: {cut(exc.message, 160)}")
    if record["name"] != name or record["version"] != version or record["id"] != f"{name}:{version}":
        raise BadRequest(f"the record's name and version are not those of its file ({name}:{version})")
    for item in record["files"]:
        parts = item["path"].split("/")
        if item["path"].startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in item["path"]:
            raise BadRequest(f"the record names a file outside its folder: {cut(item['path'], 100)}")
    return record
