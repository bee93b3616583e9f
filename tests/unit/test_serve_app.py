"""`jupyter mo serve DIR`: real server processes on free 127.0.0.1 ports, real HTTP, no mocks."""

import base64
import http.client
import io
import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from mo_jupyter.handle.spec import validate
from mo_jupyter.serve.loadgen import load
from mo_jupyter.serve.page import test_page as render_page

REPO = Path(__file__).resolve().parents[2]

SPEC = """\
name: Digits <demo>
description: doubles x; draws and echoes images
timeout: 30
input:
  x: {value_type: float, value_range: "0-100", description: the number}
  n: {value_type: int, default_value: 3}
  mode: {value_type: str, value_range: [ok, boom, sleep, array, pil, bytes, echo], default_value: ok}
  tags: {value_type: "[str]", optional: true}
  flag: {value_type: bool, default_value: false}
  img: {value_type: img, optional: true}
output:
  y: {value_type: float}
  pic: {value_type: img}
"""

HANDLER = """\
import os, time
import numpy as np
from PIL import Image

CWD = os.getcwd()

def handle(conf):
    mode = conf["mode"]
    if mode == "boom":
        raise ValueError("boom: bad x")
    if mode == "sleep":
        time.sleep(3)
    out = {"y": conf["x"] * 2, "n": conf["n"], "flag": conf["flag"], "tags": conf.get("tags"), "cwd": CWD}
    if mode == "array":
        out["pic"] = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    elif mode == "pil":
        out["pic"] = Image.new("RGB", (5, 4), (255, 0, 0))
    elif mode == "bytes":
        out["pic"] = open("tiny.png", "rb").read()
    if conf.get("img"):
        path = conf["img"]
        with Image.open(path) as im:
            out["img_size"] = list(im.size)
            out["img_mode"] = im.mode
        out["img_path"] = path
        if mode == "echo":
            out["pic"] = path
    return out
"""


