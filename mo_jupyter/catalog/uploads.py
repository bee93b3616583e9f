"""Chunked uploads from the browser (so the UI can show progress): create, append chunks at an
offset, then hand the finished file to an import. Parts live under ``<root>/.mo/uploads``.

Concurrent requests on one upload never lose or double a chunk: an append holds an exclusive lock
on the part file while it checks the offset and writes, and an import *claims* the upload by
renaming its folder (a second import of it finds it claimed: 409), then gives it back if it fails."""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import orjson

from ..atomic import write_atomic
from ..errors import BadRequest, Conflict, MoError, NotFound, cut
from ..loaders import load_json_file
from .archives import ARCHIVE_SUFFIXES, archive_stem, is_archive

ID_RE = re.compile(r"^[0-9a-f]{24}$")
MAX_CHUNK = 8 * 1024 * 1024
STALE_SECONDS = 24 * 3600
CLAIMED = ".importing"


class UploadStore:
    def __init__(self, folder: Path, max_bytes: int):
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def _dir(self, upload_id: str) -> Path:
        if not isinstance(upload_id, str) or not ID_RE.match(upload_id):
            raise NotFound(f"no upload '{cut(upload_id, 60)}'")
        return self.folder / upload_id

    def _missing(self, upload_id: str) -> NotFound | Conflict:
        if os.path.lexists(self.folder / (upload_id + CLAIMED)):
            return Conflict(f"upload '{upload_id}' is being imported", reason="importing")
        return NotFound(f"no upload '{upload_id}'")

    def _meta(self, upload_id: str, folder: Path | None = None) -> tuple[dict, Path]:
        folder = folder or self._dir(upload_id)
        if not os.path.lexists(folder / "meta.json"):
            raise self._missing(upload_id)
        meta = load_json_file(folder / "meta.json", max_bytes=64 * 1024, max_depth=2)
        if not (isinstance(meta, dict) and isinstance(meta.get("file"), str) and isinstance(meta.get("size"), int)
                and meta["file"].startswith("data") and "/" not in meta["file"]):
            raise BadRequest(f"upload '{upload_id}' has a broken record; delete it and upload again")
        return meta, folder / meta["file"]

    def _sweep(self) -> None:
        now = time.time()
        for path in self.folder.iterdir():
            try:
                newest = max([path.stat().st_mtime] + [p.stat().st_mtime for p in path.iterdir()])
                if now - newest > STALE_SECONDS:
                    shutil.rmtree(path)
            except OSError:
                pass

    def create(self, name: str, size: int) -> dict:
        if not isinstance(name, str) or not name or "/" in name or "\x00" in name or len(name) > 255:
            raise BadRequest("'name' must be a file name")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BadRequest("'size' must be a number of bytes")
        if not is_archive(name):
            raise BadRequest(f"'{cut(name, 200)}' is not an archive ({', '.join(ARCHIVE_SUFFIXES)})")
        if size > self.max_bytes:
            raise BadRequest(f"the file is {size} bytes; uploads are limited to {self.max_bytes} bytes")
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sweep()
        upload_id = secrets.token_hex(12)
        folder = self._dir(upload_id)
        folder.mkdir()
        data = "data" + name[len(archive_stem(name)):].lower()  # keeps .zip / .tar.gz for extraction
        (folder / data).touch()
        meta = {"name": name, "size": size, "file": data, "created": time.time()}
        write_atomic(folder / "meta.json", orjson.dumps(meta))
        return {"id": upload_id}

    def append(self, upload_id: str, offset: int, data: bytes) -> dict:
        meta, part = self._meta(upload_id)
        if len(data) > MAX_CHUNK:
            raise BadRequest(f"a chunk may hold at most {MAX_CHUNK} bytes")
        try:
            f = open(part, "r+b")
        except FileNotFoundError:  # deleted or claimed by an import since we read its record
            raise self._missing(upload_id) from None
        with f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # one append at a time: the offset check holds
            received = f.seek(0, os.SEEK_END)
            if offset != received:
                raise Conflict(f"offset {offset} does not follow the {received} bytes received", reason="offset")
            if received + len(data) > meta["size"]:
                raise BadRequest(f"more bytes than the announced {meta['size']}")
            f.write(data)
            return {"received": received + len(data), "size": meta["size"]}

    @contextmanager
    def claimed(self, upload_id: str) -> Iterator[Path]:
        """The complete file, taken out of reach of other requests (appends, deletes, imports) for
        the time of the ``with``; dropped when the block succeeds, given back when it fails."""
        folder = self._dir(upload_id)
        claim = folder.with_name(upload_id + CLAIMED)
        try:
            os.rename(folder, claim)  # atomic: one claimer wins
        except FileNotFoundError:
            raise self._missing(upload_id) from None
        except OSError:  # a claim of it is under way (its name is taken)
            raise Conflict(f"upload '{upload_id}' is being imported", reason="importing") from None
        meta, part = {}, None
        try:
            meta, part = self._meta(upload_id, claim)
            received = part.stat().st_size
            if received != meta["size"]:
                raise Conflict(f"the upload is incomplete: {received} of {meta['size']} bytes",
                               reason="incomplete")
            yield part
        except MoError as exc:
            os.rename(claim, folder)
            if part is not None and part.name in exc.message:  # the user's file name, not our data.zip
                exc.message = exc.message.replace(part.name, cut(meta.get("name", part.name), 200))
                exc.args = (exc.message,)
            raise
        except BaseException:
            os.rename(claim, folder)
            raise
        shutil.rmtree(claim, ignore_errors=True)

    def delete(self, upload_id: str) -> None:
        folder = self._dir(upload_id)
        if not folder.is_dir():
            raise self._missing(upload_id)
        shutil.rmtree(folder, ignore_errors=True)
