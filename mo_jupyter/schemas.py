"""The JSON Schemas of ``schema/`` (the single source of truth), compiled once, used to validate."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .errors import BadRequest, cut

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

_HERE = Path(__file__).resolve().parent
# Installed wheels carry the folder as mo_jupyter/schema; a source checkout has it beside the package.
SCHEMA_DIRS = (_HERE / "schema", _HERE.parent / "schema")


def schema_path(name: str) -> Path:
    for folder in SCHEMA_DIRS:
        candidate = folder / f"{name}.schema.json"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"schema {name!r} not found in {', '.join(map(str, SCHEMA_DIRS))}")


@functools.lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    """``name`` is a schema file's stem, or ``stem#def`` for one entry of its ``$defs``. jsonschema is
    imported on the first validation (its format checkers take a second to import: a CLI command
    that validates nothing starts without them)."""
    from jsonschema import Draft202012Validator

    stem, _, part = name.partition("#")
    schema = orjson.loads(schema_path(stem).read_bytes())
    Draft202012Validator.check_schema(schema)
    if part:
        if part not in schema.get("$defs", {}):
            raise KeyError(f"schema {stem!r} has no $defs entry {part!r}")
        schema = {"$schema": schema["$schema"], "$id": schema["$id"], "$defs": schema["$defs"],
                  "$ref": f"#/$defs/{part}"}
    return Draft202012Validator(schema)


def warm(*names: str) -> None:
    """Compile these schemas now (and import jsonschema): a server does it at start, so that its first
    request does not pay the import; the command line does not, and starts fast."""
    for name in names:
        validator(name)


def _where(error) -> str:
    return cut("/".join(str(p) for p in error.absolute_path) or "(body)", 120)


def _problem(error) -> str:
    """One problem, e.g. ``args/0: 3 is not of type 'string'``. jsonschema's message repeats the
    value (its repr): a value of a megabyte is cut to its start and end here."""
    return f"{_where(error)}: {cut(error.message, 160)}"


def validate(name: str, data: Any) -> None:
    """Raise BadRequest listing every problem, e.g. ``args/0: 3 is not of type 'string'`` (the
    message is cut: see errors.cut)."""
    errors = sorted(validator(name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        detail = "; ".join(_problem(e) for e in errors[:20])
        what = name.rpartition("#")[2].replace("_", " ")
        raise BadRequest(f"invalid {what}: {detail}")
