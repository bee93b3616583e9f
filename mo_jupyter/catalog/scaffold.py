"""New module (seed 000, 3.(1) 创建模块): a short form -> ``<folder>/<name>/`` with a module_spec.yml
that the schema and the bounded loader accept, a main.py whose class has the declared methods (stubs
that run and return the declared outputs), and a README.md with the parameter tables. The result
passes the publish check as it is; the user fills in the methods and publishes."""

from __future__ import annotations

import keyword
import os
import shutil
import tempfile
from pathlib import Path

from .. import schemas
from ..atomic import write_atomic
from ..errors import BadRequest, Conflict, cut
from ..paths import resolve_in_root
from .cells import class_name
from .index import MODULE_SPEC
from .specs import dump_yaml

ACTIONS = ("predict", "train", "run")
SCALARS = {"str": str, "int": int, "float": (int, float), "bool": bool, "datetime": str}
PLACEHOLDER = {"str": "", "int": 0, "float": 0.0, "bool": False, "datetime": "",
               "[int]": [], "[str]": [], "[float]": []}


def _check_default(action: str, param: dict) -> None:
    if "default_value" not in param or param["default_value"] is None:
        return
    value, kind = param["default_value"], param["value_type"]
    where = f"input.{action}.{param['name']}"
    if kind.startswith("["):
        item = SCALARS[kind[1:-1]]
        ok = isinstance(value, list) and all(isinstance(v, item) and not isinstance(v, bool) for v in value)
    elif kind in SCALARS:
        ok = isinstance(value, SCALARS[kind]) and (kind == "bool" or not isinstance(value, bool))
    else:  # img, video, audio, file: a path
        ok = isinstance(value, str)
    if not ok:
        raise BadRequest(f"{where}: default {cut(repr(value), 80)} is not a {kind}")


def _section(action: str, params: list[dict], side: str) -> dict:
    out: dict = {}
    for param in params or []:
        name = param["name"]
        if keyword.iskeyword(name):
            raise BadRequest(f"{side}.{action}: '{name}' is a Python keyword; choose another name")
        if name in out:
            raise BadRequest(f"{side}.{action}: '{name}' is given twice")
        if side == "input":
            _check_default(action, param)
        entry = {"value_type": param["value_type"]}
        if param.get("default_value") is not None:
            entry["default_value"] = param["default_value"]
        if param.get("description"):
            entry["description"] = param["description"]
        out[name] = entry
    return out


def build_spec(form: dict) -> dict:
    """The module_spec.yml data of a valid form (``catalog_requests#module_new``)."""
    name = form["name"]
    if keyword.iskeyword(name):
        raise BadRequest(f"name '{name}' is a Python keyword; it cannot be imported")
    actions = [a for a in ACTIONS if a in form["actions"]]
    if not actions:
        raise BadRequest("choose at least one of predict, train and run")
    for side, allowed in (("inputs", actions), ("outputs", [a for a in actions if a != "train"])):
        extra = sorted(set(form.get(side) or {}) - set(allowed))
        if extra:
            raise BadRequest(f"{side} of {', '.join(extra)}, which the module does not offer "
                             f"(actions: {', '.join(actions)})")
    spec: dict = {"name": name, "version": form.get("version") or "0.1.0",
                  "description": form.get("description") or "",
                  "category": form.get("category") or ("toolkit" if actions == ["run"] else "model"),
                  "tags": list(form.get("tags") or [])}
    spec["input"] = {a: _section(a, (form.get("inputs") or {}).get(a), "input") for a in actions}
    outputs = {a: _section(a, (form.get("outputs") or {}).get(a), "output") for a in actions if a != "train"}
    if outputs:
        spec["output"] = outputs
    schemas.validate("module_spec", spec)
    return spec


def _doc(text: str) -> str:
    """Text that may stand inside a triple-quoted docstring."""
    return " ".join(text.split())[:200].replace("\\", "/").replace('"', "'")


