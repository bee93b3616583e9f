"""A service's record, ``<root>/.mo/services/<id>/service.json``: the one place it is read and
checked. A record is a file that a user, another program or an unpacked archive can write, and its
fields end up in a URL (the port), a process's environment (the key) and a backend's calls, so each
field is checked for type and range before anything uses it: a port like ``"1@host:80"`` or
``True`` is a broken record, never an address."""

from __future__ import annotations

import hmac
import os
import re
import secrets
from pathlib import Path

import orjson

from ..errors import BadRequest, cut
from ..atomic import write_temp

RECORD = "service.json"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}-(dev|prod)$")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
MAX_REPLICAS = 16
MAX_RECORD = 4 * 1024 * 1024
PORTS = (1024, 65535)


class BrokenRecord(BadRequest):
    """A service.json that cannot be used as it is (shown as the service's reason)."""


def new_key() -> str:
    """A service's access key: what a replica of a protected service asks for in ``X-Mo-Key``."""
    return secrets.token_urlsafe(24)


def key_matches(record: dict, given: str | None) -> bool:
    """Whether ``given`` is the service's key (a constant-time comparison)."""
    key = record.get("key")
    if not isinstance(given, str) or not isinstance(key, str) or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), key.encode("utf-8"))


def valid_port(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not PORTS[0] <= value <= PORTS[1]:
        raise BrokenRecord(f"its port must be a whole number from {PORTS[0]} to {PORTS[1]}, not "
                           f"{cut(repr(value), 40)}")
    return value


def _int(record: dict, name: str, low: int, high: int, default=None):
    value = record.get(name, default)
    if value is None and default is None and name not in record:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BrokenRecord(f"its '{name}' must be a whole number from {low} to {high}, not {cut(repr(value), 40)}")
    return value


def check_record(record, folder_name: str | None = None) -> dict:
    """``record`` checked field by field (the fields a backend, the proxy or a process gets)."""
    if not isinstance(record, dict):
        raise BrokenRecord("it is not a JSON object")
    sid = record.get("id")
    if not isinstance(sid, str) or not ID_RE.match(sid) or (folder_name is not None and sid != folder_name):
        raise BrokenRecord(f"its id {cut(repr(sid), 80)} is not the service's folder name")
    for name in ("name", "version", "backend"):
        if not isinstance(record.get(name), str) or not record[name]:
            raise BrokenRecord(f"its '{name}' must be a non-empty string")
    if record["version"] not in ("dev", "prod"):
        raise BrokenRecord("its 'version' must be dev or prod")
    valid_port(record.get("port"))
    _int(record, "replicas", 0, MAX_REPLICAS, default=-1)
    _int(record, "last_replicas", 0, MAX_REPLICAS)
    key = record.get("key")
    if key is not None and (not isinstance(key, str) or not KEY_RE.match(key)):
        raise BrokenRecord("its 'key' must be 16 to 128 letters, digits, '-' or '_'")
    if not isinstance(record.get("protected", False), bool):
        raise BrokenRecord("its 'protected' must be true or false")
    timeout = record.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not 0 < timeout <= 86400):
        raise BrokenRecord("its 'timeout' must be a number of seconds from 0 to 86400")
    machine = record.get("machine", "cpu")
    if not isinstance(machine, str) or not re.match(r"^[A-Za-z0-9_.-]{1,40}$", machine):
        raise BrokenRecord("its 'machine' is not a machine type name")
    return record


def read_record(folder: Path) -> dict:
    """``folder/service.json``, checked; FileNotFoundError when there is none, BrokenRecord when it
    cannot be used (too large, not JSON, a field of the wrong type or range)."""
    path = Path(folder) / RECORD
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)  # a link planted in place of the record: ELOOP
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_RECORD + 1)
    if len(data) > MAX_RECORD:
        raise BrokenRecord(f"service.json is over {MAX_RECORD // (1024 * 1024)} MiB")
    try:
        record = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BrokenRecord("service.json is not valid JSON") from None
    return check_record(record, Path(folder).name)


def write_record(folder: Path, record: dict) -> None:
    """Write the record (mode 0600: it holds the service's key)."""
    path = Path(folder) / RECORD
    tmp = write_temp(path, orjson.dumps(record, option=orjson.OPT_INDENT_2))
    try:
        os.chmod(tmp, 0o600)  # before it takes the record's name: never readable by others
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
