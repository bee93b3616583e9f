"""Services on the docker backend, against a real engine: a container of the base image serves the
app with N replica processes on one published port; scale 1 -> 3 -> 0 -> 2 keeps the address."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mo_jupyter.errors import Conflict
from mo_jupyter.services.docker import DockerServiceBackend
from mo_jupyter.services.manager import ServiceManager

from ..unit.jobhelpers import wait_until

HANDLE = '''import json
import os
import socket

FACTOR = json.load(open('results/model.json'))['factor']


def handle(conf):
    x = conf['x']  # value_type: float
    return {'y': x * FACTOR, 'pid': os.getpid(), 'host': socket.gethostname()}  # value_type: float
'''
SPEC = ("input:\n  x: {value_type: float}\noutput:\n  y: {value_type: float}\n  pid: {value_type: int}\n"
        "  host: {value_type: str}\n")  # the process and the container that answered


def write_app(project: Path, factor: int = 3) -> Path:
    """The test app in a project folder: handler.py, app_spec.yml and the 'model' results/model.json."""
    (project / "results").mkdir(parents=True, exist_ok=True)
    (project / "handler.py").write_text(HANDLE)
    (project / "app_spec.yml").write_text(SPEC)
    (project / "results/model.json").write_text(f'{{"factor": {factor}}}')
    return project


def call(port: int, x: float) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/run", method="POST",
                                 data=json.dumps({"app": {"input": {"x": x}}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["output"]


def wait_running(mgr: ServiceManager, sid: str, replicas: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        view = mgr.get(sid)
        if view["state"] == "running" and view["running_replicas"] == replicas:
            return view
        assert time.monotonic() < deadline, (view, mgr.logs(sid)["text"][-2000:])
        time.sleep(0.2)


def starts_again_on_the_same_address(mgr: ServiceManager, sid: str, port: int) -> None:
    """After a stop, 2 replicas answer on the port the service had (the factor file deployed is 3)."""
    mgr.scale(sid, 2)
    view = wait_running(mgr, sid, 2)
    assert view["port"] == port and call(port, 5)["y"] == 15
    assert "serving" in mgr.logs(sid)["text"]


def test_scale_on_docker(project, docker_client, machines):
    write_app(project)
    mgr = ServiceManager(project, {"docker": DockerServiceBackend({"machines": machines})})
    view = mgr.deploy("", "tripler", "dev", ["results/model.json"], "docker", 1)
    sid, port = view["id"], view["port"]
    try:
        wait_running(mgr, sid, 1)
        assert call(port, 2)["y"] == 6
        mgr.scale(sid, 3)
        wait_running(mgr, sid, 3)
        (container,) = docker_client.containers.list(ignore_removed=True, filters={"label": f"mo.service={sid}"})
        serving = [p for p in container.top()["Processes"] if p[-1].startswith("python3 -m mo_jupyter.serve")]
        assert len(serving) == 3, container.top()
        # the kernel spreads connections over the replicas (once the other two have started)
        wait_until(lambda: len({call(port, i)["pid"] for i in range(30)}) >= 2, timeout=30,
                   message="connections spread over the replicas")
        mgr.scale(sid, 0)
        assert mgr.get(sid)["state"] == "stopped"
        assert docker_client.containers.list(all=True, ignore_removed=True, filters={"label": f"mo.service={sid}"}) == []
        starts_again_on_the_same_address(mgr, sid, port)
    finally:
        mgr.delete(sid)
    assert docker_client.containers.list(all=True, ignore_removed=True, filters={"label": f"mo.service={sid}"}) == []


def same_name_in_two_projects(tmp_path, make_backend, backend: str) -> None:
    """Two projects deploy a service of the same name on one engine: each runs its own app, and
    stopping one leaves the other running."""
    pairs = []
    for factor in (2, 5):
        root = write_app(tmp_path / f"project{factor}", factor)
        mgr = ServiceManager(root, {backend: make_backend()})
        pairs.append((mgr, mgr.deploy("", "same", "dev", ["results/model.json"], backend, 1)))
    try:
        for (mgr, view), factor in zip(pairs, (2, 5)):
            wait_running(mgr, view["id"], 1)
            assert call(view["port"], 1)["y"] == factor
        pairs[0][0].scale("same-dev", 0)
        assert pairs[1][0].get("same-dev")["state"] == "running" and call(pairs[1][1]["port"], 1)["y"] == 5
    finally:
        for mgr, view in pairs:
            mgr.delete(view["id"])


def test_two_projects_may_use_one_name(tmp_path, docker_client, machines):
    same_name_in_two_projects(tmp_path, lambda: DockerServiceBackend({"machines": machines}), "docker")


def serve_processes(container) -> dict[int, int]:
    """{host pid: pid of its replica loop} of the app servers in the service's container."""
    return {int(pid): int(ppid) for pid, ppid, args in container.top(ps_args="-o pid,ppid,args")["Processes"]
            if args.startswith("python3 -m mo_jupyter.serve")}


