"""The swarm backend against a real engine: a single-node swarm on 127.0.0.1 (created here when the
engine is not in one, and left afterwards), jobs as replicated-job services."""

from __future__ import annotations

import os
import time

import pytest

from mo_jupyter.containers import package_mounts
from mo_jupyter.errors import Unavailable
from mo_jupyter.jobs.backends.swarm import NOT_RUN, SwarmBackend, satisfies
from mo_jupyter.jobs.service import JobService

from ..unit.jobhelpers import script, wait_until
from .conftest import IMAGE


@pytest.fixture
def swarm_machines(machines):
    return {**machines,
            "here": {"image": IMAGE, "cpus": 0.5, "memory": "128m", "constraints": ["node.role==manager"]},
            "nowhere": {"image": IMAGE, "constraints": ["node.labels.mo-test-zone==mars"]}}


@pytest.fixture
def svc(project, swarm, swarm_machines):
    return JobService(project, backends={"swarm": {"machines": swarm_machines}}, default_backend="swarm",
                      grace_seconds=3.0)


def services_of(client, job_id):
    return [s["ID"] for s in client.api.services(filters={"label": f"mo.job={job_id}"})]


def containers_of(client, job_id):
    return [c["Id"] for c in client.api.containers(all=True, filters={"label": f"mo.job={job_id}"})]


def assert_nothing_left(client, job_id):
    """The service and its task's container go (after the final state is written)."""
    wait_until(lambda: services_of(client, job_id) == [], timeout=10, message="service removed")
    wait_until(lambda: containers_of(client, job_id) == [], timeout=10, message="task container removed")


def test_a_job_runs_as_a_service_and_leaves_nothing_behind(svc, project, swarm):
    script(project, "train.py", "import json, os, sys\n"
           "print(json.dumps({'metric': 'acc', 'value': 0.5, 'epoch': 1}))\n"
           "print('cwd', os.getcwd(), 'data', open('datasets/data.txt').read().strip(), file=sys.stderr)\n"
           "print('unbuffered', os.environ.get('PYTHONUNBUFFERED'), 'job', os.environ.get('MO_JOB_ID'))\n"
           "print('x' * 100000)\n"
           "for i in range(3):\n    print(json.dumps({'metric': 'loss', 'value': 1 / (i + 1), 'step': i}))\n"
           "open('results/model.txt', 'w').write(str(os.getuid()))\n"
           "try:\n    open('elsewhere.txt', 'w')\nexcept OSError as e:\n    print('refused', e.errno)\n"
           "print('last line')\n")
    job = svc.create({"path": "train.py"})
    assert job["backend"] == "swarm" and job["command"][0] == "python3"
    done = svc.wait(job["id"], timeout=60)
    text = svc.read_log(job["id"])["text"]
    assert done["state"] == "completed" and done["exit_code"] == 0, (done, text)
    assert "cwd /workspace data 42" in text and f"unbuffered 1 job {job['id']}" in text
    assert "\n" + "x" * 100000 + "\n" in text  # a long line comes back whole
    assert "refused 30\nlast line\n" in text  # EROFS; the log is complete (stdout and stderr may interleave)
    metrics = svc.metrics(job["id"])
    assert [(m["metric"], m["value"]) for m in metrics] == [("acc", 0.5), ("loss", 1.0), ("loss", 0.5),
                                                            ("loss", 1 / 3)]
    assert (project / "results" / "model.txt").read_text() == str(os.stat(project).st_uid)
    assert not (project / "elsewhere.txt").exists()
    assert_nothing_left(swarm, job["id"])


def test_exit_code_and_reason(svc, project, swarm):
    script(project, "bad.py", "import sys\nprint('failing')\nsys.exit(3)\n")
    done = svc.wait(svc.create({"path": "bad.py"})["id"], timeout=60)
    assert done["state"] == "failed" and done["exit_code"] == 3 and done["reason"] == "exited with code 3"
    assert svc.read_log(done["id"])["text"] == "failing\n"
    assert_nothing_left(swarm, done["id"])


def test_stop_a_running_service(svc, project, swarm):
    script(project, "long.py", "import time\nprint('up', flush=True)\nblock = bytearray(32 * 1024 * 1024)\n"
           "time.sleep(300)\n")
    job = svc.create({"path": "long.py", "machine": "here"})
    wait_until(lambda: "up" in svc.read_log(job["id"])["text"], timeout=60, message="task up")
    (service,) = services_of(swarm, job["id"])
    spec = swarm.api.inspect_service(service)["Spec"]
    assert "ReplicatedJob" in spec["Mode"] and spec["Labels"]["mo.job.name"] == "long"
    template = spec["TaskTemplate"]
    assert template["RestartPolicy"]["Condition"] == "none"
    assert template["Placement"]["Constraints"] == ["node.role==manager"]
    assert template["Resources"]["Limits"] == {"NanoCPUs": 500_000_000, "MemoryBytes": 128 * 1024**2}
    assert template["ContainerSpec"]["User"] == f"{os.stat(project).st_uid}:{os.stat(project).st_gid}"
    assert {m["Target"]: m.get("ReadOnly", False) for m in template["ContainerSpec"]["Mounts"]} == {
        "/workspace": True, "/workspace/results": False, **{m.target: True for m in package_mounts()}}
    (container,) = containers_of(swarm, job["id"])
    assert swarm.api.inspect_container(container)["HostConfig"]["Init"] is True
    # live memory from the task's container (status.json is rewritten every 2 s while running)
    wait_until(lambda: (svc.get(job["id"]).get("memory") or 0) > 16 * 1024**2, timeout=15, message="memory sample")
    t0 = time.monotonic()
    svc.stop(job["id"])
    done = svc.wait(job["id"], timeout=30)
    assert done["state"] == "stopped" and done["reason"] == "stopped by the user"
    assert time.monotonic() - t0 < svc.grace_seconds + 5  # ended by SIGTERM through the init
    assert done["exit_code"] == 143
    assert done["peak_memory"] > 16 * 1024**2
    assert_nothing_left(swarm, job["id"])


