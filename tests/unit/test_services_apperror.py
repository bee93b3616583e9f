"""A failed service names the app's own error: the exception line and where in the app's files it
was raised (``ModuleNotFoundError: No module named 'weights' (handler.py:2)``), found in the tail of
its log after the last deploy's separator (an older deploy's failure never shows for a new one),
without mo_jupyter's frames or absolute paths; a service that runs has no error."""

from __future__ import annotations

import os
import signal

import psutil

from mo_jupyter.containers import PACKAGE_DIR
from mo_jupyter.services.apperror import TAIL_BYTES, app_error, explain, read_tail, tail
from mo_jupyter.services.manager import ServiceManager

from .apphelpers import HANDLE, project  # noqa: F401  (project: a fixture)
from .jobhelpers import wait_until


def settled(mgr: ServiceManager, sid: str) -> dict:
    return wait_until(lambda: (v := mgr.get(sid))["state"] in ("failed", "running") and v, 30,
                      message=f"{sid} running or failed")


def test_a_module_left_out_of_the_deploy_is_named_with_its_line_in_handler_py(project):
    root, manager = project
    (root / "weights.py").write_text("W = 1\n")  # in the project, not among the deployed files
    (root / "handler.py").write_text("import json\nimport weights\n" + HANDLE)
    mgr = manager(restarts=0, grace=2.0)
    view = settled(mgr, mgr.deploy(name="app")["id"])
    assert view["state"] == "failed"
    assert view["error"] == "ModuleNotFoundError: No module named 'weights' (handler.py:2)"
    assert view["reason"].endswith(view["error"]) and "replica(s) exited" in view["reason"]


def test_an_error_raised_at_import_in_the_apps_own_module(project):
    root, manager = project
    (root / "model.py").write_text("import os\n\nraise RuntimeError('model file missing')\n")
    (root / "handler.py").write_text("import model\n" + HANDLE)
    mgr = manager(restarts=0, grace=2.0)
    view = settled(mgr, mgr.deploy(name="app", files=["model.py"])["id"])
    assert view["error"] == "RuntimeError: model file missing (model.py:3)"
    assert str(root) not in view["reason"] and "mo_jupyter" not in view["reason"]


def test_an_older_deploys_failure_is_not_shown_after_a_redeploy(project):
    root, manager = project
    (root / "handler.py").write_text("raise RuntimeError('model file missing')\n" + HANDLE)
    mgr = manager(restarts=0, grace=2.0)
    sid = mgr.deploy(name="app")["id"]
    assert settled(mgr, sid)["error"] == "RuntimeError: model file missing (handler.py:1)"
    (root / "handler.py").write_text(HANDLE)
    mgr.deploy(name="app")
    view = settled(mgr, sid)
    assert view["state"] == "running" and "error" not in view and "reason" not in view
    # the new deploy's app dies without a word: the old traceback is still in the log, never shown
    assert "model file missing" in mgr.logs(sid)["text"]
    keeper = mgr.backends["local"].replicas(root / ".mo/services" / sid)[0]["pid"]
    for proc in psutil.Process(keeper).children():
        os.kill(proc.pid, signal.SIGKILL)
    view = wait_until(lambda: "replica(s) exited" in (v := mgr.get(sid)).get("reason", "") and v, 30,
                      message="the keeper gives up")
    assert view["state"] == "failed" and "error" not in view and "killed by SIGKILL" in view["reason"], view


def frame(path: str, line: int, code: str = "x") -> list[str]:
    return [f'  File "{path}", line {line}, in <module>', f"    {code}"]


APP = "/home/u/proj/.mo/services/app-dev/app"


def test_mo_jupyters_frames_and_paths_outside_the_app_are_never_the_place():
    lines = ["Traceback (most recent call last):", *frame(f"{PACKAGE_DIR}/serve/runner.py", 83),
             '  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed',
             *frame(f"{APP}/handler.py", 4, "import tools"), *frame(f"{APP}/lib/tools.py", 9, "load()"),
             *frame("/usr/lib/python3.11/json/__init__.py", 293), *frame(f"{PACKAGE_DIR}/handle/spec.py", 10),
             "ValueError: bad model"]
    assert explain(lines, [APP]) == "ValueError: bad model (lib/tools.py:9)"
    # only mo_jupyter's frames (a package the app imports raised): the error without a place
    ours = ["Traceback (most recent call last):", *frame(f"{PACKAGE_DIR}/serve/runner.py", 83), "KeyError: 'x'"]
    assert explain(ours, [APP]) == "KeyError: 'x'"
    # a container's app is at /app; mo_jupyter is mounted at /opt/mo
    inside = ["Traceback (most recent call last):", *frame("/opt/mo/mo_jupyter/serve/runner.py", 83),
              *frame("/app/handler.py", 3, "import keras"), "ModuleNotFoundError: No module named 'keras'"]
    assert app_error("\n".join(inside).encode(), APP) == "ModuleNotFoundError: No module named 'keras' (handler.py:3)"


def test_the_app_servers_error_line_when_there_is_no_traceback():
    log = b"===== a-dev deployed at 2026-01-01 10:00:00 +0000: local, 1 replica(s), port 1 =====\n" \
          b"error: invalid app spec: (body): 'input' is a required property\nmo keeper: the app exited with code 2\n"
    assert app_error(log, APP) == "invalid app spec: (body): 'input' is a required property"
    assert app_error(b"mo keeper: the app was killed by SIGKILL\n", APP) is None


def test_only_the_last_deploy_and_only_the_tail_are_read(tmp_path):
    old = "Traceback (most recent call last):\n" + "\n".join(frame(f"{APP}/handler.py", 1)) + "\nOSError: old\n"
    sep = "===== a-dev deployed at 2026-01-01 10:00:00 +0000: local, 1 replica(s), port 1 =====\n"
    assert tail((old + "\n" + sep + "ok\n").encode()) == ["ok"]
    assert app_error((old + "\n" + sep + "started\n").encode(), APP) is None
    # a log longer than the tail: its start (the cut line) is not read
    big = (old + "x" * (2 * TAIL_BYTES) + "\nlast\n").encode()
    assert tail(big) == ["last"]
    path = tmp_path / "output.log"
    path.write_bytes(big)
    assert len(read_tail(path)) == TAIL_BYTES and read_tail(tmp_path / "missing.log") == b""
    os.mkfifo(tmp_path / "fifo")
    assert read_tail(tmp_path / "fifo") == b""  # never blocks on a planted FIFO
