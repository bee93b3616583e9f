"""Docker job vs a bare `docker run` of the same script in the same image (goal <= 1.1).
Both: --init, the project mounted at /workspace, the same image; wall time from asking to the end.

(b-docker) issue 12's 1M-metric-line flood on the docker backend as a user runs it,
``jupyter mo job run flood.py --backend docker --wait`` (a subprocess, with a Jupyter config that
enables the docker backend on the same image), vs the same script in a bare ``docker run`` of that
image with its output to a file (goal <= 1.3). The job's metrics are checked outside the timed part.

Skipped, with the reason printed, when docker or the image is not there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from bench_job_overhead import FLOOD_LINES, flood_runs, report_flood
from common import FLOOD_SCRIPT, JobService, cli_env, median, report, run_job, scratch_project, timed

IMAGE = "mo-jupyter/base:latest"
SCRIPT = "import time\nt = time.time()\nwhile time.time() - t < 5: time.sleep(0.01)\nprint('done')\n"
BACKENDS = {"docker": {"machines": {"cpu": {"image": IMAGE}}}}


def unavailable() -> str | None:
    """Why docker benchmarks cannot run here, or None."""
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        p = subprocess.run(["docker", "image", "inspect", IMAGE], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=30)
    except subprocess.TimeoutExpired:
        return "docker did not answer in 30 s"
    if p.returncode != 0:
        why = " ".join(p.stderr.decode(errors="replace").split())[:200]
        return f"docker or the image {IMAGE} is not available ({why})"
    return None


def bare_docker(root, *run_args: str) -> list[str]:
    owner = os.stat(root)
    return ["docker", "run", "--rm", "--init", "-v", f"{root}:/workspace:ro", "-w", "/workspace",
            "-u", f"{owner.st_uid}:{owner.st_gid}", *run_args]


def bench_sleep(quick: bool) -> dict:
    root = scratch_project()
    (root / "bench.py").write_text(SCRIPT)
    svc = JobService(root, backends=BACKENDS, default_backend="docker")
    bare_cmd = bare_docker(root, "-e", "PYTHONUNBUFFERED=1", IMAGE, "python3", "-u", "bench.py")
    bare, job = [], []
    for _ in range(2 if quick else 5):
        bare.append(timed(lambda: subprocess.run(bare_cmd, stdout=subprocess.DEVNULL, check=True)))
        job.append(run_job(svc, "bench.py"))
    shutil.rmtree(root, ignore_errors=True)
    return report("docker job vs bare docker run (the 5 s script of (a))", median(bare), median(job), 1.1)


def bench_flood(quick: bool) -> dict:
    root = scratch_project()
    (root / "flood.py").write_text(FLOOD_SCRIPT.format(lines=FLOOD_LINES))
    backends = {"local": {}, **BACKENDS}  # as a server that has both
    env = cli_env(root.parent / f"{root.name}-jupyter-config", {"MoJupyterApp": {"backends": backends}})
    svc = JobService(root, backends=backends)
    # as people run it: `docker run ... python3 flood.py > out.log`
    runs = flood_runs(svc, env, ("--backend", "docker"), bare_docker(root, IMAGE, "python3", "flood.py"),
                      4 if quick else 6)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(root.parent / f"{root.name}-jupyter-config", ignore_errors=True)
    return report_flood("(b-docker) 1M metric lines: `jupyter mo job run --backend docker --wait` vs bare "
                        "`docker run ... python3 flood.py > out.log`", runs)


def main(quick: bool = False) -> list[dict]:
    why = unavailable()
    if why is not None:
        print(f"docker benchmarks skipped: {why}", flush=True)
        return []
    return [bench_sleep(quick), bench_flood(quick)]


if __name__ == "__main__":
    main("--quick" in sys.argv)
