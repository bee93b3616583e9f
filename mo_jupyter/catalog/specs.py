"""Reading `module_spec.yml` and `dataset.yml`: safe YAML, validated against the JSON Schemas of
``schema/`` (every problem listed), normalised (legacy ``des`` -> ``description``, parameters as a
list with names). Nothing in a spec is ever executed."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import orjson
import yaml

from .. import schemas
from ..errors import BadRequest

MAX_SPEC_BYTES = 1024 * 1024
# The C build of the *safe* loader when PyYAML has it (about 10x faster on a big catalog's scan).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Parse a spec file: a regular file of at most 1 MiB, safe YAML, data that JSON can carry."""
    path = Path(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a folder or a fifo named like a spec: never read it
            raise BadRequest(f"{path.name} is not a regular file")
        if st.st_size > MAX_SPEC_BYTES:
            raise BadRequest(f"{path.name} is larger than {MAX_SPEC_BYTES // 1024} KiB")
        raw = path.read_bytes()[: MAX_SPEC_BYTES + 1]
    except FileNotFoundError:
        raise BadRequest(f"{path.name} is missing") from None
    except OSError as exc:
        raise BadRequest(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise BadRequest(f"{path.name} is larger than {MAX_SPEC_BYTES // 1024} KiB")
    try:
        data = yaml.load(raw, Loader=SafeLoader)  # safe: no tags that build Python objects
    except yaml.YAMLError as exc:
        raise BadRequest(f"{path.name} is not valid YAML: {exc}") from None
    try:  # what the REST API will send must be JSON: no !!binary, no non-string keys
        return orjson.loads(orjson.dumps(data))
    except TypeError as exc:
        raise BadRequest(f"{path.name} holds a value JSON cannot carry: {exc}") from None


def _parameters(section: Any) -> list[dict]:
    if not section:
        return []
    items = section.items() if isinstance(section, dict) else ((p["name"], p) for p in section)
    out = []
    for name, param in items:
        param = dict(param)
        legacy = param.pop("des", None)
        param.setdefault("description", legacy or "")
        param["name"] = name
        param.setdefault("optional", False)
        out.append(param)
    return out


def normalize_module_spec(spec: dict) -> dict:
    spec = dict(spec)
    legacy = spec.pop("des", None)
    spec.setdefault("description", legacy or "")
    for side in ("input", "output"):
        spec[side] = {part: _parameters(params) for part, params in (spec.get(side) or {}).items()}
    return spec


def load_module_spec(path: Path) -> dict:
    data = load_yaml(path)
    schemas.validate("module_spec", data)
    return normalize_module_spec(data)


def load_dataset_spec(path: Path) -> dict:
    data = load_yaml(path)
    schemas.validate("dataset", data)
    return data