def png_bytes(w=3, h=2, mode="L"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, (w, h), 128).save(buf, format="PNG")
    return buf.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``jupyter mo serve DIR`` (or ``python -m mo_jupyter.serve DIR`` with ``entry="serve"``) on a
    free port, waited for through /healthz; ``env`` is added to the environment."""

    def __init__(self, directory: Path, *args: str, env: dict | None = None, entry: str = "cli"):
        self.port = free_port()
        self.log = open(directory.parent / f"server-{self.port}.log", "w+")
        env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
        if entry == "cli":
            command = ["mo_jupyter.cli.main", "serve", str(directory)]
        else:  # as the service backends start a replica
            command = ["mo_jupyter.serve", "--root", str(directory), ".", "--host", "127.0.0.1", "--reuse-port"]
        self.proc = subprocess.Popen([sys.executable, "-m", *command, "--port", str(self.port), *args],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=str(directory.parent))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.output()}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"server did not start: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def request(self, method, path, body=None, raw=None, timeout=20, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
            sent = {"Content-Type": "application/json"} if data else {}
            conn.request(method, path, body=data, headers={**sent, **(headers or {})})
            resp = conn.getresponse()
            payload = resp.read()
            ctype = resp.getheader("content-type", "")
            return resp.status, (json.loads(payload) if ctype.startswith("application/json") else payload.decode())
        finally:
            conn.close()

    def run(self, headers=None, **inputs):
        return self.request("POST", "/api/run", {"app": {"input": inputs}}, headers=headers)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    d = root / "app"
    d.mkdir()
    (d / "app_spec.yml").write_text(SPEC)
    (d / "handler.py").write_text(HANDLER)
    (d / "tiny.png").write_bytes(png_bytes(2, 2))
    return d


@pytest.fixture(scope="module")
def server(app_dir):
    s = Server(app_dir, "--timeout", "1", "--max-body-mib", "1")
    yield s
    s.stop()


def test_defaults_filled_in(server, app_dir):
    status, body = server.run(x=2)
    assert status == 200, body
    out = body["output"]
    assert out["y"] == 4.0 and isinstance(out["y"], float)
    assert out["n"] == 3 and out["flag"] is False and out["tags"] is None
    assert out["cwd"] == str(app_dir.resolve())  # handler imported with DIR as cwd
    status, body = server.run(x=1.5, n=7, tags=["a", "b"], flag=True)
    assert status == 200 and body["output"]["n"] == 7 and body["output"]["tags"] == ["a", "b"]


def test_422_lists_every_bad_field(server):
    status, body = server.run(x=200, n="three", mode="nope", tags=[1])
    assert status == 422
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {"input.x", "input.n", "input.mode", "input.tags[0]"}, body
    assert "100" in fields["input.x"] and "integer" in fields["input.n"]
    status, body = server.run(n=1)
    assert status == 422 and body["errors"] == [{"field": "input.x", "message": "is required"}]


def test_422_unknown_input_and_bad_shape(server):
    status, body = server.run(x=1, color="red")
    assert status == 422
    assert body["errors"][0]["field"] == "input.color" and "not an input" in body["errors"][0]["message"]
    status, body = server.request("POST", "/api/run", {"input": {"x": 1}})
    assert status == 422 and body["errors"][0]["field"] == "app"
    status, body = server.request("POST", "/api/run", [1, 2])
    assert status == 422 and body["errors"][0]["field"] == "body"


def test_400_413_404_405(server):
    status, body = server.request("POST", "/api/run", raw=b'{"app": ')
    assert status == 400 and "not JSON" in body["error"]
    status, body = server.request("POST", "/api/run", raw=b'{"app": {"input": {"x": 1, "tags": ["' + b"a" * (2 << 20)
                                  + b'"]}}}')
    assert status == 413 and "larger" in body["error"]
    assert server.request("GET", "/nope")[0] == 404
    assert server.request("GET", "/api/run")[0] == 405
    assert server.run(x=1)[0] == 200


def test_500_and_still_serving(server):
    status, body = server.run(x=1, mode="boom")
    assert status == 500 and body == {"error": "ValueError: boom: bad x"}
    assert server.run(x=1)[0] == 200
    assert server.request("GET", "/healthz") == (200, {"ok": True})
    assert "ValueError: boom: bad x" in server.output()  # the traceback is logged


def test_504_on_a_slow_handle(server):
    t0 = time.monotonic()
    status, body = server.run(x=1, mode="sleep")
    took = time.monotonic() - t0
    assert status == 504 and body == {"error": "handle took longer than 1 s"}
    assert took < 2.5
    t0 = time.monotonic()
    assert server.run(x=1)[0] == 200  # other workers are free while the slow one sleeps on
    assert time.monotonic() - t0 < 1


@pytest.mark.parametrize("as_data_url", [True, False])
def test_img_input_reaches_handle_as_a_file(server, as_data_url):
    png = png_bytes(3, 2)
    b64 = base64.b64encode(png).decode()
    value = "data:image/png;base64," + b64 if as_data_url else b64
    status, body = server.run(x=1, img=value)
    assert status == 200, body
    out = body["output"]
    assert out["img_size"] == [3, 2] and out["img_mode"] == "L"
    assert out["img_path"].endswith(".png") and not os.path.exists(out["img_path"])  # removed afterwards


def test_img_input_url_safe_unpadded_and_bad(server):
    png = png_bytes(4, 4, "RGB")
    value = base64.urlsafe_b64encode(png).decode().rstrip("=")
    status, body = server.run(x=1, img=value)
    assert status == 200 and body["output"]["img_size"] == [4, 4]
    status, body = server.run(x=1, img="this is not an image!")
    assert status == 422 and body["errors"][0]["field"] == "input.img"


def decode_png(url: str):
    assert url.startswith("data:image/png;base64,")
    data = base64.b64decode(url.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h, depth, color = struct.unpack(">IIBB", data[16:26])
    return w, h, color


@pytest.mark.parametrize("mode,size", [("array", (28, 28, 0)), ("pil", (5, 4, 2)), ("bytes", (2, 2, 0))])
def test_img_output_is_a_png_data_url(server, mode, size):
    status, body = server.run(x=1, mode=mode)
    assert status == 200, body
    assert decode_png(body["output"]["pic"]) == size


def test_img_echo_path_output(server):
    status, body = server.run(x=1, mode="echo", img=base64.b64encode(png_bytes(6, 5)).decode())
    assert status == 200 and decode_png(body["output"]["pic"])[:2] == (6, 5)


def test_spec_openapi_healthz(server):
    status, spec = server.request("GET", "/api/spec")
    assert status == 200 and spec["name"] == "Digits <demo>" and spec["input"]["x"]["value_type"] == "float"
    status, doc = server.request("GET", "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1")
    op = doc["paths"]["/api/run"]["post"]
    body_schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert set(body_schema["properties"]["app"]["properties"]["input"]["properties"]) == {
        "x", "n", "mode", "tags", "flag", "img"}
    assert {"200", "422", "500", "504"} <= set(op["responses"])
    out_props = op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["output"]["properties"]
    assert set(out_props) == {"y", "pic"}
    assert server.request("GET", "/healthz") == (200, {"ok": True})


def test_test_page(server):
    status, page = server.request("GET", "/")
    assert status == 200 and page.startswith("<!doctype html>")
    for key in ("x", "n", "mode", "tags", "flag", "img"):
        assert f'name="{key}"' in page and f'id="e-{key}"' in page
    assert 'type="number" step="any" id="f-x"' in page and 'min="0" max="100"' in page
    assert '<select id="f-mode"' in page and 'type="checkbox" id="f-flag"' in page
    assert "<canvas" in page and 'width="280"' in page and "Use drawing" in page
    assert "Digits &lt;demo&gt;" in page and "<demo>" not in page  # escaped
    assert "http://" not in page and "https://" not in page and "prefers-color-scheme" in page


def test_test_page_without_img_has_no_canvas():
    spec = validate({"input": {"k": {"value_type": "[int]", "default_value": [1, 2]}}, "output": {}})
    page = render_page(spec)
    assert 'name="k"' in page and 'value="1, 2"' in page and "<canvas" not in page


def test_10000_requests_at_concurrency_50(server):
    body = orjson.dumps({"app": {"input": {"x": 1.5}}})
    result = load("127.0.0.1", server.port, "/api/run", body, total=10_000, concurrency=50,
                  check=lambda b: orjson.loads(b)["output"]["y"] == 3.0)
    assert result["errors"] == 0, result
    assert result["statuses"] == {200: 10_000}


def test_cli_reports_a_broken_app(tmp_path):
    (tmp_path / "app_spec.yml").write_text("input: {x: {value_type: float}}\noutput: {}\n")
    (tmp_path / "handler.py").write_text("raise RuntimeError('cannot load model')\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", "serve", str(tmp_path), "--port",
                           str(free_port())], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "cannot load model" in proc.stderr
    (tmp_path / "handler.py").write_text("def predict(conf):\n    return {}\n")
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", "serve", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "no function handle" in proc.stderr