def test_out_of_memory_is_reported_with_the_limit(svc, project, swarm):
    script(project, "hog.py", "blocks = []\nfor _ in range(512):\n    blocks.append(bytearray(1024 * 1024))\n"
           "print('survived')\n")
    done = svc.wait(svc.create({"path": "hog.py", "machine": "small"})["id"], timeout=60)
    assert done["state"] == "failed" and done["exit_code"] == 137
    assert done["reason"] == "out of memory (limit 64 MiB)"
    assert "survived" not in svc.read_log(done["id"])["text"]
    assert_nothing_left(swarm, done["id"])


def test_notebook_job_as_a_service(svc, project, swarm):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nbformat.write(new_notebook(cells=[new_code_cell("import json\nx = 3"),
                                       new_code_cell("print(json.dumps({'metric': 'x', 'value': x}))")]),
                   project / "nb.ipynb")
    done = svc.wait(svc.create({"path": "nb.ipynb"})["id"], timeout=60)
    assert done["state"] == "completed", svc.read_log(done["id"])["text"]
    assert svc.metrics(done["id"])[0]["value"] == 3


def test_refusals_are_clear(svc, project, swarm):
    script(project, "x.py", "print(1)\n")
    with pytest.raises(Unavailable, match=r"no node of the swarm satisfies the placement constraints of machine "
                                          r"'nowhere' \(node.labels.mo-test-zone==mars\); 1 node\(s\) ready"):
        svc.create({"path": "x.py", "machine": "nowhere"})
    with pytest.raises(Unavailable, match="a GPU job cannot run here: no node of the swarm advertises 1 "
                                          "generic resource"):
        svc.create({"path": "x.py", "machine": "gpu"})
    with pytest.raises(Unavailable, match="not built here; build it with 'jupyter mo image build missing"):
        svc.create({"path": "x.py", "machine": "missing"})
    machines = {m["name"]: m for m in svc.config()["machines"]}
    assert machines["cpu"]["available"] and machines["here"]["available"]
    assert not machines["gpu"]["available"] and not machines["nowhere"]["available"]
    assert svc.list() == []  # nothing was created


def test_constraints_as_the_swarm_reads_them(swarm):
    (node,) = swarm.api.nodes()
    assert satisfies(node, "node.role==manager") and satisfies(node, "node.role != worker")
    assert satisfies(node, f"node.hostname=={node['Description']['Hostname']}")
    assert not satisfies(node, "node.labels.zone==mars") and satisfies(node, "node.labels.zone!=mars")
    assert satisfies(node, "node.platform.os==linux") and not satisfies(node, "node.platform.os==windows")
    assert satisfies(node, "node.ip==10.0.0.0/8")  # not checked here: the swarm decides


def test_a_task_no_node_takes_fails_the_job_with_the_swarm_reason(project, swarm, swarm_machines):
    """Past check() (a node may change, or a constraint this side cannot read): the task stays
    pending; after schedule_timeout the job fails with the swarm's own words, and nothing is left."""
    backend = SwarmBackend({"machines": swarm_machines, "schedule_timeout": 1})
    spec = {"id": f"t{os.getpid()}-{int(time.time())}", "name": "pending", "machine": "nowhere", "cwd": str(project),
            "command": ["python3", "-c", "print('never')"], "env": {}, "grace_seconds": 2}
    runner = backend.start(spec, project)
    try:
        code = wait_until(runner.poll, timeout=20, message="the job to fail")
        assert code == NOT_RUN
        assert runner.failure_reason(code).startswith(
            "not scheduled: no suitable node (scheduling constraints not satisfied on 1 node) for ")
        for fd in runner.output_fds().values():  # the pipes are closed: EOF, nothing printed
            assert os.read(fd, 100) == b""
    finally:
        runner.cleanup()
    assert_nothing_left(swarm, spec["id"])


def test_stop_a_task_still_waiting_for_a_node(project, swarm, swarm_machines):
    backend = SwarmBackend({"machines": swarm_machines, "schedule_timeout": None})
    spec = {"id": f"w{os.getpid()}-{int(time.time())}", "name": "waiting", "machine": "nowhere", "cwd": str(project),
            "command": ["python3", "-c", "print('never')"], "env": {}, "grace_seconds": 2}
    runner = backend.start(spec, project)
    try:
        wait_until(lambda: "no suitable node" in (swarm.api.tasks(filters={"label": f"mo.job={spec['id']}"}) or
                                                  [{"Status": {}}])[0]["Status"].get("Err", ""),
                   timeout=10, message="the task pending")
        assert runner.poll() is None  # waits for a node (no schedule_timeout)
        runner.terminate()
        assert wait_until(runner.poll, timeout=10, message="the job to end") == 143
    finally:
        runner.cleanup()
    assert_nothing_left(swarm, spec["id"])


def test_a_results_link_out_of_the_project_is_refused_on_swarm(svc, project, tmp_path, swarm):
    """The one container builder checks a swarm job's writable folders as a docker job's."""
    from mo_jupyter.errors import BadRequest

    (tmp_path / "elsewhere").mkdir()
    (project / "results").symlink_to(tmp_path / "elsewhere")
    script(project, "escape.py", "open('results/pwned.txt', 'w').write('x')\n")
    with pytest.raises(BadRequest, match="'results' is a link"):
        svc.create({"path": "escape.py"})
    assert list((tmp_path / "elsewhere").iterdir()) == []
