"""Reading `module_spec.yml` and `dataset.yml`: safe YAML, validated against the JSON Schemas of
``schema/`` (every problem listed), normalised (legacy ``des`` -> ``description``, parameters as a
list with names). Nothing in a spec is ever executed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .. import schemas
from ..errors import BadRequest

MAX_SPEC_BYTES = 1024 * 1024
# The C build of the *safe* loader when PyYAML has it (about 10x faster on a big catalog's scan).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadRequest(f"{path.name} is missing") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise BadRequest(f"{path.name} is larger than {MAX_SPEC_BYTES // 1024} KiB")
    try:
        return yaml.load(raw, Loader=SafeLoader)  # safe: no tags that build Python objects
    except yaml.YAMLError as exc:
        raise BadRequest(f"{path.name} is not valid YAML: {exc}") from None


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
