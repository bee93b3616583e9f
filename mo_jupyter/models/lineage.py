"""A model's lineage: what the job that wrote it ran (its code file's hash, args, the *names* of its
environment variables, backend, machine), what it trained (the task's module, datasets and conf, or
the datasets inserted in the job's project) and how it ended (the last and best value of each
metric). Job records are files anyone may write: every field is taken only when it has the type the
record schema wants, and cut to a bounded size."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Optional

from ..catalog.copying import read_marker
from ..errors import MoError, cut
from ..jobs.metrics import is_chartable, numeric_value
from ..loaders import json_depth_ok
from .files import locate, sha256_of

DATASET_MARKER = ".mo_dataset.json"
MAX_METRICS = 200
MAX_ARGS = 500
MAX_CONF_DEPTH = 32  # a record is read back at depth 64 at most; the conf sits 2 levels down
LOWER_IS_BETTER = re.compile(r"loss|err|mse|mae|rmse|perplexity|wer|cer|distance|time", re.I)


def _text(value, limit: int = 4096) -> Optional[str]:
    return cut(value, limit) if isinstance(value, str) else None


def _number(value) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return None


def lower_is_better(metric: str) -> bool:
    """Whether the best value of ``metric`` is its lowest (losses, errors) or its highest."""
    return bool(LOWER_IS_BETTER.search(metric))


def summarize_metrics(metrics: list) -> dict:
    """``{name: {"last": v, "best": v, "steps": n}}`` over a job's metric records: ``steps`` counts
    the values printed; ``best`` is the lowest of a loss or error, else the highest (finite values
    only); ``last`` is the last value printed (None when it was NaN or infinite)."""
    out: dict[str, dict] = {}
    for m in metrics:
        if not isinstance(m, dict) or not isinstance(m.get("metric"), str):
            continue
        name = cut(m["metric"], 200)
        if name not in out:
            if len(out) >= MAX_METRICS:
                continue
            out[name] = {"last": None, "best": None, "steps": 0}
        entry = out[name]
        entry["steps"] += 1
        if not is_chartable(m):
            value = m.get("value")
            entry["last"] = cut(value, 200) if isinstance(value, str) else value if isinstance(value, bool) else None
            continue
        value = numeric_value(m)
        if value is None or not math.isfinite(value):
            entry["last"] = None
            continue
        raw = m.get("value")
        entry["last"] = raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else value
        best = entry["best"]
        if best is None or (value < best if lower_is_better(name) else value > best):
            entry["best"] = entry["last"]
    return out


def _ref(value) -> Optional[dict]:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return None
    return {"id": cut(value["id"], 201), "version": _text(value.get("version"), 100)}


def inserted_datasets(folders: list[Path]) -> list[dict]:
    """The catalog datasets inserted in these folders (``<folder>/datasets/<owner>-<name>/`` with
    its marker): ids and versions, each once."""
    seen, out = set(), []
    for folder in folders:
        base = folder / "datasets"
        try:
            names = sorted(os.listdir(base)) if base.is_dir() and not base.is_symlink() else []
        except OSError:
            continue
        for name in names[:200]:
            marker = read_marker(base / name / DATASET_MARKER)
            stamp = marker.get("stamp")
            ref = _ref({"id": marker.get("id"), "version": stamp[0] if isinstance(stamp, list) and stamp else None})
            if ref and ref["id"] not in seen:
                seen.add(ref["id"])
                out.append(ref)
    return out


def job_facts(root: Path, view: dict) -> dict:
    """``lineage.job`` of a job's view (GET mo/api/jobs/<id>): never the env's values."""
    code_sha = None
    path = _text(view.get("path"))
    if path:
        try:
            code_sha = sha256_of(locate(root, path, "the job's file")[0])
        except MoError:
            code_sha = None  # the code is gone or became a link: no hash rather than a wrong one
    args = view.get("args")
    env = view.get("env")
    facts = {
        "id": cut(view.get("id"), 100),
        "name": _text(view.get("name"), 500),
        "path": path,
        "code_sha256": code_sha,
        "args": [cut(a, 4096) for a in args[:MAX_ARGS] if isinstance(a, str)] if isinstance(args, list) else [],
        "env_keys": sorted(cut(k, 200) for k in env)[:MAX_ARGS] if isinstance(env, dict) else [],
        "backend": _text(view.get("backend"), 100),
        "machine": _text(view.get("machine"), 100),
        "state": _text(view.get("state"), 40),
        "started": _number(view.get("started")),
        "ended": _number(view.get("ended")),
        "description": _text(view.get("description"), 2000),
    }
    return facts


def job_lineage(root: Path, view: dict, metrics: list, cwd: Optional[Path]) -> dict:
    """The whole lineage of a model written by the job of ``view``."""
    task = view.get("task") if isinstance(view.get("task"), dict) else None
    if task:
        datasets = [d for d in map(_ref, task.get("datasets") or []) if d][:100] \
            if isinstance(task.get("datasets"), list) else []
        conf = task.get("conf") if isinstance(task.get("conf"), dict) else None
        if conf is not None and not json_depth_ok(conf, MAX_CONF_DEPTH):
            conf = {"_note": f"not kept: nested deeper than {MAX_CONF_DEPTH} levels"}
    else:
        folders = [cwd] if cwd else []
        path = _text(view.get("path"))
        if path:
            folders.append((Path(root) / path).parent)
        datasets, conf = inserted_datasets(folders), None
    return {
        "job": job_facts(root, view),
        "task": {"id": cut(task["id"], 100), "name": _text(task.get("name"), 200)}
        if task and isinstance(task.get("id"), str) else None,
        "module": _ref(task.get("module")) if task else None,
        "datasets": datasets,
        "conf": conf,
        "metrics": summarize_metrics(metrics),
    }


def empty_lineage() -> dict:
    return {"job": None, "task": None, "module": None, "datasets": [], "conf": None, "metrics": {}}


def module_name(view: dict) -> Optional[str]:
    """The name part of the job's task's module id (``mo/mnist_cnn`` -> ``mnist_cnn``), if any."""
    task = view.get("task")
    module = task.get("module") if isinstance(task, dict) else None
    ident = module.get("id") if isinstance(module, dict) else None
    return ident.rpartition("/")[2] if isinstance(ident, str) and ident else None


def scrub(value: Any) -> Any:
    """``value`` with every float made finite (JSON has no NaN): NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value
