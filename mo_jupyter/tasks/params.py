"""A module's ``training`` key and ``input.train`` parameters as a training task sees them: the JSON
Schema of the user's parameters (the form's and the server's check: one schema for both), the split
choices a module and a dataset allow, and the conf that ``train(conf)`` gets."""

from __future__ import annotations

import posixpath
from typing import Any

from jsonschema import Draft202012Validator

from ..errors import BadRequest, Conflict, cut

SCALARS = {"int": {"type": "integer"}, "float": {"type": "number"}, "str": {"type": "string"},
           "bool": {"type": "boolean"}, "img": {"type": "string"}, "video": {"type": "string"},
           "audio": {"type": "string"}, "file": {"type": "string"}, "datetime": {"type": "string"}}
ARRAYS = {"[int]": "int", "[float]": "float", "[str]": "str"}
NUMERIC = ("integer", "number")
FILE_SUFFIXES = {"npz": (".npz",), "csv": (".csv",), "json": (".json", ".jsonl"),
                 "single_text": (".txt", ".text", ".tsv")}
"""Formats whose data parameter gets the dataset's one file of that kind; dir and brat_ann get the folder."""
SPLIT_KINDS = ("dataset", "independent", "ratio")
MAX_PARAMS_BYTES = 32 * 1024


def train_params(spec: dict) -> list[dict]:
    return list(((spec.get("input") or {}).get("train")) or [])


def purposes_of(spec: dict) -> list[str]:
    purpose = spec.get("purpose")
    if purpose is None:
        return []
    return [purpose] if isinstance(purpose, str) else list(purpose)


def training_problems(spec: dict) -> list[str]:
    """What is wrong with a module spec's ``training`` key beyond its schema: every name it gives
    must be an input.train parameter, one role each; the split parameter a number."""
    training = spec.get("training")
    if not training:
        return []
    params = {p["name"]: p for p in train_params(spec)}
    problems = []
    roles = [("data", training.get("data"))] + [("split", training.get("split"))] \
        + [("model", m) for m in training.get("model") or []] + [("start_model", training.get("start_model"))]
    seen: dict[str, str] = {}
    for role, name in roles:
        if name is None:
            continue
        if name not in params:
            problems.append(f"training.{role}: '{name}' is not a parameter of input.train")
        elif name in seen:
            problems.append(f"training.{role}: '{name}' is already training.{seen[name]}")
        seen.setdefault(name, role)
    predict_model = training.get("predict_model")
    predict = (spec.get("input") or {}).get("predict") or {}
    names = {p.get("name") for p in predict} if isinstance(predict, list) else set(predict)
    if predict_model is not None and predict_model not in names:
        problems.append(f"training.predict_model: '{predict_model}' is not a parameter of input.predict")
    split = training.get("split")
    if split in params and params[split].get("value_type") not in ("float", "int"):
        problems.append(f"training.split: '{split}' must be a float parameter (the train share)")
    return problems


def training_of(spec: dict, module_id: str) -> dict:
    """The module's ``training`` key, checked; BadRequest when the module cannot be trained by a task."""
    if "train" not in (spec.get("input") or {}):
        raise BadRequest(f"module '{module_id}' has no train(); a training task needs one")
    training = spec.get("training")
    if not training:
        raise BadRequest(f"module '{module_id}' has no 'training' key in its module_spec.yml (which input.train "
                         "parameters take the dataset and the model), so a training task cannot call its train()")
    problems = training_problems(spec)
    if problems:
        raise BadRequest(f"module '{module_id}': its 'training' key is wrong: " + "; ".join(problems))
    return {"formats": list(training["formats"]), "data": training["data"], "split": training.get("split"),
            "model": list(training["model"]), "start_model": training.get("start_model")}


def task_set(training: dict) -> set[str]:
    """The parameters the task sets itself (the user does not)."""
    return {training["data"], *training["model"], *([training["split"]] if training.get("split") else [])}


# ---- the user's parameters ------------------------------------------------------------------
def _type_schema(value_type: str, value_range: Any) -> dict:
    if value_type in ARRAYS:
        item = _type_schema(ARRAYS[value_type], value_range)
        return {"type": "array", "maxItems": 10_000, "items": item}
    schema = dict(SCALARS.get(value_type, {}))
    if isinstance(value_range, list) and value_range:
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value_range)
        if schema.get("type") in NUMERIC and numbers and len(value_range) == 2:
            schema["minimum"], schema["maximum"] = min(value_range), max(value_range)
        else:
            schema["enum"] = list(value_range)
    if schema.get("type") == "string":
        schema["maxLength"] = 4096
    return schema


def param_schema(param: dict) -> dict:
    schema = {"title": param["name"], **_type_schema(param.get("value_type", "str"), param.get("value_range"))}
    if param.get("description"):
        schema["description"] = cut(" ".join(str(param["description"]).split()), 2000)
    if param.get("default_value") is not None:
        default = param["default_value"]
        check = {k: v for k, v in schema.items() if k not in ("title", "description")}
        if Draft202012Validator(check).is_valid(default):  # a default the schema refuses is no default
            schema["default"] = default
    return schema


