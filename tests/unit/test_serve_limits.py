"""The app server under a flood, a handle that exits, hostile input and hostile app folders: real
server processes on free 127.0.0.1 ports, real HTTP."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest

from mo_jupyter.errors import BadRequest
from mo_jupyter.handle.spec import load_app_spec
from mo_jupyter.serve.runner import load_handle

from .test_serve_app import REPO, Server


def make_app(folder: Path, spec: str, handler: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "app_spec.yml").write_text(spec)
    (folder / "handler.py").write_text(handler)
    return folder


def wait_until(condition, timeout: float = 20.0, what: str = "a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# ---- a bounded queue --------------------------------------------------------------------------

QUEUE_SPEC = "input:\n  id: {value_type: str}\noutput: {}\n"
QUEUE_HANDLER = """\
import os, time

def handle(conf):
    with open("ran.log", "a") as f:
        f.write(conf["id"] + "\\n")
    while conf["id"] != "marker" and not os.path.exists("release"):
        time.sleep(0.01)
    return {"id": conf["id"]}
"""


def test_a_full_queue_answers_503_at_once_and_a_timed_out_request_never_runs(tmp_path):
    app = make_app(tmp_path / "app", QUEUE_SPEC, QUEUE_HANDLER)
    server = Server(app, "--workers-threads", "1", "--queue", "2", "--timeout", "3", entry="serve")
    try:
        results: dict[str, tuple[int, float]] = {}

        def send(ident: str):
            t0 = time.monotonic()
            status, _ = server.run(id=ident)
            results[ident] = (status, time.monotonic() - t0)

        flood = [threading.Thread(target=send, args=(f"r{i}",)) for i in range(8)]
        for thread in flood:
            thread.start()
        for thread in flood:
            thread.join(30)
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [503] * 5 + [504] * 3, results  # 1 thread + a queue of 2; the rest at once
        assert all(took < 2.5 for status, took in results.values() if status == 503), results
        # the worker is still stuck and the two queued requests got 504: a newcomer is told at once
        t0 = time.monotonic()
        status, body = server.run(id="late")
        assert status == 503 and "busy" in body["error"] and time.monotonic() - t0 < 2.5
        (app / "release").touch()
        wait_until(lambda: server.run(id="marker")[0] == 200, what="the marker request to run")
        ran = (app / "ran.log").read_text().split()
        assert len(ran) == 2 and ran[0] in results and ran[1] == "marker", ran  # only the one that started
        assert results[ran[0]][0] == 504
        assert server.request("GET", "/healthz") == (200, {"ok": True})
    finally:
        server.stop()


# ---- sys.exit, KeyboardInterrupt, os._exit --------------------------------------------------------

EXIT_SPEC = "input:\n  how: {value_type: str}\noutput: {}\n"
EXIT_HANDLER = """\
import os, sys

def handle(conf):
    how = conf["how"]
    if how == "exit":
        sys.exit(3)
    if how == "exit-none":
        sys.exit()
    if how == "interrupt":
        raise KeyboardInterrupt
    if how == "os-exit":
        os._exit(7)
    return {"ok": True}
"""


def test_sys_exit_and_keyboard_interrupt_in_handle_are_500s_and_the_server_goes_on(tmp_path):
    app = make_app(tmp_path / "app", EXIT_SPEC, EXIT_HANDLER)
    server = Server(app, "--workers-threads", "1", entry="serve")
    try:
        for _ in range(3):  # more than the one worker thread: none of them dies
            assert server.run(how="exit") == (500, {"error": "SystemExit: 3"})
            assert server.run(how="exit-none") == (500, {"error": "SystemExit"})
            assert server.run(how="interrupt") == (500, {"error": "KeyboardInterrupt"})
        assert server.run(how="fine") == (200, {"output": {"ok": True}})
        assert server.request("GET", "/healthz") == (200, {"ok": True})
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_os_exit_in_handle_ends_the_replica_at_once(tmp_path):
    """Nothing in the process survives os._exit: the replica ends (its backend starts a new one), and
    the client gets a closed connection, not a hang."""
    app = make_app(tmp_path / "app", EXIT_SPEC, EXIT_HANDLER)
    server = Server(app, entry="serve")
    try:
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            server.run(how="os-exit")
        assert server.proc.wait(20) == 7
    finally:
        server.stop()


@pytest.mark.parametrize("source", ["import sys\nsys.exit(0)\n", "raise KeyboardInterrupt\n", "raise SystemExit('no model')\n"])
def test_a_handler_that_exits_while_imported_is_a_clean_start_failure(tmp_path, source):
    app = make_app(tmp_path / "app", EXIT_SPEC, source)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.serve", "--root", str(app), ".", "--port", "1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: importing handler.py failed: ") and ("SystemExit" in last or "KeyboardInterrupt" in last)


# ---- a handler: key or a link that leads out of the app's folder ---------------------------------

EVIL = "open({marker!r}, 'w').write('ran')\ndef handle(conf):\n    return {{}}\n"


@pytest.fixture
def outside(tmp_path):
    """A handler file outside the app's folder that leaves a marker when it is imported."""
    folder = tmp_path / "outside"
    folder.mkdir()
    marker = tmp_path / "ran"
    (folder / "evil.py").write_text(EVIL.format(marker=str(marker)))
    return folder / "evil.py", marker


