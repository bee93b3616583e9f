"""Reading `module_spec.yml` and `dataset.yml` (and, for handle/spec.py, `app_spec.yml`): safe YAML
through the bounded loader of mo_jupyter/loaders.py, validated against the JSON Schemas of
``schema/`` (every problem listed), normalised (legacy ``des`` -> ``description``, parameters as a
list with names). Nothing in a spec is ever executed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .. import schemas
from ..errors import TooLarge
from ..loaders import SPEC_LIMITS, load_yaml_file, load_yaml_text

MAX_SPEC_BYTES = SPEC_LIMITS.max_bytes


def load_yaml(path: Path) -> Any:
    """Parse a spec file: a regular file of at most 1 MiB, safe YAML bounded in what it expands to
    (loaders.SPEC_LIMITS), data that JSON can carry."""
    return load_yaml_file(path, SPEC_LIMITS)


def dump_yaml(data: Any, what: str) -> str:
    """``data`` as the YAML text of a spec, refused (before anything is written) when the loader
    would refuse to read it back: a spec written must always load again."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if len(text.encode("utf-8")) > MAX_SPEC_BYTES:
        raise TooLarge(f"{what} would be larger than {MAX_SPEC_BYTES // 1024} KiB; shorten the description "
                       "or other long fields")
    load_yaml_text(text, what, SPEC_LIMITS)  # the same bounds as on reading (e.g. nesting depth)
    return text


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
