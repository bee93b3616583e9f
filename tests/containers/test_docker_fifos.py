"""A docker job's output goes through two FIFOs in its folder, not through the engine (fifos.py):
the engine's log of the container stays empty while every line reaches the job's log with its
stream; the FIFOs go with the job; a job whose output cannot go there says why; the engine's
attach socket is still there for engines that cannot share a FIFO (``output: "attach"``).
A supervisor killed while its job prints: test_docker_restart.py, both ways."""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest

from mo_jupyter.jobs.replay import read_events
from mo_jupyter.jobs.service import JobService

from ..unit.jobhelpers import script, wait_until

TALKS = ("import sys, time\n"
         "for i in range(200):\n"
         "    print('out', i)\n"
         "    print('err', i, file=sys.stderr)\n"
         "print('{\"metric\": \"loss\", \"value\": 0.5, \"step\": 1}')\n"
         "time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)\n")


def container_of(client, job_id):
    found = client.containers.list(all=True, ignore_removed=True, filters={"label": f"mo.job={job_id}"})
    return found[0] if found else None


def lines(job_path, stream: str) -> list[str]:
    return [e["line"] for e in read_events(job_path) if e.get("type") == "log" and e.get("stream") == stream]


@pytest.mark.parametrize("output", ["fifo", "attach"])
def test_output_reaches_the_log_by_either_way_and_only_the_fifos_bypass_the_engine(
        output, project, docker_client, machines):
    backends = {"docker": {"machines": machines, **({"output": output} if output == "attach" else {})}}
    svc = JobService(project, backends=backends, default_backend="docker")
    script(project, "talks.py", TALKS)
    job = svc.create({"path": "talks.py", "args": ["3"]})
    job_path = project / ".mo" / "jobs" / job["id"]
    log = job_path / "output.log"
    wait_until(lambda: log.exists() and "out 199" in log.read_text(errors="replace"), timeout=60,
               message="the job's output")
    container = container_of(docker_client, job["id"])
    engine_log = container.logs()
    if output == "fifo":  # the default where the engine runs on this machine
        assert container.labels.get("mo.output") == "fifo"
        assert engine_log == b""  # nothing went through the engine
        # the FIFOs' names left the job's folder once it started: another job, which sees the
        # project at /workspace, cannot reach them; the container's mounts keep them
        assert not (job_path / "pipes").exists()
        container.reload()
        for stream in ("stdout", "stderr"):
            assert stat.S_ISFIFO(os.stat(f"/proc/{container.attrs['State']['Pid']}/root/run/mo/{stream}").st_mode)
    else:
        assert "mo.output" not in container.labels and b"out 199" in engine_log
    done = svc.wait(job["id"], timeout=60)
    assert done["state"] == "completed" and done["exit_code"] == 0, done
    assert lines(job_path, "stdout")[:200] == [f"out {i}" for i in range(200)]  # then the metric's line
    assert lines(job_path, "stderr") == [f"err {i}" for i in range(200)]
    assert [m["value"] for m in svc.metrics(job["id"])] == [0.5]
    assert not (job_path / "pipes").exists()  # the FIFOs went with the job


@pytest.fixture
def shell_less_image(docker_client):
    """An image with no /bin/sh (one file in it): the FIFOs' shell cannot start there."""
    tag = "mo-jupyter/test-no-shell:latest"
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"hi\n"))
    docker_client.api.import_image_from_data(data.getvalue(), repository=tag.split(":")[0], tag="latest")
    yield tag
    docker_client.images.remove(tag, force=True)


def test_an_image_without_a_shell_fails_with_the_reason(project, docker_client, machines, shell_less_image):
    machines = {**machines, "bare": {"image": shell_less_image}}
    svc = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker")
    script(project, "x.py", "print('never')\n")
    job = svc.create({"path": "x.py", "machine": "bare"})
    done = svc.wait(job["id"], timeout=60)
    assert done["state"] == "failed", done
    assert "/bin/sh" in done["reason"], done  # what the init said, from the engine's log
    assert not (project / ".mo" / "jobs" / job["id"] / "pipes").exists()


def test_a_container_the_engine_will_not_make_leaves_no_fifos(project, docker_client, machines):
    machines = {**machines, "tiny": {"image": machines["cpu"]["image"], "memory": "1m"}}  # under the engine's 6 MB
    svc = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker")
    script(project, "x.py", "print('never')\n")
    job = svc.create({"path": "x.py", "machine": "tiny"})
    done = svc.wait(job["id"], timeout=60)
    assert done["state"] == "failed" and done["reason"].startswith("could not start"), done
    assert not (project / ".mo" / "jobs" / job["id"] / "pipes").exists()