def params_schema(spec: dict, training: dict) -> tuple[dict, list[str]]:
    """The JSON Schema of the task's user-editable parameters (input.train less the ones the task
    sets), and their order in the spec."""
    skip = task_set(training)
    props, order, required = {}, [], []
    for param in train_params(spec):
        if param["name"] in skip:
            continue
        props[param["name"]] = param_schema(param)
        order.append(param["name"])
        if not param.get("optional"):
            required.append(param["name"])
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "additionalProperties": False, "properties": props, "required": required}
    return schema, order


def check_params(spec: dict, training: dict, params: dict) -> dict:
    """``params`` over the defaults, checked against the generated schema (BadRequest naming each
    field and its problem); returns the values the conf takes."""
    schema, _ = params_schema(spec, training)
    merged = {name: s["default"] for name, s in schema["properties"].items() if "default" in s}
    merged.update(params or {})
    errors = sorted(Draft202012Validator(schema).iter_errors(merged), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        problems = []
        for error in errors[:20]:
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"params{'/' + where if where else ''}: {cut(error.message, 160)}")
        raise BadRequest("invalid parameters: " + "; ".join(problems))
    return merged


# ---- the split ------------------------------------------------------------------------------
def _ratio_bounds(spec: dict, training: dict) -> tuple[float, float]:
    """The train shares the split parameter takes: (0, 1], within its value_range if it has one."""
    low, high = 0.0, 1.0
    params = {p["name"]: p for p in train_params(spec)}
    rng = params.get(training.get("split") or "", {}).get("value_range")
    if isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, (int, float)) for v in rng):
        low, high = max(low, float(min(rng))), min(high, float(max(rng)))
    return low, high


def _in_bounds(ratio: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= ratio <= bounds[1] and ratio > 0


def split_kinds(spec: dict, training: dict, meta: dict) -> list[str]:
    """The splits a module and a dataset allow: an independent test set as it is (and a ratio when
    the module takes one); a dataset with a train share: that share or a typed ratio when the module
    takes one, else the dataset as it is (the module splits as it does)."""
    test_set = meta.get("test_set")
    has_split = bool(training.get("split"))
    if test_set == "independent":
        return ["independent", "ratio"] if has_split else ["independent"]
    if not has_split:
        return ["dataset"]
    kinds = []
    if isinstance(test_set, (int, float)) and _in_bounds(float(test_set), _ratio_bounds(spec, training)):
        kinds.append("dataset")
    return kinds + ["ratio"]


def resolve_split(spec: dict, training: dict, meta: dict, split: dict | None,
                  dataset_id: str) -> tuple[dict, float | None]:
    """The split as the task records it and the train share its conf passes (None: none passed)."""
    kinds = split_kinds(spec, training, meta)
    split = split or {"kind": kinds[0]}
    kind = split.get("kind")
    if kind not in kinds:
        raise BadRequest(f"split '{cut(kind, 40)}' is not possible with dataset '{dataset_id}' "
                         f"(test_set {meta.get('test_set')}) and this module; choose: {', '.join(kinds)}")
    if kind == "ratio":
        if "ratio" not in split:
            raise BadRequest('split/ratio: a ratio split needs the train share, e.g. {"kind": "ratio", "ratio": 0.8}')
        ratio = float(split["ratio"])
        low, high = _ratio_bounds(spec, training)
        if not _in_bounds(ratio, (low, high)):
            narrower = f", from {low} to {high} for '{training['split']}'" if (low, high) != (0.0, 1.0) else ""
            raise BadRequest(f"split/ratio: {ratio} is out of range; the train share must be > 0 and <= 1{narrower}")
        return {"kind": "ratio", "ratio": ratio}, ratio
    if "ratio" in split:
        raise BadRequest(f"split/ratio: only a split of kind 'ratio' takes one (this one is '{kind}')")
    if kind == "dataset" and isinstance(meta.get("test_set"), (int, float)):
        ratio = float(meta["test_set"])
        return {"kind": "dataset", "ratio": ratio}, ratio if training.get("split") else None
    return {"kind": kind}, None


# ---- where the task's files go ----------------------------------------------------------------
def model_paths(spec: dict, training: dict) -> dict[str, str]:
    """Each model parameter -> the file it saves to, relative to the task folder: its default when
    that is a plain relative path, else results/<parameter>."""
    params = {p["name"]: p for p in train_params(spec)}
    out = {}
    for name in training["model"]:
        value = params[name].get("default_value")
        norm = posixpath.normpath(value) if isinstance(value, str) and value.strip() else ""
        if not norm or norm.startswith(("/", "..")) or norm == "." or "\\" in norm or "\x00" in norm:
            norm = f"results/{name}"
        out[name] = norm
    return out


def data_file(folder, fmt: str, dataset_id: str) -> str | None:
    """The dataset's file the data parameter gets, relative to the dataset's folder (None: the
    folder itself)."""
    suffixes = FILE_SUFFIXES.get(fmt)
    if suffixes is None:
        return None
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and path.suffix.lower() in suffixes and not any(p.startswith(".") for p in rel.parts):
            return rel.as_posix()
    raise Conflict(f"dataset '{dataset_id}' (format {fmt}) holds no {'/'.join(suffixes)} file")
