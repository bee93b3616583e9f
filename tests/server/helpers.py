"""Shared helpers of the server suite: polling with deadlines, a small REST client around
``jp_fetch``, scripts to run as jobs, cleanup of detached job processes, and a real
``jupyter server`` subprocess for the restart tests."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

import psutil

from mo_jupyter.jobs import replay

REPO = Path(__file__).resolve().parents[2]
TERMINAL = ("completed", "failed", "stopped")
ACTIVE = ("queued", "running")


# ---- waiting, never sleeping-and-hoping ------------------------------------------------------
def wait_until(pred: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05, message: str = ""):
    """Call ``pred`` until it returns something truthy; return that, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or pred}; last={last!r}")
        time.sleep(interval)


async def await_until(pred: Callable[[], Awaitable[Any]], timeout: float = 30.0, interval: float = 0.05,
                      message: str = ""):
    """``wait_until`` for coroutines (the in-process server shares the test's event loop)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = await pred()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or pred}; last={last!r}")
        await asyncio.sleep(interval)


# ---- a REST client on jp_fetch ----------------------------------------------------------------
class Reply:
    def __init__(self, code: int, body: bytes, headers=None):
        self.code = code
        self.body = body
        self.headers = headers or {}

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return f"Reply({self.code}, {self.body[:300]!r})"


class Api:
    """``await api.post("jobs", {...})`` -> Reply; never raises on an HTTP error code."""

    def __init__(self, jp_fetch):
        self.fetch = jp_fetch

    async def call(self, method: str, path: str, body: Any = None, raw: Optional[bytes] = None,
                   params: Optional[dict] = None, headers: Optional[dict] = None) -> Reply:
        kwargs: dict = {"method": method, "raise_error": False, "params": params, "headers": headers}
        if raw is not None:
            kwargs["body"] = raw
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method == "POST":
            kwargs["body"] = b"{}"
        r = await self.fetch("mo", "api", *path.split("/"), **kwargs)
        return Reply(r.code, r.body, r.headers)

    async def get(self, path, **kw):
        return await self.call("GET", path, **kw)

    async def post(self, path, body=None, **kw):
        return await self.call("POST", path, body=body, **kw)

    async def delete(self, path, **kw):
        return await self.call("DELETE", path, **kw)

    async def create(self, body: dict) -> dict:
        r = await self.post("jobs", body)
        assert r.code == 201, r
        return r.json

    async def job(self, job_id: str) -> dict:
        r = await self.get(f"jobs/{job_id}")
        assert r.code == 200, r
        return r.json

    async def wait_state(self, job_id: str, states=TERMINAL, timeout: float = 30.0) -> dict:
        async def check():
            job = await self.job(job_id)
            return job if job["state"] in states else None

        return await await_until(check, timeout, message=f"job {job_id} in {states}")

    async def full_log(self, job_id: str) -> str:
        text, offset = "", 0
        while True:
            r = await self.get(f"jobs/{job_id}/log", params={"offset": str(offset)})
            assert r.code == 200, r
            text += r.json["text"]
            if r.json["next_offset"] == offset:
                return text
            offset = r.json["next_offset"]


def assert_user_error(reply: Reply, *codes: int, mentions: str = "") -> str:
    """A 4xx (one of ``codes`` if given) with a JSON ``message`` a person can read."""
    assert 400 <= reply.code < 500, reply
    if codes:
        assert reply.code in codes, reply
    body = reply.json
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"].strip(), reply
    assert "Traceback" not in body["message"] and "internal error" not in body["message"], reply
    if mentions:
        assert mentions.lower() in body["message"].lower(), reply
    return body["message"]


# ---- job scripts ------------------------------------------------------------------------------
def run_app(port: int, x: float) -> dict:
    """POST Mo's body {"app": {"input": {"x": x}}} straight to a deployed app on 127.0.0.1:port."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/run", method="POST",
                                 data=json.dumps({"app": {"input": {"x": x}}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def write(root: Path, rel: str, text: str) -> Path:
    """Atomically (write + rename): a job already running the old file never reads it half-written."""
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def counting_script(lines: int, metric_every: int = 1, delay: float = 0.0, exit_code: int = 0) -> str:
    """Prints ``line i`` and (every ``metric_every``) a loss metric, ``lines`` times."""
    return (
        "import json, sys, time\n"
        f"for i in range({lines}):\n"
        "    print(f'line {i}', flush=True)\n"
        f"    if i % {metric_every} == 0:\n"
        "        print(json.dumps({'metric': 'loss', 'value': 1.0 / (i + 1), 'step': i}), flush=True)\n"
        f"    if {delay}: time.sleep({delay})\n"
        f"sys.exit({exit_code})\n"
    )


GATED = (
    "import os, sys, time\n"
    "print('started', flush=True)\n"
    "gate = sys.argv[1]\n"
    "while not os.path.exists(gate):\n"
    "    time.sleep(0.02)\n"
    "print('released', flush=True)\n"
)
"""A job that runs until the file named by its first argument exists (then ends, exit 0)."""


def read_events(jobs_dir: Path, job_id: str) -> list[dict]:
    """A job's events as a stream client sees them (log, status, then metric events per frame)."""
    return replay.read_events(Path(jobs_dir) / job_id)


def final_events(jobs_dir: Path, job_id: str, timeout: float = 10.0) -> list[dict]:
    """The events once the last status event is the terminal one (status.json is written just after)."""

    def ended():
        events = read_events(jobs_dir, job_id)
        statuses = [e for e in events if e["type"] == "status"]
        last = statuses[-1] if statuses else {}
        return events if last.get("type") == "status" and last["job"]["state"] in TERMINAL else None

    return wait_until(ended, timeout, message=f"the final status event of {job_id}")


def job_dirs(jobs_dir: Path) -> list[str]:
    try:
        return sorted(n for n in os.listdir(jobs_dir) if not n.startswith("."))
    except FileNotFoundError:
        return []


# ---- cleanup of detached processes ------------------------------------------------------------
def kill_processes_under(folder: Path) -> None:
    """SIGKILL every process of ours whose cwd or command line points inside ``folder`` (job
    supervisors run in their job folder, jobs in the project root)."""
    folder = str(Path(os.path.realpath(folder)))
    me = os.getpid()
    for proc in psutil.process_iter(["pid", "cwd", "cmdline"]):
        if proc.info["pid"] == me:
            continue
        cwd = proc.info.get("cwd") or ""
        cmd = " ".join(proc.info.get("cmdline") or [])
        if cwd == folder or cwd.startswith(folder + os.sep) or folder in cmd:
            try:
                proc.kill()
            except psutil.Error:
                pass


# ---- a real jupyter server, as a subprocess ---------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``jupyter server`` on 127.0.0.1 with the extension enabled, rooted at ``root``."""

    def __init__(self, root: Path, token: str = "mo-test-token", log: Optional[Path] = None):
        self.root = Path(root)
        self.token = token
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None
        self.log = log or self.root.parent / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60.0) -> None:
        self.port = free_port()  # a fresh port each start: the last one may still be in TIME_WAIT
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env["JUPYTER_CONFIG_DIR"] = str(self.root.parent / "jupyter_config")
        env["JUPYTER_DATA_DIR"] = str(self.root.parent / "jupyter_data")
        env["JUPYTER_RUNTIME_DIR"] = str(self.root.parent / "jupyter_runtime")
        cmd = [
            sys.executable, "-m", "jupyter_server",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.jpserver_extensions={'mo_jupyter': True}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"jupyter server exited ({self.proc.returncode}); see {self.log}")
            try:
                return self.request("GET", "mo/api/config")[0] == 200
            except OSError:
                return False

        wait_until(up, timeout, interval=0.1, message="the jupyter server to answer")

    def stop(self, sig: int = signal.SIGKILL, timeout: float = 30.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        if sig == signal.SIGINT:
            # Ctrl-C goes to the whole foreground process group, as a terminal sends it; a second
            # one (as a person would press it) if the first only asked for confirmation.
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGINT)
        else:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)
            raise AssertionError(f"the server ignored signal {sig}")

    def request(self, method: str, path: str, body: Any = None, token: Optional[str] = "default"):
        token = self.token if token == "default" else token
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {token}")
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, raw

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{path}"

    def websocket(self, path: str):
        """An open websocket client to ``path`` (with the token); ``close_websocket`` it."""
        from websockets.sync.client import connect

        return connect(self.ws_url(path), additional_headers={"Authorization": f"token {self.token}"},
                       open_timeout=20, max_size=None).__enter__()


def close_websocket(ws) -> None:
    if ws is not None:
        ws.__exit__(None, None, None)
