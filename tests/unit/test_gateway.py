"""The swarm services' gateway, run for real as its own process on 127.0.0.1: it spreads
connections over every address of its targets, passes large bodies both ways intact, skips a target
that went away, and answers 503 in JSON when none is left."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from .jobhelpers import wait_until


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Echo(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        out = json.dumps({"who": self.server.server_address[0], "size": len(body)}).encode() + b"\n" + body
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def backends():
    """Two 'tasks': HTTP servers on 127.0.0.2 and 127.0.0.3, the same port."""
    port = free_port("127.0.0.2")
    servers = []
    for host in ("127.0.0.2", "127.0.0.3"):
        server = http.server.ThreadingHTTPServer((host, port), Echo)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    yield port, servers
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def gateway(backends):
    port, _ = backends
    listen = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mo_jupyter.services.gateway", "--target", "127.0.0.2,127.0.0.3",
                             "--port", str(port), "--host", "127.0.0.1", "--listen", str(listen)],
                            stdout=subprocess.PIPE, text=True)
    assert "gateway on 127.0.0.1" in proc.stdout.readline()
    yield listen
    proc.terminate()
    proc.wait(timeout=10)


def post(port: int, body: bytes) -> tuple[dict, bytes]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        head, _, rest = resp.read().partition(b"\n")
    return json.loads(head), rest


def test_connections_are_spread_and_bodies_pass_intact(gateway):
    seen = [post(gateway, b"x")[0]["who"] for _ in range(10)]
    assert set(seen) == {"127.0.0.2", "127.0.0.3"} and seen.count("127.0.0.2") == 5  # round robin
    body = bytes(range(256)) * 8192  # 2 MiB
    info, echoed = post(gateway, body)
    assert info["size"] == len(body) and echoed == body


def test_a_target_that_went_away_is_skipped_then_503(gateway, backends):
    _, servers = backends
    servers[0].shutdown()
    servers[0].server_close()
    assert {post(gateway, b"x")[0]["who"] for _ in range(6)} == {"127.0.0.3"}
    servers[1].shutdown()
    servers[1].server_close()
    with pytest.raises(urllib.error.HTTPError) as err:
        post(gateway, b"x")
    assert err.value.code == 503
    assert "no running replica" in json.loads(err.value.read())["error"]
    # a task that comes back is found again
    again = http.server.ThreadingHTTPServer(("127.0.0.3", backends[0]), Echo)
    threading.Thread(target=again.serve_forever, daemon=True).start()
    try:
        assert wait_until(lambda: _answers(gateway), timeout=10, message="back") == "127.0.0.3"
    finally:
        again.shutdown()
        again.server_close()


def _answers(port: int):
    try:
        return post(port, b"x")[0]["who"]
    except urllib.error.HTTPError:
        return None