@pytest.mark.parametrize("how", ["dotdot", "nested-dotdot", "absolute", "linked-file", "linked-folder"])
def test_a_handler_leading_out_of_the_app_is_refused_before_it_runs(tmp_path, outside, how):
    evil, marker = outside
    app = tmp_path / "app"
    app.mkdir()
    handler = {"dotdot": "../outside/evil.py", "nested-dotdot": "sub/../../outside/evil.py",
               "absolute": str(evil), "linked-file": "handler.py", "linked-folder": "lib/evil.py"}[how]
    if how == "linked-file":
        (app / "handler.py").symlink_to(evil)
    elif how == "linked-folder":
        (app / "lib").symlink_to(evil.parent, target_is_directory=True)
    (app / "app_spec.yml").write_text(f"handler: {handler}\ninput: {{}}\noutput: {{}}\n")
    with pytest.raises(BadRequest, match="handler .*(inside the app's folder|leads out)"):
        load_app_spec(app / "app_spec.yml")
    with pytest.raises(BadRequest, match="handler .*(inside the app's folder|leads out)"):
        load_handle(app, handler)
    if how in ("nested-dotdot", "linked-folder"):  # and the command: one line, exit 2
        env = dict(os.environ, PYTHONPATH=str(REPO))
        proc = subprocess.run([sys.executable, "-m", "mo_jupyter.serve", "--root", str(app), ".", "--port", "1"],
                              capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 2 and "handler" in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists()  # the outside file never ran
    assert Path.cwd() != app.resolve()


def test_a_handler_in_a_subfolder_of_the_app_is_fine(tmp_path):
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "src" / "serve_me.py").write_text("def handle(conf):\n    return {'y': 1}\n")
    (app / "app_spec.yml").write_text("handler: src/serve_me.py\ninput: {}\noutput: {}\n")
    assert load_app_spec(app / "app_spec.yml")["handler"] == "src/serve_me.py"
    server = Server(app, entry="serve")
    try:
        assert server.run() == (200, {"output": {"y": 1}})
    finally:
        server.stop()


# ---- value_range: null ----------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["value_range: null", "value_range:", "value_range: ~"])
def test_a_null_or_empty_value_range_means_no_range(tmp_path, written):
    spec = f"input:\n  x:\n    value_type: int\n    {written}\n    description:\n  s:\n    value_type: str\n    {written}\noutput: {{}}\n"
    app = make_app(tmp_path / "app", spec, "def handle(conf):\n    return {'x': conf['x'], 's': conf['s']}\n")
    loaded = load_app_spec(app / "app_spec.yml")
    assert "value_range" not in loaded["input"]["x"] and "description" not in loaded["input"]["x"]
    server = Server(app, entry="serve")
    try:
        assert server.run(x=10**9, s="anything") == (200, {"output": {"x": 10**9, "s": "anything"}})
        assert server.request("GET", "/")[0] == 200
    finally:
        server.stop()


# ---- messages that repeat input ------------------------------------------------------------------

CUT_SPEC = "input:\n  s: {value_type: str}\n  n: {value_type: int, optional: true}\noutput: {}\n"
CUT_HANDLER = "def handle(conf):\n    raise ValueError('bad value: ' + conf['s'])\n"
BIG = 50 * 1024 * 1024


def test_a_50_mb_field_gives_a_short_answer_and_a_short_log_line(tmp_path):
    app = make_app(tmp_path / "app", CUT_SPEC, CUT_HANDLER)
    server = Server(app, "--max-body-mib", "64", "--timeout", "60", entry="serve")
    try:
        before = len(server.output())
        huge = "A" * BIG

        def post(raw: bytes):
            status, body = server.request("POST", "/api/run", raw=raw, timeout=120)
            assert len(orjson.dumps(body)) < 4096, (status, str(body)[:300])
            return status, body

        status, body = post(b'{"app": {"input": {"s": "' + huge.encode() + b'"')  # not JSON
        assert status == 400
        status, body = post(orjson.dumps({"app": {"input": {huge: 1, "s": "x"}}}))  # an unknown input's name
        assert status == 422 and body["errors"][0]["field"].startswith("input.AAAA")
        status, body = post(orjson.dumps({"app": {"input": {"s": "x", "n": huge}}}))  # a wrong type
        assert status == 422 and body["errors"][0]["field"] == "input.n"
        status, body = post(orjson.dumps({"app": {"input": {"s": "x", **{f"k{i}": 1 for i in range(100_000)}}}}))
        assert status == 422 and len(body["errors"]) <= 21 and "more" in body["errors"][-1]["message"]
        status, body = post(orjson.dumps({"app": {"input": {"s": huge}}}))  # handle repeats it in its error
        assert status == 500 and body["error"].startswith("ValueError: bad value: AAAA")
        status, body = server.request("GET", "/" + "p" * 8000)
        assert status == 404 and len(body["error"]) < 400
        log = server.output()[before:]
        assert "ValueError: bad value: AAAA" in log  # still logged, but short
        assert len(log) < 64 * 1024 and max(len(line) for line in log.splitlines()) < 2048
    finally:
        server.stop()
