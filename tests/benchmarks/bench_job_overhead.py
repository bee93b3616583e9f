"""(a) A 5 s script as a job vs run bare (goal <= 1.05);
(b) issue 12's flood, a script printing 1M metric lines with ``sys.stdout.write``, run as a user runs
it: ``jupyter mo job run flood.py --wait`` (a subprocess: the command line's start, the job, its
metrics persisted, the wait) vs the same script run bare with its output to a file, as
``nohup python flood.py > out.log &`` does (goal <= 1.3). The job's metrics are checked (completed,
1M points queryable) outside the timed part. Runs alternate bare/job so that machine noise hits
both alike; medians."""

from __future__ import annotations

import subprocess
import sys

from common import (FLOOD_SCRIPT, JobService, cli_command, cli_env, median, metric_points, report, run_job,
                    scratch_project, timed)

SLEEP_SCRIPT = "import time\nt = time.time()\nwhile time.time() - t < {seconds}: time.sleep(0.01)\nprint('done')\n"
FLOOD_LINES = 1_000_000


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


def run_flood_cli(root, env, extra=()) -> tuple[float, str]:
    """``jupyter mo job run flood.py --wait`` in ``root``: its wall time and the job's id."""
    out = {}

    def run():
        out["p"] = subprocess.run([*cli_command(), "job", "run", "flood.py", "--wait", *extra], cwd=root, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    elapsed = timed(run)
    p = out["p"]
    if p.returncode != 0:
        raise RuntimeError(f"'jupyter mo job run flood.py' exited {p.returncode}: {p.stderr.decode()[-500:]}")
    return elapsed, p.stdout.decode().split()[0]


def check_flood_job(svc: JobService, job_id: str, lines: int) -> str | None:
    """What is wrong with a flood job (None: it completed and every metric line is a point in its
    store); then its folder goes. A wrong job is printed, not raised: the other benchmarks go on."""
    record = svc.get(job_id)
    problem = None
    if record["state"] != "completed":
        problem = f"the job ended {record['state']}: {record.get('reason')}"
    else:
        points = metric_points(svc, job_id)
        if points != lines:
            problem = f"the job completed with {points:,} metric points of {lines:,}: output lost"
    svc.delete(job_id)  # ~90 MB each
    return problem


def flood_runs(svc: JobService, env, extra, bare_cmd, repeats: int) -> tuple[list, list, list]:
    """Alternate bare runs (stdout to out.log) and `jupyter mo job run flood.py --wait` in the
    project of ``svc``."""
    root = svc.root
    bare, job, problems = [], [], []
    for _ in range(repeats):
        with open(root / "out.log", "wb") as log:
            bare.append(timed(lambda: subprocess.run(bare_cmd, cwd=root, stdout=log, check=True)))
        elapsed, job_id = run_flood_cli(root, env, extra)
        job.append(elapsed)
        problem = check_flood_job(svc, job_id, FLOOD_LINES)
        if problem:
            problems.append(problem)
    return bare, job, problems


def report_flood(name: str, bare: list, job: list, problems: list) -> dict:
    result = report(name, median(bare), median(job), 1.3)
    if problems:
        print(f"    CHECK FAILED in {len(problems)} of {len(job)} runs ({'; '.join(problems)}): the figure above is "
              "not a valid measure", flush=True)
    result["problems"] = problems
    return result


def bench_flood(repeats: int) -> dict:
    root = scratch_project()
    (root / "flood.py").write_text(FLOOD_SCRIPT.format(lines=FLOOD_LINES))
    env = cli_env(root.parent / f"{root.name}-jupyter-config")
    bare, job, problems = flood_runs(JobService(root), env, (), [sys.executable, "flood.py"], repeats)
    return report_flood("(b) 1M metric lines: `jupyter mo job run --wait` (metrics persisted) vs bare "
                        "`python flood.py > out.log`", bare, job, problems)


def main(quick: bool = False) -> list[dict]:
    repeats = 2 if quick else 5
    return [
        bench("(a) 5 s script: job vs bare", SLEEP_SCRIPT.format(seconds=5), 1.05, repeats),
        bench_flood(3 if quick else 5),
    ]


if __name__ == "__main__":
    main("--quick" in sys.argv)
