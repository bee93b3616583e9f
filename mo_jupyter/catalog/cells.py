"""The code cells that insertion puts into a notebook. They need nothing but the copied module or
the linked dataset (and numpy for an npz), so they run in a kernel and in a job container alike."""

from __future__ import annotations

import datetime as _dt
import keyword
import zipfile
from pathlib import Path

ACTION_METHOD = {"predict": "predict", "train": "train", "run": "run"}


def class_name(module_name: str) -> str:
    """``iris_classifier`` -> ``IrisClassifier`` (the class a module's main.py defines)."""
    parts = [p for p in module_name.replace("-", "_").replace(".", "_").split("_") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Module"


def python_name(module_name: str) -> str:
    name = module_name.replace("-", "_").replace(".", "_")
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"m_{name}"


RESERVED = {"data", "data_dir", "np", "Path", "csv", "rows", "f"}  # names the cells use themselves


def _literal(value) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return repr(value.isoformat())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)
    return repr(str(value))


def _comment(param: dict) -> str:
    bits = [param.get("value_type", "")]
    if param.get("value_range") is not None:
        bits.append(f"range {_literal(param['value_range'])}")
    if not param.get("optional") and "default_value" not in param:
        bits.append("required")
    elif param.get("optional"):
        bits.append("optional")
    desc = " ".join(str(param.get("description") or "").split())
    text = ", ".join(b for b in bits if b) + (f": {desc}" if desc else "")
    return text[:160]


def conf_lines(params: list[dict]) -> list[str]:
    if not params:
        return ["conf = {}"]
    lines = ["conf = {"]
    for p in params:
        value = _literal(p.get("default_value")) if "default_value" in p else "None"
        lines.append(f"    {p['name']!r}: {value},  # {_comment(p)}")
    lines.append("}")
    return lines


def beside_notebook(target: str) -> str:
    """An insertion target (``<notebook folder>/<container>/<leaf>``, relative to the project root)
    as the notebook's kernel sees it: ``<container>/<leaf>``, since the kernel runs in the
    notebook's folder (``work/nlp/datasets/mo-x`` -> ``datasets/mo-x``)."""
    return "/".join(Path(target).parts[-2:])


def module_cell(owner: str, name: str, version: str, target: str, action: str, spec: dict) -> str:
    cls, var = class_name(name), python_name(name)
    package = Path(target).name
    params = (spec.get("input") or {}).get(action) or []
    method = ACTION_METHOD[action]
    lines = [
        f"# {owner}/{name} {version}: {method}() (module copied to ./{beside_notebook(target)}; "
        "inserted by mo_jupyter)",
        f"from modules.{python_name(package)}.main import {cls}",
        "",
        f"{var} = {cls}()",
        *conf_lines(params),
        f"result = {var}.{method}(conf)",
        "result",
    ]
    return "\n".join(lines)


def _npz_keys(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:  # an .npz is a zip of .npy files: read names, load nothing
            return [n[:-4] for n in zf.namelist() if n.endswith(".npy")]
    except (zipfile.BadZipFile, OSError):
        return []


def _first(folder: Path, suffixes: tuple[str, ...]) -> Path | None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in suffixes and not path.name.startswith("."):
            return path
    return None


def dataset_cell(meta: dict, folder: Path, target: str) -> str:
    """A cell that loads the inserted dataset in the way its format calls for, from the notebook's
    folder (where its kernel runs), wherever that folder is in the project."""
    target = beside_notebook(target)
    fmt = meta.get("format")
    head = f"# dataset {meta['owner']}/{meta['name']} {meta.get('version', '')} ({fmt}; linked read-only at ./{target})"
    lines = [head, "from pathlib import Path", "", f"data_dir = Path({target!r})"]
    if fmt == "npz" and (npz := _first(folder, (".npz",))):
        rel = npz.relative_to(folder).as_posix()
        keys = _npz_keys(npz)
        lines += ["import numpy as np", "", f"data = np.load(data_dir / {rel!r})"]
        lines += [f"{k} = data[{k!r}]" for k in keys
                  if k.isidentifier() and not keyword.iskeyword(k) and k not in RESERVED]
        lines += ["print({k: v.shape for k, v in data.items()})"]
    elif fmt == "csv" and (csv_file := _first(folder, (".csv",))):
        rel = csv_file.relative_to(folder).as_posix()
        lines += ["import csv", "", f"with open(data_dir / {rel!r}, newline='', encoding='utf-8') as f:",
                  "    rows = list(csv.DictReader(f))", "print(len(rows), 'rows; columns:', list(rows[0]) if rows else [])"]
    elif fmt == "dir":
        split = "train/" if meta.get("test_set") == "independent" else ""
        lines += [
            f"# one folder per class{' (train/ and test/ hold the independent splits)' if split else ''}",
            f"train_dir = data_dir{' / ' + repr('train') if split else ''}",
            "classes = sorted(p.name for p in train_dir.iterdir() if p.is_dir())",
            "samples = [(f, c) for c in classes for f in sorted((train_dir / c).iterdir()) if f.is_file()]",
            "print(len(samples), 'samples in', len(classes), 'classes:', classes)",
        ]
    else:
        lines += ["files = sorted(p for p in data_dir.rglob('*') if p.is_file())",
                  "print(len(files), 'files, e.g.', [str(p) for p in files[:5]])"]
    return "\n".join(lines)
