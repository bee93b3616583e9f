"""A docker job's max run time: its supervisor stops the container as a user stop does, and the job
ends ``stopped`` with the reason ``time limit``; the container goes."""

from __future__ import annotations

from mo_jupyter.jobs.service import JobService

from ..unit.jobhelpers import script, wait_until


def test_a_container_past_its_max_run_time_is_stopped(project, docker_client, machines):
    svc = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker",
                     grace_seconds=3.0)
    script(project, "long.py", "import time\nprint('up', flush=True)\ntime.sleep(300)\n")
    job = svc.create({"path": "long.py", "max_run_seconds": 3})
    done = svc.wait(job["id"], timeout=60)
    assert done["state"] == "stopped" and done["reason"] == "time limit: ran longer than 3 s", done
    assert done["exit_code"] == 143 and 2.5 < done["ended"] - done["started"] < 3 + svc.grace_seconds + 5
    assert "up" in svc.read_log(job["id"])["text"]
    wait_until(lambda: docker_client.containers.list(all=True, ignore_removed=True,
                                                     filters={"label": f"mo.job={job['id']}"}) == [],
               timeout=10, message="container removed")
