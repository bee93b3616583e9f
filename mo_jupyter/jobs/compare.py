"""Compare jobs: a table of their parameters against each metric's last and best value.

The same rules as the front end's Compare tab (labextension/src/compare/table.ts):

- Parameters: backend, machine, the arguments (``args`` as one shell-quoted string, and every
  ``--flag value`` / ``--flag=value`` in them as its own column), ``env.KEY``, and from a training
  task (``job["task"]``): ``task``, ``module`` and ``datasets`` (``id@version``) and ``conf.KEY``.
  A parameter *differs* when the jobs do not all have the same value (a missing one counts as "").
- Metrics: charted points only (numbers; NaN / Infinity markers count for ``last``). ``last`` is
  the last point's value, ``best`` the minimum of the finite values for a name containing
  ``loss`` or ``error`` (any case), else their maximum.
- Columns: ``id``, ``name``, the parameters, then ``<metric> last`` and ``<metric> best`` for
  every charted metric in first-seen order (jobs in the order given).
"""

from __future__ import annotations

import csv
import math
import shlex
from typing import IO, Any, Optional

import orjson

from .metrics import numeric_value

Table = dict  # {"columns": [{"key", "label", "kind", "differs"}], "rows": [{"id", "values": {key: value}}]}


def lower_is_better(metric: str) -> bool:
    name = metric.lower()
    return "loss" in name or "error" in name


def format_param(value: Any) -> str:
    """A parameter value as text, as the front end writes it (JSON for non-strings, 1.0 as 1)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return orjson.dumps(value).decode()
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, int):
        return str(value)
    return orjson.dumps(value).decode()


def format_number(v: float) -> str:
    """Numbers as JavaScript's String() writes them for the common cases (1.0 -> 1, NaN, Infinity)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if float(v).is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(float(v))


def arg_flags(args: list[str]) -> list[tuple[str, str]]:
    """``--flag value`` and ``--flag=value`` pairs (a flag with no value: "true")."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and len(a) > 2:
            if "=" in a:
                key, _, value = a.partition("=")
                out.append((key, value))
            elif i + 1 < len(args) and not args[i + 1].startswith("--"):
                out.append((a, args[i + 1]))
                i += 1
            else:
                out.append((a, "true"))
        i += 1
    return out


def job_params(job: dict) -> list[tuple[str, str, str]]:
    """(key, label, value) of one job's parameters, in the table's order."""
    out = [("backend", "backend", job.get("backend") or ""), ("machine", "machine", job.get("machine") or "")]
    args = [str(a) for a in job.get("args") or []]
    out.append(("args", "args", shlex.join(args)))
    out += [(f"arg:{k}", k, v) for k, v in arg_flags(args)]
    env = job.get("env") or {}
    out += [(f"env:{k}", f"env.{k}", str(env[k])) for k in sorted(env)]
    task = job.get("task")
    if isinstance(task, dict):
        module = task.get("module") or {}
        out.append(("task", "task", str(task.get("name") or task.get("id") or "")))
        if module:
            out.append(("module", "module", _versioned(module)))
        datasets = task.get("datasets") or []
        if datasets:
            out.append(("datasets", "datasets", ", ".join(_versioned(d) for d in datasets)))
        conf = task.get("conf") or {}
        out += [(f"conf:{k}", f"conf.{k}", format_param(conf[k])) for k in sorted(conf)]
    return out


def _versioned(ref: dict) -> str:
    return f"{ref.get('id', '')}@{ref['version']}" if ref.get("version") else str(ref.get("id", ""))


def metric_summary(metrics: list[dict]) -> dict[str, dict[str, Optional[float]]]:
    """{name: {"last": v, "best": v}} of the charted metrics, in first-seen order."""
    out: dict[str, dict[str, Optional[float]]] = {}
    for m in metrics:
        y = numeric_value(m)
        if y is None:
            continue
        name = m["metric"]
        s = out.setdefault(name, {"last": None, "best": None})
        s["last"] = y
        if math.isfinite(y):
            best = s["best"]
            if best is None or (y < best if lower_is_better(name) else y > best):
                s["best"] = y
    return out


def compare_table(jobs: list[dict], metrics: dict[str, list[dict]]) -> Table:
    """The comparison of ``jobs`` (job views) given each one's metrics (by job id)."""
    columns: list[dict] = [
        {"key": "id", "label": "id", "kind": "job", "differs": False},
        {"key": "name", "label": "name", "kind": "job", "differs": False},
    ]
    params: dict[str, str] = {}  # key -> label, first-seen order
    names: dict[str, None] = {}
    rows = []
    per_job = []
    for job in jobs:
        values: dict[str, Any] = {"id": job["id"], "name": job.get("name") or ""}
        for key, label, value in job_params(job):
            params.setdefault(key, label)
            values.setdefault(key, value)
        summary = metric_summary(metrics.get(job["id"]) or [])
        for name, s in summary.items():
            names.setdefault(name, None)
            values[f"metric:{name}:last"] = s["last"]
            values[f"metric:{name}:best"] = s["best"]
        per_job.append(values)
    for key, label in _ordered(params):
        distinct = {v.get(key, "") for v in per_job}
        columns.append({"key": key, "label": label, "kind": "param", "differs": len(distinct) > 1})
    for name in names:
        for which in ("last", "best"):
            columns.append({"key": f"metric:{name}:{which}", "label": f"{name} {which}", "kind": "metric",
                            "differs": False})
    for values in per_job:
        rows.append({"id": values["id"], "values": {c["key"]: values.get(c["key"]) for c in columns}})
    return {"columns": columns, "rows": rows}


