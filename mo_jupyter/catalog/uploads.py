"""Chunked uploads from the browser (so the UI can show progress): create, append chunks at an
offset, then hand the finished file to an import. Parts live under ``<root>/.mo/uploads``."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

import orjson

from ..errors import BadRequest, Conflict, NotFound
from .archives import ARCHIVE_SUFFIXES, archive_stem, is_archive

ID_RE = re.compile(r"^[0-9a-f]{24}$")
MAX_CHUNK = 8 * 1024 * 1024
STALE_SECONDS = 24 * 3600


class UploadStore:
    def __init__(self, folder: Path, max_bytes: int):
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def _dir(self, upload_id: str) -> Path:
        if not isinstance(upload_id, str) or not ID_RE.match(upload_id):
            raise NotFound(f"no upload '{upload_id}'")
        return self.folder / upload_id

    def _meta(self, upload_id: str) -> tuple[dict, Path]:
        folder = self._dir(upload_id)
        try:
            meta = orjson.loads((folder / "meta.json").read_bytes())
        except FileNotFoundError:
            raise NotFound(f"no upload '{upload_id}'") from None
        return meta, folder / meta["file"]

    def _sweep(self) -> None:
        now = time.time()
        for path in self.folder.iterdir():
            try:
                if now - path.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(path)
            except OSError:
                pass

    def create(self, name: str, size: int) -> dict:
        if not isinstance(name, str) or not name or "/" in name or "\x00" in name or len(name) > 255:
            raise BadRequest("'name' must be a file name")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BadRequest("'size' must be a number of bytes")
        if not is_archive(name):
            raise BadRequest(f"'{name}' is not an archive ({', '.join(ARCHIVE_SUFFIXES)})")
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
        (folder / "meta.json").write_bytes(orjson.dumps(meta))
        return {"id": upload_id}

    def append(self, upload_id: str, offset: int, data: bytes) -> dict:
        meta, part = self._meta(upload_id)
        if len(data) > MAX_CHUNK:
            raise BadRequest(f"a chunk may hold at most {MAX_CHUNK} bytes")
        with open(part, "r+b") as f:
            received = f.seek(0, os.SEEK_END)
            if offset != received:
                raise Conflict(f"offset {offset} does not follow the {received} bytes received", reason="offset")
            if received + len(data) > meta["size"]:
                raise BadRequest(f"more bytes than the announced {meta['size']}")
            f.write(data)
            return {"received": received + len(data), "size": meta["size"]}

    def finished(self, upload_id: str) -> tuple[Path, str]:
        """The complete file and its original name."""
        meta, part = self._meta(upload_id)
        received = part.stat().st_size
        if received != meta["size"]:
            raise Conflict(f"the upload is incomplete: {received} of {meta['size']} bytes", reason="incomplete")
        return part, meta["name"]

    def delete(self, upload_id: str) -> None:
        folder = self._dir(upload_id)
        if not folder.is_dir():
            raise NotFound(f"no upload '{upload_id}'")
        shutil.rmtree(folder, ignore_errors=True)
