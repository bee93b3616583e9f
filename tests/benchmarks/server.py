"""A real Jupyter server with mo_jupyter, on 127.0.0.1, for benchmarks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import ROOT

TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, root: Path, extra: list[str] = ()):
        self.root, self.port = root, free_port()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        args = [sys.executable, "-m", "jupyter_server", f"--ServerApp.root_dir={root}", "--ip=127.0.0.1",
                f"--port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
                "--ServerApp.jpserver_extensions={'mo_jupyter': True}", "--ServerApp.open_browser=False", *extra]
        if os.geteuid() == 0:
            args.append("--allow-root")
        self.log = open(root / "server.log", "wb")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("mo/api/config")
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("server exited; see " + str(root / "server.log"))
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{path}"

    def request(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), data=data, method=method,
                                     headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def get(self, path: str):
        return self.request("GET", path)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