_GROUPS = ("backend", "machine", "args", "arg:", "env:", "task", "module", "datasets", "conf:")


def _ordered(params: dict[str, str]) -> list[tuple[str, str]]:
    """Parameters grouped as in ``job_params``: flags in first-seen order, env and conf keys sorted."""
    def group(key: str) -> int:
        for i, g in enumerate(_GROUPS):
            if key == g or (g.endswith(":") and key.startswith(g)):
                return i
        return len(_GROUPS)

    keys = list(params)
    order = sorted(keys, key=lambda k: (group(k), k if k.startswith(("env:", "conf:")) else "", keys.index(k)))
    return [(k, params[k]) for k in order]


def json_safe(table: Table) -> Table:
    """The table with NaN / Infinity as the strings the metrics API uses for them (JSON has none)."""
    def safe(v: Any) -> Any:
        return format_number(v) if isinstance(v, float) and not math.isfinite(v) else v

    rows = [{"id": r["id"], "values": {k: safe(v) for k, v in r["values"].items()}} for r in table["rows"]]
    return {"columns": table["columns"], "rows": rows}


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def write_csv(table: Table, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow([c["label"] for c in table["columns"]])
    for row in table["rows"]:
        writer.writerow([cell_text(row["values"].get(c["key"])) for c in table["columns"]])


def short_number(v: Optional[float]) -> str:
    """A number in 4 significant digits (the table's display form), exponent when tiny or huge."""
    if v is None:
        return ""
    if not math.isfinite(v):
        return format_number(v)
    a = abs(v)
    if a != 0 and (a >= 1e6 or a < 1e-3):
        return f"{v:.2e}"
    return format_number(float(f"{v:.4g}"))


def text_table(table: Table, width: int = 28) -> str:
    """Jobs as columns, parameters and metrics as rows; '*' marks a parameter that differs."""
    rows = table["rows"]
    lines = []
    label_w = min(32, max(len(c["label"]) for c in table["columns"]) + 2)

    def cut(s: str) -> str:
        return s if len(s) <= width else s[: width - 1] + "…"

    for c in table["columns"]:
        mark = "*" if c["differs"] else " "
        cells = []
        for r in rows:
            v = r["values"].get(c["key"])
            cells.append(cut(short_number(v) if c["kind"] == "metric" else cell_text(v)))
        label = cut(c["label"])[: label_w - 2]
        lines.append(f"{mark} {label:{label_w - 2}}  " + "  ".join(f"{s:{width}}" for s in cells).rstrip())
    return "\n".join(lines) + "\n"
