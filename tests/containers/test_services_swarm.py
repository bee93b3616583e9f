"""Services on the swarm backend, against a real single-node swarm: a service of N tasks behind a
gateway container published on 127.0.0.1 only; scale 1 -> 3 -> 0 -> 2 changes the tasks in place and
keeps the address; an app that cannot start ends 'failed' with the swarm's reason."""

from __future__ import annotations

import json
import urllib.error

import pytest

from mo_jupyter.cli.main import main
from mo_jupyter.services.manager import ServiceManager
from mo_jupyter.services.swarm import GATEWAY_LABEL, SwarmServiceBackend

from ..unit.jobhelpers import wait_until
from .test_services_docker import (call, same_name_in_two_projects, starts_again_on_the_same_address,
                                   wait_running, write_app)


def tasks_running(client, sid: str) -> int:
    (service,) = client.api.services(filters={"label": f"mo.service={sid}"})
    return sum(t["Status"]["State"] == "running"
               for t in client.api.tasks(filters={"service": service["ID"], "desired-state": "running"}))


def leftovers(client, sid: str) -> list:
    return (client.api.services(filters={"label": f"mo.service={sid}"})
            + client.api.containers(all=True, filters={"label": f"{GATEWAY_LABEL}={sid}"}))


@pytest.fixture
def manager(project, swarm, machines):
    write_app(project)
    return ServiceManager(project, {"swarm": SwarmServiceBackend({"machines": machines})})


def test_scale_on_swarm(manager, swarm):
    view = manager.deploy("", "tripler", "prod", ["results/model.json"], "swarm", 1)
    sid, port = view["id"], view["port"]
    try:
        wait_running(manager, sid, 1)
        assert call(port, 2)["y"] == 6
        (gateway,) = swarm.api.containers(filters={"label": f"{GATEWAY_LABEL}={sid}"})
        assert [(p["IP"], p["PublicPort"]) for p in gateway["Ports"]] == [("127.0.0.1", port)]  # nowhere else
        folder = manager.folder / sid
        assert manager.backends["swarm"].serves_on(folder, port) and not manager.backends["swarm"].serves_on(folder, port + 1)

        manager.scale(sid, 3)
        wait_running(manager, sid, 3)
        assert tasks_running(swarm, sid) == 3
        # the gateway spreads connections over the three tasks (each its own container and hostname)
        wait_until(lambda: len({call(port, i)["host"] for i in range(12)}) == 3, timeout=20,
                   message="all three tasks answer")

        manager.scale(sid, 0)
        assert manager.get(sid)["state"] == "stopped"
        wait_until(lambda: tasks_running(swarm, sid) == 0, timeout=30, message="tasks stopped")
        # the address stays bound: once the last task is gone, the gateway says why nothing answers
        error = wait_until(lambda: _refusal(port), timeout=30, message="the gateway's 503")
        assert error.code == 503 and "no running replica" in error.read().decode()

        starts_again_on_the_same_address(manager, sid, port)
    finally:
        manager.delete(sid)
    wait_until(lambda: leftovers(swarm, sid) == [], timeout=20, message="service and gateway removed")
    assert not manager.backends["swarm"].serves_on(folder, port)


def _refusal(port: int):
    try:
        call(port, 1)
    except urllib.error.HTTPError as exc:
        return exc
    return None


def test_an_app_that_cannot_start_fails_with_a_reason(manager, swarm, project):
    (project / "handler.py").write_text("import not_a_module_anywhere\n\n\ndef handle(conf):\n    return {}\n")
    (project / "app_spec.yml").write_text("input: {}\noutput: {}\n")
    sid = manager.deploy("", "broken", "dev", [], "swarm", 1)["id"]
    try:
        view = wait_until(lambda: (v := manager.get(sid))["state"] == "failed" and v, timeout=90,
                          message="failed after the restart attempts")
        assert "exited" in view["reason"] and "non-zero exit" in view["reason"], view
        assert "not_a_module_anywhere" in manager.logs(sid)["text"]
        # starting it again is a fresh start (the spent restart attempts do not keep it failed)
        assert manager.scale(sid, 1)["state"] == "starting"
        assert wait_until(lambda: (v := manager.get(sid))["state"] == "failed" and v, timeout=90,
                          message="failed again")["running_replicas"] == 0
    finally:
        manager.delete(sid)
    wait_until(lambda: leftovers(swarm, sid) == [], timeout=20, message="service and gateway removed")


def test_deploy_on_swarm_from_the_shell(manager, swarm, project, machines, monkeypatch, capsys, tmp_path_factory):
    """`jupyter mo deploy --backend swarm` takes the swarm backend from the server's config."""
    config = tmp_path_factory.mktemp("jupyter_config")
    (config / "jupyter_server_config.json").write_text(json.dumps(
        {"MoJupyterApp": {"backends": {"local": {}, "swarm": {"machines": machines}}}}))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    monkeypatch.chdir(project)
    try:
        code = main(["deploy", "--name", "shell", "--backend", "swarm", "--replicas", "2",
                     "--file", "results/model.json", "--json"])
        out, err = capsys.readouterr()
        assert code == 0, out + err
        view = json.loads(out)
        assert view["state"] == "running" and view["running_replicas"] == 2 and view["backend"] == "swarm"
        assert call(view["port"], 4)["y"] == 12
    finally:
        main(["service", "delete", "shell-dev"])
    wait_until(lambda: leftovers(swarm, "shell-dev") == [], timeout=20, message="service and gateway removed")


def test_two_projects_may_use_one_name_on_swarm(tmp_path, swarm, machines):
    same_name_in_two_projects(tmp_path, lambda: SwarmServiceBackend({"machines": machines}), "swarm")


def test_a_protected_service_gets_its_key_in_the_task_environment_only(manager, swarm, project):
    view = manager.deploy("", "keyed", "dev", ["results/model.json"], "swarm", 1, protected=True)
    sid, port = view["id"], view["port"]
    try:
        wait_running(manager, sid, 1)
        key = json.loads((project / ".mo" / "services" / sid / "service.json").read_text())["key"]
        (service,) = swarm.api.services(filters={"label": f"mo.service={sid}"})
        container = service["Spec"]["TaskTemplate"]["ContainerSpec"]
        assert f"MO_SERVICE_KEY={key}" in container["Env"]
        assert key not in json.dumps([container.get("Command"), container.get("Args"), container.get("Labels"),
                                      service["Spec"].get("Labels")])
        error = wait_until(lambda: _refusal(port), timeout=10, message="the app's refusal without the key")
        assert error.code == 401
    finally:
        manager.delete(sid)
    wait_until(lambda: leftovers(swarm, sid) == [], timeout=20, message="service and gateway removed")