def main_py(spec: dict) -> str:
    cls = class_name(spec["name"])
    lines = [f'"""{spec["name"]}: {_doc(spec.get("description") or "a new module")}',
             "",
             f"    from modules.{spec['name']}.main import {cls}",
             f"    {cls}().{next(iter(spec['input']))}({{...}})",
             '"""', "", "from pathlib import Path", "", "HERE = Path(__file__).resolve().parent", "", "",
             f"class {cls}:", "    def __init__(self):",
             "        # Load weights from HERE / 'results' here (they are published with the module).",
             "        pass"]
    for action in ACTIONS:
        if action not in spec["input"]:
            continue
        params = spec["input"][action]
        lines += ["", f"    def {action}(self, conf):"]
        doc = ", ".join(f"{n} ({p['value_type']})" for n, p in params.items()) or "no parameters"
        lines.append(f'        """{action.capitalize()}. conf: {doc}."""')
        for n, p in params.items():
            lines.append(f"        {n} = conf.get({n!r}, {p.get('default_value')!r})")
        if action == "train":
            lines += ["        # TODO: train, and save the model under HERE / 'results'",
                      "        return {" + ", ".join(f"{n!r}: {n}" for n in params) + "}"]
        else:
            lines.append(f"        # TODO: {action} with the parameters above")
            outs = spec.get("output", {}).get(action, {})
            lines.append("        return {" + ", ".join(f"{n!r}: {PLACEHOLDER.get(p['value_type'])!r}"
                                                 for n, p in outs.items()) + "}")
    return "\n".join(lines) + "\n"


def _table(params: dict, defaults: bool = True) -> list[str]:
    if not params:
        return ["No parameters.", ""]
    rows = (["| name | type | default | description |", "| --- | --- | --- | --- |"] if defaults
            else ["| name | type | description |", "| --- | --- | --- |"])
    for n, p in params.items():
        desc = " ".join(str(p.get("description") or "").split()).replace("|", "\\|")
        default = [] if not defaults else ["" if p.get("default_value") is None else f"`{p['default_value']!r}`"]
        rows.append("| " + " | ".join([f"`{n}`", p["value_type"], *default, desc]) + " |")
    return [*rows, ""]


def readme(spec: dict) -> str:
    lines = [f"# {spec['name']}", "", spec.get("description") or "A new module.", ""]
    for action in ACTIONS:
        if action not in spec["input"]:
            continue
        lines += [f"## {action}", "", "Input:", "", *_table(spec["input"][action])]
        if action in spec.get("output", {}):
            lines += ["Output:", "", *_table(spec["output"][action], defaults=False)]
    cls = class_name(spec["name"])
    lines += ["## Use", "", "```python", f"from modules.{spec['name']}.main import {cls}", "",
              f"result = {cls}().{next(iter(spec['input']))}(conf)", "```", ""]
    return "\n".join(lines)


def new_module(root: Path, form: dict) -> dict:
    """Write ``<folder>/<name>/`` from ``form``; 409 when it exists, 400 for a bad form."""
    schemas.validate("catalog_requests#module_new", form)
    spec = build_spec(form)
    parent, parent_rel = resolve_in_root(root, form.get("folder") or ".", must_exist=False)
    if parent.exists() and not parent.is_dir():
        raise BadRequest(f"'{cut(parent_rel, 200)}' is not a folder")
    target = parent / spec["name"]
    rel = target.relative_to(os.path.realpath(root)).as_posix()
    if os.path.lexists(target):
        raise Conflict(f"'{cut(rel, 200)}' already exists; choose another name or folder", reason="exists")
    files = {MODULE_SPEC: dump_yaml(spec, MODULE_SPEC), "main.py": main_py(spec), "README.md": readme(spec)}
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".mo-new-{spec['name']}-", dir=parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp's 0700 would keep the module from the team's eyes
        for name, text in files.items():
            write_atomic(staging / name, text)
        try:
            os.mkdir(target)  # the claim: another writer that got there first wins
        except FileExistsError:
            raise Conflict(f"'{cut(rel, 200)}' already exists; choose another name or folder",
                           reason="exists") from None
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"path": rel, "name": spec["name"], "class_name": class_name(spec["name"]),
            "files": [f"{rel}/{name}" for name in files], "main": f"{rel}/main.py"}