def test_a_taken_port_leaves_no_container_and_a_crashed_replica_comes_back(project, docker_client, machines):
    write_app(project)
    backend = DockerServiceBackend({"machines": machines})
    mgr = ServiceManager(project, {"docker": backend})
    sid, port = (v := mgr.deploy("", "busy", "dev", ["results/model.json"], "docker", 0))["id"], v["port"]
    folder = project / ".mo" / "services" / sid
    labelled = {"label": f"mo.service={sid}"}
    try:
        with socket.socket() as holder:  # another program took the stopped service's port
            holder.bind(("127.0.0.1", port))
            holder.listen()
            assert not backend.serves_on(folder, port)  # the proxy never forwards to that program
            with pytest.raises(Conflict) as err:
                mgr.scale(sid, 1)
            assert "could not start" in err.value.message
            assert docker_client.containers.list(all=True, ignore_removed=True, filters=labelled) == []
        mgr.scale(sid, 2)  # the port is free again
        wait_running(mgr, sid, 2)
        assert backend.serves_on(folder, port) and not backend.serves_on(folder, port + 1)
        (container,) = docker_client.containers.list(ignore_removed=True, filters=labelled)
        first = serve_processes(container)
        victim, loop = next(iter(first.items()))
        # one replica crashes 4 times: restarted 3 times (the other goes on), then given up
        for attempt in range(1, 5):
            os.kill(victim, signal.SIGKILL)  # its host PID
            if attempt == 4:
                break
            found = wait_until(lambda: (p := serve_processes(container)) and len(p) == 2 and victim not in p and p,
                               timeout=30, message=f"replica restarted ({attempt})")
            victim = next(pid for pid, parent in found.items() if parent == loop)
            view = wait_running(mgr, sid, 2)
            assert call(port, 1)["y"] == 3
            assert f"restart {attempt} of 3" in mgr.logs(sid)["text"]
        view = wait_until(lambda: (v := mgr.get(sid))["state"] == "failed" and v, timeout=20,
                          message="the replica given up")
        assert view["running_replicas"] == 1 and "1 of 2 replica(s) exited" in view["reason"]
        assert "3 restarts spent, not restarted" in view["reason"], view
        assert call(port, 2)["y"] == 6  # the other replica still answers
        mgr.scale(sid, 0)
        assert not backend.serves_on(folder, port)
    finally:
        mgr.delete(sid)


def test_a_protected_service_gets_its_key_in_the_environment_only(project, docker_client, machines):
    write_app(project)
    mgr = ServiceManager(project, {"docker": DockerServiceBackend({"machines": machines})})
    view = mgr.deploy("", "keyed", "dev", ["results/model.json"], "docker", 1, protected=True)
    sid, port = view["id"], view["port"]
    try:
        wait_running(mgr, sid, 1)
        key = json.loads((project / ".mo" / "services" / sid / "service.json").read_text())["key"]
        (container,) = docker_client.containers.list(ignore_removed=True, filters={"label": f"mo.service={sid}"})
        assert f"MO_SERVICE_KEY={key}" in container.attrs["Config"]["Env"]
        assert key not in json.dumps(container.attrs["Config"]["Cmd"]) + json.dumps(container.labels)
        with pytest.raises(urllib.error.HTTPError) as refused:
            call(port, 1)
        assert refused.value.code == 401
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/run", method="POST",
                                     data=json.dumps({"app": {"input": {"x": 2}}}).encode(),
                                     headers={"Content-Type": "application/json", "X-Mo-Key": key})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.loads(resp.read())["output"]["y"] == 6
    finally:
        mgr.delete(sid)
