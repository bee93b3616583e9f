"""Shared by the benchmarks: a scratch project, timing, and the jobs service from this checkout."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mo_jupyter import schemas  # noqa: E402
from mo_jupyter.jobs.service import JobService  # noqa: E402

# The jobs service as a running server has it: its schemas compiled at start (MoJupyterApp does), so
# the first measured job does not pay jsonschema's import.
schemas.warm("job_request")


def scratch_project() -> Path:
    return Path(tempfile.mkdtemp(prefix="mo-bench-"))


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_job(svc: JobService, path: str, args=()) -> float:
    """Wall time from asking for the job to seeing it completed (what a user waits)."""
    t0 = time.perf_counter()
    job = svc.create({"path": path, "args": list(args)})
    done = svc.wait(job["id"], interval=0.01)
    elapsed = time.perf_counter() - t0
    if done["state"] != "completed":
        raise RuntimeError(f"benchmark job {path} ended {done['state']}: {done.get('reason')}")
    return elapsed


def median(values) -> float:
    return statistics.median(values)


def report(name: str, baseline: float, measured: float, goal: float, unit: str = "s") -> dict:
    ratio = measured / baseline if baseline else float("inf")
    verdict = "meets goal" if ratio <= goal else "MISSES goal"
    print(f"{name}: baseline {baseline:.3f}{unit}, job {measured:.3f}{unit}, ratio {ratio:.3f} "
          f"(goal <= {goal}) {verdict}", flush=True)
    return {"name": name, "baseline": baseline, "measured": measured, "ratio": ratio, "goal": goal}


def report_rate(name: str, baseline: float, measured: float, goal: float, unit: str = "lines/s") -> dict:
    """A "higher is better" figure (a throughput): the goal is a floor on ``measured``; the ratio is
    measured / baseline (the baseline: what the machine does with the same bytes and no work)."""
    ratio = measured / baseline if baseline else float("inf")
    verdict = "meets goal" if measured >= goal else "MISSES goal"
    print(f"{name}: baseline {baseline:,.0f} {unit}, measured {measured:,.0f} {unit} (goal >= {goal:,.0f}) "
          f"{verdict}; ratio to baseline {ratio:.3f}", flush=True)
    return {"name": name, "baseline": baseline, "measured": measured, "ratio": ratio, "goal": goal}


def report_abs(name: str, baseline: float, measured: float, goal: float, unit: str = "s") -> dict:
    """A figure whose goal is absolute (``measured <= goal``), printed with its ratio to a baseline
    measured in the same run."""
    ratio = measured / baseline if baseline else float("inf")
    verdict = "meets goal" if measured <= goal else "MISSES goal"
    print(f"{name}: baseline {baseline:.3f}{unit}, measured {measured:.3f}{unit} (goal <= {goal}{unit}) "
          f"{verdict}; ratio {ratio:.2f}", flush=True)
    return {"name": name, "baseline": baseline, "measured": measured, "ratio": ratio, "goal": goal}


# The 1M-line flood of issue 12: what a training script that prints its metrics fast looks like.
FLOOD_SCRIPT = (
    "import random, sys\n"
    "w = sys.stdout.write\n"
    "for i in range({lines}):\n"
    "    w('{{\"metric\": \"loss\", \"value\": %r, \"step\": %d}}\\n' % (random.random(), i))\n"
)


def cli_command() -> list[str]:
    """How a user starts the command line, `jupyter mo ...`: the `jupyter` launcher of this Python
    (not a version manager's shim, whose own start would be counted); else the module."""
    launcher = Path(sys.executable).with_name("jupyter")
    if launcher.exists() and Path(sys.executable).with_name("jupyter-mo").exists():
        return [str(launcher), "mo"]
    return [sys.executable, "-m", "mo_jupyter.cli.main"]


def cli_env(config_dir: Path, config: dict | None = None) -> dict:
    """The environment of a `jupyter mo` subprocess: this checkout first on the path, and a Jupyter
    config folder of its own (``config``: its jupyter_server_config.json, e.g. the docker backend)
    so that the user's settings do not change what is measured."""
    import json
    import os

    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config or {}))
    return dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir),
                PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def metric_points(svc: JobService, job_id: str) -> int:
    """How many metric points a job's store answers with (its metrics are persisted and queryable)."""
    return sum(len(s["seq"]) for s in svc.metric_columns(job_id)["series"])
