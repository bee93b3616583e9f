"""What a deploy copies: the snapshot of handler.py, app_spec.yml and the picked files, with links
inside picked folders either copied as the file they point to (inside the project) or refused by
name before anything is written (outside the project, to a folder, broken). Replicas 0: no process."""

from __future__ import annotations

import os

import pytest

from mo_jupyter.errors import BadRequest
from mo_jupyter.services.manager import ServiceManager

from .jobhelpers import wait_until

HANDLE = "def handle(conf):\n    return {'y': 1}  # value_type: int\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "results").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "handler.py").write_text(HANDLE)
    (root / "app_spec.yml").write_text("input: {}\noutput:\n  y: {value_type: int}\n")
    (root / "results" / "model.json").write_text('{"w": 1}')
    (root / "data" / "labels.txt").write_text("cat\ndog\n")
    os.symlink("../data/labels.txt", root / "results" / "labels.txt")
    (tmp_path / "secret.txt").write_text("not for the app")
    return root


def test_a_link_to_a_file_in_the_project_is_copied_as_that_file(project):
    mgr = ServiceManager(project)
    view = mgr.deploy("", "app", "dev", ["results"], "local", 0)
    app = project / ".mo/services/app-dev/app"
    assert view["state"] == "stopped" and view["files"] == ["results"]
    assert not (app / "results/labels.txt").is_symlink()
    assert (app / "results/labels.txt").read_text() == "cat\ndog\n"
    assert (app / "results/model.json").read_text() == '{"w": 1}'


@pytest.mark.parametrize("make, message", [
    (lambda p: os.symlink(p.parent / "secret.txt", p / "results/secret.txt"),
     "'results/secret.txt' links outside the project"),
    (lambda p: os.symlink("../data", p / "results/data"), "'results/data' links to a folder: pick 'data' itself"),
    (lambda p: os.symlink("gone.bin", p / "results/weights.bin"), "'results/weights.bin' is a broken link"),
])
def test_other_links_are_refused_and_nothing_is_written(project, make, message):
    mgr = ServiceManager(project)
    mgr.deploy("", "app", "dev", ["results"], "local", 0)
    before = sorted(p.relative_to(project).as_posix() for p in (project / ".mo/services").rglob("*"))
    make(project)
    with pytest.raises(BadRequest) as err:
        mgr.deploy("", "app", "dev", ["results"], "local", 0)
    assert message in err.value.message
    assert sorted(p.relative_to(project).as_posix() for p in (project / ".mo/services").rglob("*")) == before


def test_a_picked_link_keeps_its_own_name(project):
    os.symlink("results/model.json", project / "model.json")
    ServiceManager(project).deploy("", "app", "dev", ["model.json"], "local", 0)
    assert (project / ".mo/services/app-dev/app/model.json").read_text() == '{"w": 1}'


@pytest.mark.parametrize("item", [".", ".mo", "../proj", "/etc"])
def test_the_folder_itself_the_records_or_outside_are_refused(project, item):
    mgr = ServiceManager(project)
    mgr.deploy("", "first", "dev", [], "local", 0)  # .mo/services exists from now on
    with pytest.raises(BadRequest) as err:
        mgr.deploy("", "app", "dev", [item], "local", 0)
    assert f"'{item}'" in err.value.message
    assert not (project / ".mo/services/app-dev").exists()


def test_a_refused_redeploy_leaves_the_running_service_alone(project):
    import urllib.request

    mgr = ServiceManager(project)
    view = mgr.deploy("", "app", "dev", ["results"], "local", 1)
    try:
        wait_until(lambda: mgr.get("app-dev")["state"] == "running", timeout=30, message="running")
        with pytest.raises(BadRequest):
            mgr.deploy("", "app", "dev", ["results", "."], "local", 1)
        with pytest.raises(BadRequest):
            mgr.deploy("", "app", "dev", ["results"], "nowhere", 1)
        assert mgr.get("app-dev")["state"] == "running"
        with urllib.request.urlopen(view["url"] + "healthz", timeout=5) as resp:
            assert resp.status == 200
    finally:
        mgr.delete("app-dev")


def test_concurrent_deploys_of_one_service_leave_one_set_of_replicas(project):
    import threading

    mgr = ServiceManager(project)
    errors = []

    def deploy():
        try:
            mgr.deploy("", "app", "dev", ["results"], "local", 1)
        except Exception as exc:  # any error here is the bug
            errors.append(exc)

    threads = [threading.Thread(target=deploy) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        folder = project / ".mo/services/app-dev"
        assert len(mgr.backends["local"].replicas(folder)) == 1
        # no replica outside the record (its keeper starts the app a moment after it starts itself)
        wait_until(lambda: len(serving(folder)) == 1, timeout=10, message="one app process")
        assert len(serving(folder)) == 1
    finally:
        mgr.delete("app-dev")
    wait_until(lambda: serving(project / ".mo/services/app-dev") == [], timeout=10, message="all gone")


def serving(folder) -> list:
    import psutil

    out = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if cmd[1:3] == ["-m", "mo_jupyter.serve"] and str(folder / "app") in cmd:  # the app, not its keeper
            out.append(proc.pid)
    return out


def test_a_new_service_never_gets_a_stopped_services_port(project, monkeypatch):
    import mo_jupyter.services.manager as manager

    mgr = ServiceManager(project)
    kept = mgr.deploy("", "first", "dev", [], "local", 0)["port"]
    offered = iter([kept, kept, kept + 1 if kept < 65535 else kept - 1])
    monkeypatch.setattr(manager, "free_port", lambda: next(offered))  # the OS offers the stopped one's port
    assert mgr.deploy("", "second", "dev", [], "local", 0)["port"] != kept


def test_one_bad_record_does_not_break_the_list(project):
    mgr = ServiceManager(project)
    mgr.deploy("", "good", "dev", [], "local", 0)
    mgr.deploy("", "orphan", "dev", [], "local", 0)
    record = project / ".mo/services/orphan-dev/service.json"
    record.write_text(record.read_text().replace('"backend": "local"', '"backend": "gone"'))
    views = {v["id"]: v for v in mgr.list()}
    assert views["good-dev"]["state"] == "stopped"
    assert views["orphan-dev"]["state"] == "failed" and "unknown service backend 'gone'" in views["orphan-dev"]["reason"]
    mgr.delete("orphan-dev")
    assert [v["id"] for v in mgr.list()] == ["good-dev"]


def test_a_service_port_is_free_and_outside_the_ephemeral_range():
    """Outgoing connections (a browser's) take their local ports from the ephemeral range: a service
    port chosen there could be taken between its choice and the app's bind."""
    import socket

    from mo_jupyter.services import ports

    low, high = ports.ephemeral_range()
    assert 0 < low <= high
    for _ in range(20):
        port = ports.free_port()
        if low > 12000:
            assert 10000 <= port < low, port
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # free indeed
