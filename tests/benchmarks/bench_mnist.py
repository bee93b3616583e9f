"""MNIST epoch time as a docker job vs bare `docker run --rm` in the same image (goal <= 1.02).

Both run `jobs/examples/mnist_cnn.py` on the bundled mo-mnist set in `mo-jupyter/cpu:latest` with
the same limits (2 CPUs, 4 GB, no swap), mounts (the project read-only at /workspace, results/
writable, the package at /opt/mo), user, init and environment as the docker backend gives a job.

What is compared: the script's own per-epoch time (its `epoch_time` metric: fit + validation of
one epoch, measured inside the container), not wall time. The wall time of a run also holds the
container start, `import tensorflow` (~4 s), the data load and the model save, and for a job the
supervisor's start and the polling of its state: fixed costs that the job-overhead benchmark
already measures, and that would swamp a 2-epoch run. The epoch time is what a job's overhead
(log pipes, metric parsing and persisting, memory/CPU sampling through the engine) could slow while
it trains, and it is the figure a user sees in the Metrics tab. The first epoch (tf.function
tracing) is left out; runs alternate bare/job so that machine noise hits both alike.

Which statistic: on this 2-core machine the same epoch in the same bare container varies by +-30 %
from run to run (2.9 to 5.1 s; other work on the machine, the hypervisor), far more than the 2 %
to resolve. Such noise only ever adds time, so the headline ratio compares the fastest epoch of
each side (as `timeit` does): a cost the job adds to every epoch (the supervisor's sampling of
the container's memory/CPU through the engine each second, its log pipes) shows in the fastest
epoch too. The ratio of the medians, the wall times and the CPU time the job's own machinery takes
on the host (the supervisor, and dockerd for logs and stats; vs dockerd alone for the bare run)
are printed beside it, for information: that CPU time, as a share of the job's CPUs, is the
overhead's real size, free of the timing noise (dockerd's part counts other containers' log and
stats traffic too, if any run meanwhile).

    python tests/benchmarks/bench_mnist.py [--quick]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from common import ROOT, JobService, median, scratch_project

IMAGE = "mo-jupyter/cpu:latest"
MACHINE = {"image": IMAGE, "cpus": 2, "memory": "4g"}
GOAL = 1.02


def ensure_image() -> None:
    """A no-op while the image matches its recipe; builds it (~75 s) when missing or out of date."""
    subprocess.run(["bash", str(ROOT / "jobs/images/build_offline.sh"), "cpu"], check=True,
                   stdout=subprocess.DEVNULL)


def make_project():
    root = scratch_project()
    (root / "datasets" / "mo-mnist").mkdir(parents=True)
    (root / "results").mkdir()
    shutil.copy(ROOT / "jobs/examples/mnist_cnn.py", root)
    shutil.copy(ROOT / "mo_jupyter/catalog/builtin/datasets/mo/mnist/mnist.npz", root / "datasets/mo-mnist")
    return root


def epoch_times(metrics) -> list[float]:
    """Per-epoch seconds from the script's epoch_time lines, the first (tracing) epoch left out."""
    return [m["value"] for m in metrics if m.get("metric") == "epoch_time" and m.get("epoch", 0) >= 2]


