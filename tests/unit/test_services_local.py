"""Local replicas as real processes: each runs under a keeper that starts a crashed app again on the
same port (bounded: then the service is failed, with the reason), a replica's environment has none
of the server's secrets (and the service's key only when protected), a stop ends everything within
the grace period (what the app forked too, even when its keeper was killed), a crashed app's forks
end before it restarts, and `serves_on` says yes only for a port that our own replicas alone hold."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import psutil


from .apphelpers import HANDLE, project  # noqa: F401  (project: a fixture)
from .jobhelpers import wait_until

EXITING = "import os\n\ndef handle(conf):\n    os._exit(3)\n    return {'y': 1}  # value_type: int\n"


def app_processes(folder) -> list[psutil.Process]:
    """The app server processes (not their keepers) of the service in ``folder``."""
    out = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if cmd[1:3] == ["-m", "mo_jupyter.serve"] and str(folder / "app") in cmd:
            out.append(proc)
    return out


def call(port: int, path: str = "/api/run", body: bytes | None = b'{"app": {"input": {}}}', key: str | None = None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                 method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json", **({"X-Mo-Key": key} if key else {})})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError as exc:
        return None, str(exc).encode()


def running(mgr, sid):
    view = mgr.get(sid)
    return view if view["state"] == "running" else None


def deployed(mgr, root, name: str, replicas: int = 1) -> tuple[str, int, object]:
    """Deploy the project as ``name``-dev and wait until it runs: (service id, port, its folder)."""
    view = mgr.deploy("", name, "dev", [], "local", replicas)
    wait_until(lambda: running(mgr, view["id"]), timeout=30, message="running")
    return view["id"], view["port"], root / f".mo/services/{name}-dev"


def test_a_killed_replica_comes_back_on_the_same_port(project):
    root, manager = project
    mgr = manager()
    sid, port, folder = deployed(mgr, root, "back")
    keeper = mgr.backends["local"].replicas(folder)[0]["pid"]
    [app] = app_processes(folder)
    os.kill(app.pid, signal.SIGKILL)
    wait_until(lambda: [p for p in app_processes(folder) if p.pid != app.pid], timeout=30, message="a new app")
    view = wait_until(lambda: running(mgr, sid), timeout=30, message="running again")
    assert view["port"] == port and view["running_replicas"] == 1
    assert call(port) == (200, b'{"output":{"y":1}}')
    assert mgr.backends["local"].replicas(folder)[0]["pid"] == keeper  # the same keeper restarted it
    assert "killed by SIGKILL; restarting it" in mgr.logs(sid)["text"]


def test_an_app_that_keeps_dying_is_failed_with_the_reason(project):
    root, manager = project
    (root / "handler.py").write_text(EXITING)
    mgr = manager(restarts=2)
    view = mgr.deploy("", "dies", "dev", [], "local", 1)
    sid, port = view["id"], view["port"]
    for attempt in range(3):  # the first run, then 2 restarts: each dies on its first request
        wait_until(lambda: running(mgr, sid), timeout=30, message=f"running ({attempt})")
        status, _ = call(port)
        assert status is None  # the connection closed without an answer
    view = wait_until(lambda: (v := mgr.get(sid))["state"] == "failed" and v, timeout=30, message="failed")
    assert "exited with code 3" in view["reason"] and "2 restart(s)" in view["reason"], view
    assert view["running_replicas"] == 0
    # a start brings it back (a new keeper, a new count)
    assert mgr.scale(sid, 1)["state"] in ("starting", "running")
    wait_until(lambda: running(mgr, sid), timeout=30, message="started again")


def test_an_app_that_cannot_start_is_failed_at_once_not_restarted(project):
    """An error at import (here a missing file) would come back on every restart: the service is
    failed with the app's own error as soon as the app ends, not after a minute of restarts."""
    root, manager = project
    (root / "handler.py").write_text("open('results/model.json').read()\n\n\n" + HANDLE)
    mgr = manager(restarts=5)
    sid = mgr.deploy("", "broken", "dev", [], "local", 1)["id"]
    view = wait_until(lambda: (v := mgr.get(sid))["state"] == "failed" and v, timeout=30, message="failed")
    assert "the app could not start (exited with code 2); not restarted" in view["reason"], view
    assert view["error"] == "FileNotFoundError: [Errno 2] No such file or directory: 'results/model.json' (handler.py:1)"
    log = mgr.logs(sid)["text"]
    assert log.count("Traceback") == 1 and "restarting it" not in log, log


