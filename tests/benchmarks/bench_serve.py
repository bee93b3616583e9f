"""(g) Requests/s of a trivial deployed handle (``return {"y": conf["x"] * 2}``, one float input) served
by ``jupyter mo serve`` vs FastAPI + uvicorn wrapping the same function with a pydantic body model
(goal: ratio >= 1.0). Same machine, same client: ``wrk`` (POST via a Lua script, 1 thread, 50
connections) or, when wrk is missing, the Python load generator of mo_jupyter.serve.loadgen (said so
in the output). Server and client are pinned to one core each when the machine has two or more.

    python tests/benchmarks/bench_serve.py [--quick]
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BODY = b'{"app": {"input": {"x": 1.5}}}'
CONNECTIONS = 50

SPEC = "name: bench\ninput:\n  x: {value_type: float}\noutput:\n  y: {value_type: float}\n"
HANDLER = 'def handle(conf):\n    return {"y": conf["x"] * 2}\n'
FASTAPI_APP = """\
import sys
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from handler import handle

class Input(BaseModel):
    x: float

class App(BaseModel):
    input: Input

class Body(BaseModel):
    app: App

api = FastAPI()

@api.post("/api/run")
def run(body: Body):
    return {"output": handle(body.app.input.model_dump())}

uvicorn.run(api, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""
LUA = f"""wrk.method = "POST"
wrk.body = '{BODY.decode()}'
wrk.headers["Content-Type"] = "application/json"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cores() -> tuple[set | None, set | None]:
    """(server core, client core), or (None, None) when pinning is impossible."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None, None
    return {allowed[0]}, {allowed[1]}


def pinned(core):
    return (lambda: os.sched_setaffinity(0, core)) if core else None


def post_ok(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("POST", "/api/run", body=BODY, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        ok = resp.status == 200 and json.loads(resp.read())["output"]["y"] == 3.0
        conn.close()
        return ok
    except OSError:
        return False


def start(cmd: list[str], cwd: Path, port: int, core) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=pinned(core))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd[2:4]} exited: {proc.stderr.read().decode()[-2000:]}")
        if post_ok(port):
            return proc
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{cmd} did not answer in 30 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure(port: int, seconds: float, lua: Path, core) -> tuple[float, int]:
    """-> (requests/s, failed requests)."""
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", str(lua),
                              f"http://127.0.0.1:{port}/api/run"], capture_output=True, text=True,
                             preexec_fn=pinned(core), timeout=seconds + 30).stdout
        rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
        bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s*(\d+)", out))
        socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        bad += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
        return rps, bad
    total = int(seconds * 4000)
    code = ("import json, sys; from mo_jupyter.serve.loadgen import load; "
            f"print(json.dumps(load('127.0.0.1', {port}, '/api/run', {BODY!r}, {total}, {CONNECTIONS})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=pinned(core),
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=seconds * 20 + 60)
    result = json.loads(out.stdout)
    return result["rps"], result["errors"]


def main(quick: bool = False) -> dict:
    server_core, client_core = cores()
    seconds, rounds = (3, 1) if quick else (10, 3)
    client = "wrk" if shutil.which("wrk") else "the Python load generator (wrk is not installed)"
    pin = (f"server on core {min(server_core)}, client on core {min(client_core)}" if server_core
           else "not pinned (fewer than 2 cores allowed)")
    work = Path(tempfile.mkdtemp(prefix="mo-bench-serve-"))
    try:
        app = work / "app"
        app.mkdir()
        (app / "app_spec.yml").write_text(SPEC)
        (app / "handler.py").write_text(HANDLER)
        (app / "fastapi_app.py").write_text(FASTAPI_APP)
        lua = work / "post.lua"
        lua.write_text(LUA)
        results: dict[str, list[float]] = {"mo": [], "fastapi": []}
        failed = {"mo": 0, "fastapi": 0}
        for _ in range(rounds):
            for name in ("fastapi", "mo"):
                port = free_port()
                cmd = ([sys.executable, "-m", "mo_jupyter.cli.main", "serve", str(app), "--port", str(port)]
                       if name == "mo" else [sys.executable, "fastapi_app.py", str(port)])
                proc = start(cmd, app, port, server_core)
                try:
                    measure(port, 1, lua, client_core)  # warm up
                    rps, bad = measure(port, seconds, lua, client_core)
                finally:
                    stop(proc)
                results[name].append(rps)
                failed[name] += bad
        mo, base = statistics.median(results["mo"]), statistics.median(results["fastapi"])
        ratio = mo / base if base else float("inf")
        print(f"(g) serve a trivial handle: jupyter mo serve {mo:,.0f} req/s, FastAPI + uvicorn {base:,.0f} req/s, "
              f"ratio {ratio:.2f}x (goal >= 1.0x) {'meets goal' if ratio >= 1.0 else 'MISSES goal'}; "
              f"client {client}, {CONNECTIONS} connections, {rounds} x {seconds} s each; {pin}; "
              f"failed requests: mo {failed['mo']}, fastapi {failed['fastapi']}", flush=True)
        return {"name": "serve", "baseline": base, "measured": mo, "ratio": ratio, "goal": 1.0}
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main("--quick" in sys.argv)
