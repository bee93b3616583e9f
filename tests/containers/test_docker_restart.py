"""A docker job survives Jupyter server restarts: the server is killed twice while the container
runs; afterwards every line and metric is there once, in order, and the container is gone."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest

from ..unit.jobhelpers import wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from helpers import ServerProcess  # noqa: E402

COUNTER = ("import json, time\n"
           "for i in range(60):\n"
           "    print('line', i, flush=True)\n"
           "    print(json.dumps({'metric': 'loss', 'value': 1 / (i + 1), 'step': i}), flush=True)\n"
           "    time.sleep(0.1)\n")


def test_docker_job_survives_server_restarts(tmp_path, docker_client, machines):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "counter.py").write_text(COUNTER)
    config_dir = tmp_path / "jupyter_config"
    config_dir.mkdir()
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(
        {"MoJupyterApp": {"backends": {"docker": {"machines": machines}}, "default_backend": "docker"}}))
    server = ServerProcess(root)
    server.start()
    try:
        code, job = server.request("POST", "mo/api/jobs", {"path": "counter.py"})
        assert code == 201, job
        output = root / ".mo" / "jobs" / job["id"] / "output.log"
        for sig in (signal.SIGKILL, signal.SIGINT):
            size = wait_until(lambda: output.exists() and output.stat().st_size, timeout=60, message="output")
            server.stop(sig)
            # no server: the container and its supervisor go on writing
            wait_until(lambda: output.stat().st_size > size + 50, timeout=30, message="output while down")
            server.start()
            assert server.request("GET", f"mo/api/jobs/{job['id']}")[1]["state"] in ("running", "completed")
        done = wait_until(lambda: (r := server.request("GET", f"mo/api/jobs/{job['id']}")[1])["state"]
                          not in ("queued", "running") and r, timeout=60, message="the end")
        assert done["state"] == "completed" and done["backend"] == "docker"
        lines = output.read_text().splitlines()
        assert [l for l in lines if l.startswith("line")] == [f"line {i}" for i in range(60)]
        metrics = server.request("GET", f"mo/api/jobs/{job['id']}/metrics")[1]["metrics"]
        assert [m["step"] for m in metrics] == list(range(60))
        wait_until(lambda: docker_client.containers.list(all=True, ignore_removed=True, filters={"label": f"mo.job={job['id']}"}) == [],
                   timeout=10, message="container removed")
    finally:
        server.stop()


@pytest.mark.parametrize("way", ["fifo", "attach"])
def test_a_container_outliving_its_supervisor_is_reattached(way, tmp_path, docker_client, machines):
    """Even the supervisor dying (kill -9) loses nothing: the next look at the job finds the
    container by its label and a new supervisor follows it: it reads its FIFOs on, or (output
    through the engine) follows its log from the start, skipping what is on disk already."""
    import os

    from mo_jupyter.jobs.records import JobDir
    from mo_jupyter.jobs.service import JobService

    root = tmp_path / "proj"
    root.mkdir()
    (root / "counter.py").write_text(COUNTER)
    svc = JobService(root, backends={"docker": {"machines": machines, "output": way}}, default_backend="docker")
    job = svc.create({"path": "counter.py"})
    output = root / ".mo" / "jobs" / job["id"] / "output.log"
    wait_until(lambda: output.exists() and output.read_text().count("line") >= 10, timeout=60, message="output")
    [container] = docker_client.containers.list(all=True, filters={"label": f"mo.job={job['id']}"})
    assert container.labels.get("mo.output") == ("fifo" if way == "fifo" else None)
    first = JobDir(svc.jobs_dir, job["id"]).status()["supervisor_pid"]
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: not JobDir(svc.jobs_dir, job["id"]).supervised(), timeout=10, message="supervisor gone")
    assert svc.get(job["id"])["state"] == "running"  # re-attached, not "lost"
    wait_until(lambda: JobDir(svc.jobs_dir, job["id"]).status()["supervisor_pid"] != first, timeout=10,
               message="a new supervisor")
    done = svc.wait(job["id"], timeout=60)
    assert done["state"] == "completed" and done["exit_code"] == 0
    lines = output.read_text().splitlines()
    assert [l for l in lines if l.startswith("line")] == [f"line {i}" for i in range(60)]
    assert [m["step"] for m in svc.metrics(job["id"])] == list(range(60))
    from mo_jupyter.jobs.replay import read_events

    numbered = [e["seq"] for e in read_events(output.parent) if e["type"] != "metric"]
    assert numbered == list(range(1, len(numbered) + 1))  # numbering went on
    wait_until(lambda: docker_client.containers.list(all=True, ignore_removed=True, filters={"label": f"mo.job={job['id']}"}) == [],
               timeout=10, message="container removed")
