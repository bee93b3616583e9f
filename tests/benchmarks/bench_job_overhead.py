"""(a) A 5 s script as a job vs run bare (goal <= 1.05);
(b) a script printing 1M metric lines as a job, metrics persisted, vs the same script to /dev/null
(goal <= 1.3). Runs alternate bare/job so that machine noise hits both alike."""

from __future__ import annotations

import subprocess
import sys

from common import JobService, median, report, run_job, scratch_project, timed

SLEEP_SCRIPT = "import time\nt = time.time()\nwhile time.time() - t < {seconds}: time.sleep(0.01)\nprint('done')\n"
METRICS_SCRIPT = (
    "import json\n"
    "for i in range({lines}):\n"
    "    print(json.dumps({{'metric': 'loss', 'value': 1.0 / (i + 1), 'step': i}}))\n"
)


def bench(name, script, goal, repeats):
    root = scratch_project()
    (root / "bench.py").write_text(script)
    svc = JobService(root)
    bare, job = [], []
    for _ in range(repeats):
        bare.append(timed(lambda: subprocess.run([sys.executable, "-u", "bench.py"], cwd=root,
                                                 stdout=subprocess.DEVNULL, check=True)))
        job.append(run_job(svc, "bench.py"))
    return report(name, median(bare), median(job), goal)


def main(quick: bool = False) -> list[dict]:
    repeats = 2 if quick else 5
    return [
        bench("(a) 5 s script: job vs bare", SLEEP_SCRIPT.format(seconds=5), 1.05, repeats),
        bench("(b) 1M metric lines: job (persisted) vs bare to /dev/null",
              METRICS_SCRIPT.format(lines=1_000_000), 1.3, repeats),
    ]


if __name__ == "__main__":
    main("--quick" in sys.argv)