def test_replicas_get_no_server_secrets_and_the_key_only_when_protected(project, monkeypatch):
    root, manager = project
    monkeypatch.setenv("JUPYTER_TOKEN", "server-secret")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-secret")
    mgr = manager()
    view = mgr.deploy("", "env", "dev", [], "local", 1)
    folder = root / ".mo/services/env-dev"
    wait_until(lambda: running(mgr, view["id"]), timeout=30, message="running")

    def environ() -> dict:
        [app] = app_processes(folder)
        return app.environ()

    env = environ()
    assert "JUPYTER_TOKEN" not in env and "JUPYTERHUB_API_TOKEN" not in env
    assert "MO_SERVICE_KEY" not in env  # not protected
    assert "key" not in view and view["protected"] is False

    view = mgr.set_key(view["id"], protected=True)  # the replicas start again with the key
    wait_until(lambda: running(mgr, view["id"]), timeout=30, message="running protected")
    wait_until(lambda: len(app_processes(folder)) == 1 and environ().get("MO_SERVICE_KEY") == view["key"],
               timeout=30, message="the key in the app's environment")
    env = environ()
    assert "JUPYTER_TOKEN" not in env and "JUPYTERHUB_API_TOKEN" not in env


def test_stop_ends_keeper_and_app_within_the_grace_period(project):
    root, manager = project
    mgr = manager(grace=3.0)
    sid, _, folder = deployed(mgr, root, "stops", replicas=2)
    procs = [psutil.Process(e["pid"]) for e in mgr.backends["local"].replicas(folder)] + app_processes(folder)
    assert len(procs) == 4
    t0 = time.monotonic()
    assert mgr.scale(sid, 0)["state"] == "stopped"
    assert time.monotonic() - t0 < 3.0 + 2.0
    assert not [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not list((folder / "keepers").iterdir())


def test_serves_on_only_for_a_port_our_replica_holds(project):
    root, manager = project
    mgr = manager()
    backend = mgr.backends["local"]
    sid, port, folder = deployed(mgr, root, "holds")
    assert backend.serves_on(folder, port)
    assert not backend.serves_on(folder, port + 1 if port < 65535 else port - 1)
    mgr.scale(sid, 0)
    assert not backend.serves_on(folder, port)

    async def stranger():  # another program takes the stopped service's port
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", port)
        try:
            return backend.serves_on(folder, port)
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(stranger()) is False
    # a replicas.json naming a process that is not ours (this test's own): never trusted
    me = psutil.Process()
    (folder / "replicas.json").write_text(json.dumps([{"pid": me.pid, "started": me.create_time(), "at": 0}]))
    assert backend.replicas(folder) == []
    assert not asyncio.run(stranger())


def test_a_replica_is_known_by_its_start_in_ticks_whatever_the_wall_clock_did(project):
    """psutil's start time adds the kernel's boot time, which moves by a whole second when the clock
    is stepped: a live replica then read as exited, and a deploy failed at once (seen in CI)."""
    root, manager = project
    mgr = manager()
    sid, _, folder = deployed(mgr, root, "ticks")
    [entry] = json.loads((folder / "replicas.json").read_text())
    assert isinstance(entry["ticks"], int)

    def state_with(**changes) -> str:
        (folder / "replicas.json").write_text(json.dumps([{**entry, **changes}]))
        return mgr.get(sid)["state"]

    assert state_with(started=entry["started"] + 1.0) == "running"  # the boot time stepped a second
    assert state_with(started=entry["started"] - 1.0) == "running"
    assert state_with(ticks=entry["ticks"] + 1) == "failed"  # another process under a reused PID
    old = {k: v for k, v in entry.items() if k != "ticks"}  # a record from before ticks: the wall clock
    (folder / "replicas.json").write_text(json.dumps([old]))
    assert mgr.get(sid)["state"] == "running"
    (folder / "replicas.json").write_text(json.dumps([{**old, "started": entry["started"] + 5}]))
    assert mgr.get(sid)["state"] == "failed"
    (folder / "replicas.json").write_text(json.dumps([entry]))
    mgr.scale(sid, 0)


FORKS_THEN_DIES = ("import os, time\n\ndef handle(conf):\n    if os.fork() == 0:  # a fork that keeps the port's socket\n"
                   "        time.sleep(120)\n        os._exit(0)\n    os._exit(3)\n    return {'y': 1}  # value_type: int\n")
FORKS = ("import os, signal, time\n\ndef handle(conf):\n    if os.fork() == 0:  # deaf to SIGTERM, never returns\n"
         "        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n        time.sleep(120)\n        os._exit(0)\n"
         "    return {'y': 1}  # value_type: int\n")


def live(procs) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def test_a_fork_of_a_crashed_app_goes_with_it_before_the_restart(project):
    """A handle forks, then the app dies: the fork (holding a copy of the port's listening socket,
    which takes connections and answers none) is ended with the app's group before the restart."""
    root, manager = project
    (root / "handler.py").write_text(FORKS_THEN_DIES)
    mgr = manager()
    sid, port, folder = deployed(mgr, root, "forky")
    [first] = app_processes(folder)
    assert call(port)[0] is None  # the app died on the request, after its fork
    wait_until(lambda: (apps := live(app_processes(folder))) and all(p.pid != first.pid for p in apps)
               and len(apps) == 1, timeout=20, message="only the restarted app: its fork ended with it")
    wait_until(lambda: running(mgr, sid), timeout=30, message="running again")
    assert mgr.backends["local"].serves_on(folder, port)
    assert [call(port, "/healthz", body=None)[0] for _ in range(20)] == [200] * 20


def test_serves_on_refuses_a_port_that_a_stray_socket_shares(project):
    root, manager = project
    mgr = manager()
    backend = mgr.backends["local"]
    sid, port, folder = deployed(mgr, root, "shared")
    assert backend.serves_on(folder, port)
    for host in ("127.0.0.1", "0.0.0.0"):
        stray = socket.socket()  # SO_REUSEPORT: the kernel would hand it part of the connections
        stray.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        stray.bind((host, port))
        stray.listen()
        try:
            assert not backend.serves_on(folder, port), host
        finally:
            stray.close()
        assert backend.serves_on(folder, port)


def test_stop_ends_what_the_app_forked_even_when_its_keeper_was_killed(project):
    root, manager = project
    (root / "handler.py").write_text(FORKS)
    mgr = manager(grace=2.0)
    sid, port, folder = deployed(mgr, root, "orphans")
    [app] = app_processes(folder)
    assert call(port)[0] == 200
    [fork] = wait_until(lambda: [p for p in live(app_processes(folder)) if p.pid != app.pid], timeout=10,
                        message="the handle's fork")
    os.kill(mgr.backends["local"].replicas(folder)[0]["pid"], signal.SIGKILL)  # the keeper: no clean-up by it
    wait_until(lambda: not live([app]), timeout=10, message="the app ends with its keeper")
    assert live([fork]) and not mgr.backends["local"].serves_on(folder, port)  # the fork: untracked, deaf
    t0 = time.monotonic()
    assert mgr.scale(sid, 0)["state"] == "stopped"
    assert time.monotonic() - t0 < 2.0 + 2.0
    wait_until(lambda: not live([fork]), timeout=5, message="the fork killed by the stop")
    assert not live(app_processes(folder))


def test_a_planted_status_file_never_makes_a_stop_signal_another_group(project):
    """replicas.json and the keepers' status files can be written by anyone who can write the
    project: a group they name is signalled only through members that are the service's."""
    root, manager = project
    mgr = manager(grace=0.5)
    view = mgr.deploy("", "planted", "dev", [], "local", 0)
    folder = root / ".mo/services/planted-dev"
    victim = subprocess.Popen(["sh", "-c", "sleep 300 & wait"], start_new_session=True)
    try:
        wait_until(lambda: psutil.Process(victim.pid).children(), timeout=5, message="the victim's child")
        (folder / "keepers").mkdir(exist_ok=True)
        (folder / "keepers" / ("0" * 16 + ".json")).write_text(json.dumps({"state": "running", "child": victim.pid}))
        (folder / "replicas.json").write_text(json.dumps([{"pid": victim.pid, "started": 0, "at": 0,
                                                           "status": "0" * 16 + ".json"}]))
        mgr.scale(view["id"], 0)
        mgr.delete(view["id"])
        assert victim.poll() is None and live(psutil.Process(victim.pid).children())
    finally:
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
