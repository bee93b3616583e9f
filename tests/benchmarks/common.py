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