def cpu_seconds(pid) -> float:
    """user + system CPU time of a process (0 once it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def engine_pid():
    out = subprocess.run(["pidof", "dockerd"], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def run_bare(root, epochs: int) -> tuple[list[float], float]:
    """The same container the docker backend makes for a job, by `docker run --rm`."""
    st = os.stat(root)
    command = [
        "docker", "run", "--rm", "--init", f"--user={st.st_uid}:{st.st_gid}",
        "--cpus=2", "--memory=4g", "--memory-swap=4g", "-w", "/workspace",
        "-v", f"{root}:/workspace:ro", "-v", f"{root / 'results'}:/workspace/results:rw",
        "-v", f"{ROOT / 'mo_jupyter'}:/opt/mo/mo_jupyter:ro",
        "-e", "PYTHONUNBUFFERED=1", "-e", "PYTHONPATH=/opt/mo", "-e", "HOME=/tmp", "-e", "MPLCONFIGDIR=/tmp",
        IMAGE, "python3", "mnist_cnn.py", "--epochs", str(epochs),
    ]
    t0 = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - t0
    metrics = []
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                metrics.append(json.loads(line))
            except ValueError:
                pass
    return epoch_times(metrics), wall


def run_job(svc: JobService, epochs: int, supervisor_cpu: list) -> tuple[list[float], float]:
    t0 = time.perf_counter()
    job = svc.create({"path": "mnist_cnn.py", "machine": "cpu", "args": ["--epochs", str(epochs)]})
    used = 0.0
    while True:  # svc.wait, also reading the supervisor's CPU time (a tighter poll would take CPU itself)
        done = svc.get(job["id"])
        if done["state"] not in ("queued", "running"):
            break
        used = max(used, cpu_seconds(svc.job_dir(job["id"]).status().get("supervisor_pid")))
        time.sleep(0.5)
    wall = time.perf_counter() - t0
    if done["state"] != "completed":
        raise RuntimeError(f"MNIST job ended {done['state']}: {done.get('reason')}")
    supervisor_cpu.append(used)
    return epoch_times(svc.metrics(job["id"])), wall


def main(quick: bool = False) -> dict:
    # quick: 3 epochs a run (2 timed ones, the first is tracing), 2 runs a side: ~1.5 min
    epochs, repeats = (3, 2) if quick else (6, 3)
    ensure_image()
    root = make_project()
    svc = JobService(root, backends={"docker": {"machines": {"cpu": MACHINE}}}, default_backend="docker")
    bare, job, bare_wall, job_wall = [], [], [], []
    engine = engine_pid()
    engine_cpu = {"bare": [], "job": []}
    supervisor_cpu: list[float] = []
    try:
        for _ in range(repeats):
            e0 = cpu_seconds(engine)
            times, wall = run_bare(root, epochs)
            engine_cpu["bare"].append(cpu_seconds(engine) - e0)
            bare += times
            bare_wall.append(wall)
            e0 = cpu_seconds(engine)
            times, wall = run_job(svc, epochs, supervisor_cpu)
            engine_cpu["job"].append(cpu_seconds(engine) - e0)
            job += times
            job_wall.append(wall)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    b, j = min(bare), min(job)
    cpus = MACHINE["cpus"]
    extra = median(supervisor_cpu) + median(engine_cpu["job"]) - median(engine_cpu["bare"])
    share = max(extra, 0.0) / (median(job_wall) * cpus)  # what the job's machinery could take from training
    ratio = j / b
    verdict = "meets goal" if ratio <= GOAL else "MISSES goal"
    print(f"MNIST epoch time: job {j:.2f} s vs bare {b:.2f} s in the same image, ratio {ratio:.3f} "
          f"(goal <= {GOAL}) {verdict} [fastest of {len(job)} epochs a side; medians: job {median(job):.2f} s "
          f"vs bare {median(bare):.2f} s, ratio {median(job) / median(bare):.3f}; wall of a {epochs}-epoch run: "
          f"job {median(job_wall):.1f} s vs bare {median(bare_wall):.1f} s; host CPU a run outside the "
          f"container: job supervisor {median(supervisor_cpu):.2f} s + engine {median(engine_cpu['job']):.2f} s "
          f"vs bare engine {median(engine_cpu['bare']):.2f} s, i.e. {share:.1%} of the job's {cpus} CPUs]", flush=True)
    return {"name": "MNIST epoch time: job vs bare", "baseline": b, "measured": j, "ratio": ratio, "goal": GOAL}


if __name__ == "__main__":
    main("--quick" in sys.argv)
