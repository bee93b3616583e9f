"""Docker job vs a bare `docker run` of the same script in the same image (goal <= 1.1).
Both: --init, the project mounted at /workspace, the same image; wall time from asking to the end."""

from __future__ import annotations

import os
import subprocess
import sys

from common import JobService, median, report, run_job, scratch_project, timed

IMAGE = "mo-jupyter/base:latest"
SCRIPT = "import time\nt = time.time()\nwhile time.time() - t < 5: time.sleep(0.01)\nprint('done')\n"


def main(quick: bool = False) -> dict:
    root = scratch_project()
    (root / "bench.py").write_text(SCRIPT)
    svc = JobService(root, backends={"docker": {"machines": {"cpu": {"image": IMAGE}}}}, default_backend="docker")
    owner = os.stat(root)
    bare_cmd = ["docker", "run", "--rm", "--init", "-v", f"{root}:/workspace:ro", "-w", "/workspace",
                "-u", f"{owner.st_uid}:{owner.st_gid}", "-e", "PYTHONUNBUFFERED=1", IMAGE, "python3", "-u", "bench.py"]
    bare, job = [], []
    for _ in range(2 if quick else 5):
        bare.append(timed(lambda: subprocess.run(bare_cmd, stdout=subprocess.DEVNULL, check=True)))
        job.append(run_job(svc, "bench.py"))
    return report("docker job vs bare docker run (the 5 s script of (a))", median(bare), median(job), 1.1)


if __name__ == "__main__":
    main("--quick" in sys.argv)
