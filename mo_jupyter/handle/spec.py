"""``app_spec.yml``: read (safe YAML, Mo's legacy keys normalised), validate against
``schema/app_spec.schema.json``, write, and compile into the JSON Schema of a request body
``{"app": {"input": {...}}}`` that the app server validates with."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .. import schemas
from ..catalog.specs import load_yaml
from ..errors import BadRequest

PARAM_KEYS = ("name", "value_type", "default_value", "description", "optional", "value_range")
# Keys a person writes by hand and leaves empty (``value_range:`` or ``value_range: null``): absent.
# ``default_value: null`` is a value (handle gets None), so it is kept.
EMPTY_MEANS_ABSENT = ("name", "description", "optional", "value_range")
TOP_EMPTY_MEANS_ABSENT = ("name", "description", "version", "handler", "timeout", "files")
DEFAULT_HANDLER = "handler.py"
LEGACY = {"des": "description", "default": "default_value", "type": "value_type"}
MEDIA = ("img", "video", "audio", "file")
TYPE_SCHEMA = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string"},
    "[int]": {"type": "array", "items": {"type": "integer"}},
    "[str]": {"type": "array", "items": {"type": "string"}},
    "[float]": {"type": "array", "items": {"type": "number"}},
    **{m: {"type": "string", "minLength": 1} for m in MEDIA},  # base64 or a data URL
}
_RANGE = re.compile(r"^\s*(?P<op>>=|<=)?\s*(?P<a>-?\d+(?:\.\d+)?)\s*(?:-\s*(?P<b>-?\d+(?:\.\d+)?)\s*)?$")


def normalize_param(key: str, param: Any) -> Any:
    """Mo's legacy spellings -> the schema's: des, default, type, required (-> optional)."""
    if not isinstance(param, dict):
        return param
    out = {}
    for k, v in param.items():
        out[LEGACY.get(k, k)] = v
    for k in EMPTY_MEANS_ABSENT:
        if k in out and out[k] is None:
            del out[k]
    if "required" in out and out["required"] is None:
        del out["required"]
    if "required" in out:
        out.setdefault("optional", not bool(out.pop("required")))
    out.setdefault("name", key)
    return out


def normalize(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    data = {k: v for k, v in data.items() if not (k in TOP_EMPTY_MEANS_ABSENT and v is None)}
    for side in ("input", "output"):
        section = data.get(side)
        if isinstance(section, dict):
            data[side] = {k: normalize_param(k, p) for k, p in section.items()}
        elif section is None and side in data:
            data[side] = {}
    return data


def validate(data: Any) -> dict:
    data = normalize(data)
    if isinstance(data, dict) and isinstance(data.get("handler"), str):
        handler_name(data["handler"])  # before the schema: a clearer message than its pattern's
    schemas.validate("app_spec", data)
    for side in ("input", "output"):
        data[side] = data.get(side) or {}
    for key, param in data["input"].items():
        if "value_range" in param:
            parse_range(param["value_range"], param["value_type"], key)
    return data


def handler_name(name: str | None) -> PurePosixPath:
    """The ``handler:`` key as a relative path inside the app's folder: never absolute, never ``..``."""
    name = DEFAULT_HANDLER if name is None else name
    if not isinstance(name, str):
        raise BadRequest(f"handler must be a file name, not a {type(name).__name__}")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name or path.suffix != ".py":
        raise BadRequest(f"handler {name[:100]!r} must be a .py file inside the app's folder "
                         "(a relative path without '..')")
    return path


def handler_file(folder: Path, name: str | None = None) -> Path:
    """The app's handler file in ``folder``, links resolved; BadRequest when it leads out of ``folder``
    (``../x.py``, an absolute path, or a link to a file elsewhere). Nothing is read or imported."""
    rel = handler_name(name)
    root = Path(os.path.realpath(folder))
    path = Path(os.path.realpath(root / rel))
    if root not in path.parents:
        raise BadRequest(f"handler '{rel}' leads out of the app's folder (a link to a file elsewhere)")
    return path


def load_app_spec(path: Path) -> dict:
    """Read and validate ``app_spec.yml``; its ``handler:`` must stay inside the spec's folder."""
    path = Path(path)
    spec = validate(load_yaml(path))
    handler_file(path.parent, spec.get("handler"))
    return spec


def dump_app_spec(spec: dict) -> str:
    """YAML with Mo's key order, readable by a person editing it by hand."""
    ordered: dict = {k: spec[k] for k in ("name", "description", "version", "handler", "timeout", "files")
                     if spec.get(k) not in (None, "", [])}
    for side in ("input", "output"):
        ordered[side] = {key: {k: p[k] for k in PARAM_KEYS if k in p}
                         for key, p in (spec.get(side) or {}).items()}
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, default_flow_style=False)


def parse_range(value_range: Any, value_type: str, key: str = "?") -> dict:
    """A JSON Schema fragment for a value_range: choices -> enum; "a-b", ">=a", "<=a", {min, max}
    -> minimum / maximum (for numbers, and the items of number lists)."""
    if isinstance(value_range, list):
        return {"enum": value_range}
    if isinstance(value_range, dict):
        low, high = value_range.get("min"), value_range.get("max")
    else:
        m = _RANGE.match(str(value_range))
        if not m:
            raise BadRequest(f"input '{key}': value_range {value_range!r} is not a list, 'a-b', '>=a', '<=a' or {{min, max}}")
        a, b = float(m["a"]), (float(m["b"]) if m["b"] is not None else None)
        if m["op"] == ">=":
            low, high = a, None
        elif m["op"] == "<=":
            low, high = None, a
        else:
            low, high = (a, b) if b is not None else (a, a)
    if low is not None and high is not None and low > high:
        raise BadRequest(f"input '{key}': value_range {value_range!r} is empty (min > max)")
    out = {}
    if low is not None:
        out["minimum"] = low
    if high is not None:
        out["maximum"] = high
    return out


def _field_schema(param: dict, key: str) -> dict:
    schema = dict(TYPE_SCHEMA[param["value_type"]])
    if "value_range" in param:
        bounds = parse_range(param["value_range"], param["value_type"], key)
        if "enum" in bounds:
            if schema["type"] == "array":
                schema["items"] = {**schema["items"], **bounds}
            else:
                schema = {**schema, **bounds}
        elif schema["type"] in ("integer", "number"):
            schema.update(bounds)
        elif schema["type"] == "array" and schema["items"]["type"] in ("integer", "number"):
            schema["items"] = {**schema["items"], **bounds}
    if param.get("description"):
        schema["description"] = param["description"]
    return schema


def request_schema(spec: dict) -> dict:
    """The JSON Schema (draft-07, so a compiled validator can take it) of ``{"app": {"input": {...}}}``.
    An input is required unless it is optional or has a default (the default is filled in)."""
    inputs = spec.get("input") or {}
    props = {key: _field_schema(p, key) for key, p in inputs.items()}
    required = [k for k, p in inputs.items() if not p.get("optional") and "default_value" not in p]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["app"],
        "properties": {"app": {
            "type": "object",
            "required": ["input"],
            "properties": {"input": {"type": "object", "properties": props, "required": required,
                                     "additionalProperties": False}},
        }},
    }


def defaults(spec: dict) -> dict:
    return {k: p["default_value"] for k, p in (spec.get("input") or {}).items() if "default_value" in p}
