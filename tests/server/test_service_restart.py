"""A deployed service survives its Jupyter server: a real `jupyter server` is killed (SIGKILL, then
Ctrl-C) while a service runs; the service keeps answering and the next server lists it running,
and can still scale and stop it."""

from __future__ import annotations

import signal

import pytest

from helpers import ServerProcess, kill_processes_under, run_app, wait_until

HANDLE = "def handle(conf):\n    x = conf['x']  # value_type: float\n    return {'y': x + 1}  # value_type: float\n"
SPEC = "input:\n  x: {value_type: float}\noutput:\n  y: {value_type: float}\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "handler.py").write_text(HANDLE)
    (root / "app_spec.yml").write_text(SPEC)
    server = ServerProcess(root)
    yield root, server
    server.stop(signal.SIGKILL)
    kill_processes_under(root)


def test_a_service_survives_server_restarts(project):
    root, server = project
    server.start()
    code, svc = server.request("POST", "mo/api/services", {"name": "plus", "replicas": 2})
    assert code == 201, svc
    sid, port = svc["id"], svc["port"]
    wait_until(lambda: server.request("GET", f"mo/api/services/{sid}")[1]["state"] == "running", 60)
    for sig in (signal.SIGKILL, signal.SIGINT):
        server.stop(sig)
        assert server.proc.poll() is not None
        assert run_app(port, 1) == {"output": {"y": 2}}  # no server, the service answers
        server.start()
        code, view = server.request("GET", f"mo/api/services/{sid}")
        assert code == 200 and view["state"] == "running" and view["running_replicas"] == 2, view
    code, view = server.request("POST", f"mo/api/services/{sid}/scale", {"replicas": 1})
    assert code == 200 and view["running_replicas"] == 1, view
    code, view = server.request("POST", f"mo/api/services/{sid}/scale", {"replicas": 0})
    assert code == 200 and view["state"] == "stopped", view
    code, _ = server.request("DELETE", f"mo/api/services/{sid}")
    assert code == 204
