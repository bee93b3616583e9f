"""The app server's access key and entry point: real `python -m mo_jupyter.serve` processes on free
127.0.0.1 ports; the test page in a real (headless) Chromium, in an iframe sandboxed as the Test tab's."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .test_serve_app import REPO, Server

KEY = "k3y-Of-this-service_0123456789"
DENIED = {"error": "this service needs its access key (header X-Mo-Key)"}

SPEC = """\
name: keyed
input:
  x: {value_type: float}
output:
  y: {value_type: float}
"""

HANDLER = """\
import os, subprocess, sys

def handle(conf):
    child = subprocess.run([sys.executable, "-c", "import os; print(os.environ.get('MO_SERVICE_KEY'))"],
                           capture_output=True, text=True).stdout.strip()
    cli = sorted(m for m in sys.modules if m == "mo_jupyter.cli" or m.startswith("mo_jupyter.cli."))
    return {"y": conf["x"] * 2, "env": os.environ.get("MO_SERVICE_KEY"), "child": child, "cli": cli}
"""


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("keyed") / "app"
    d.mkdir()
    (d / "app_spec.yml").write_text(SPEC)
    (d / "handler.py").write_text(HANDLER)
    return d


@pytest.fixture(scope="module", params=["env", "key-file"])
def keyed(request, app_dir):
    if request.param == "env":
        server = Server(app_dir, env={"MO_SERVICE_KEY": KEY}, entry="serve")
    else:
        key_file = app_dir.parent / "key"
        key_file.write_text(KEY + "\n")
        server = Server(app_dir, "--key-file", str(key_file), entry="serve")
    yield server
    server.stop()


def test_data_routes_want_the_key(keyed):
    for headers in ({}, {"X-Mo-Key": "wrong"}, {"X-Mo-Key": KEY[:-1]}, {"X-Mo-Key": KEY + "x"}, {"X-Mo-Key": ""}):
        assert keyed.run(x=1, headers=headers) == (401, DENIED)
        assert keyed.request("GET", "/api/spec", headers=headers) == (401, DENIED)
        assert keyed.request("GET", "/openapi.json", headers=headers) == (401, DENIED)
        assert keyed.request("GET", "/api/run", headers=headers) == (401, DENIED)  # not even a 405
    status, body = keyed.run(x=1.5, headers={"X-Mo-Key": KEY})
    assert status == 200 and body["output"]["y"] == 3.0
    assert keyed.request("GET", "/api/spec", headers={"X-Mo-Key": KEY})[1]["name"] == "keyed"
    doc = keyed.request("GET", "/openapi.json", headers={"X-Mo-Key": KEY})[1]
    assert doc["components"]["securitySchemes"]["key"] == {"type": "apiKey", "in": "header", "name": "X-Mo-Key"}
    assert {"401", "503"} <= set(doc["paths"]["/api/run"]["post"]["responses"])


def test_page_and_health_stay_open(keyed):
    assert keyed.request("GET", "/healthz") == (200, {"ok": True})
    status, page = keyed.request("GET", "/")
    assert status == 200 and page.startswith("<!doctype html>") and KEY not in page
    assert keyed.request("GET", "/favicon.ico")[0] == 204


def test_handle_and_its_children_never_see_the_key(keyed):
    status, body = keyed.run(x=1, headers={"X-Mo-Key": KEY})
    assert status == 200
    assert body["output"]["env"] is None and body["output"]["child"] == "None"
    assert KEY not in keyed.output()


def test_without_a_key_the_routes_are_open(app_dir):
    server = Server(app_dir, entry="serve")
    try:
        assert server.run(x=2)[0] == 200
        assert server.request("GET", "/api/spec")[0] == 200
    finally:
        server.stop()


def test_the_entry_point_imports_nothing_of_the_cli(app_dir):
    """`python -m mo_jupyter.serve --root DIR . --host H --port P --reuse-port --timeout S`, as the
    local, docker and swarm backends start a replica: it serves, and mo_jupyter.cli is never imported."""
    server = Server(app_dir, "--timeout", "5", entry="serve")
    try:
        status, body = server.run(x=1)
        assert status == 200 and body["output"]["cli"] == []
    finally:
        server.stop()


def test_a_bad_key_file_is_one_line_exit_2(app_dir, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("MO_SERVICE_KEY", None)
    for content in (None, b"two words", b"x" * 10_000):
        path = tmp_path / "key"
        if content is not None:
            path.write_bytes(content)
        proc = subprocess.run([sys.executable, "-m", "mo_jupyter.serve", "--root", str(app_dir), ".", "--port", "1",
                               "--key-file", str(path)], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("error:") and len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr


# ---- the test page in a browser ---------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PLAYWRIGHT = REPO / "tests" / "ui" / "node_modules" / "playwright-core"

BROWSER_SCRIPT = """
const { chromium } = require(process.env.PLAYWRIGHT);
(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const results = {};
  try {
    const page = await browser.newPage();
    for (const [name, hash] of [['with', '#key=' + encodeURIComponent(process.env.KEY)], ['without', '']]) {
      await page.setContent(`<iframe sandbox="allow-scripts allow-forms" width="800" height="900"
        src="${process.env.URL}${hash}"></iframe>`);
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      await frame.waitForSelector('#f-x');
      results[name + '_origin'] = await frame.evaluate(() => self.origin);
      await frame.fill('#f-x', '21');
      await frame.click('button.run');
      await frame.waitForFunction(() => /^\\d{3} in /.test(document.getElementById('st').textContent), null,
                                  { timeout: 15000 });
      results[name] = { status: await frame.textContent('#st'), out: await frame.textContent('#out'),
                        keyBox: await frame.isVisible('#kb') };
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(results));
})().catch(e => { console.error(e); process.exit(1); });
"""


class CorsFront(http.server.ThreadingHTTPServer):
    """What the Jupyter proxy does for the sandboxed page (its origin is opaque, so its calls are
    cross-origin): answer the CORS preflight, forward the rest to the app with its X-Mo-Key and say
    Access-Control-Allow-Origin: * on the answer. The app server itself is the thing under test."""

    def __init__(self, app_port: int):
        self.app_port = app_port
        self.seen: list[tuple[str, str, str | None]] = []
        super().__init__(("127.0.0.1", 0), _Front)


class _Front(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Mo-Key")
        self.end_headers()

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        key = self.headers.get("X-Mo-Key")
        self.server.seen.append((self.command, self.path, key))
        headers = {k: v for k, v in (("Content-Type", self.headers.get("Content-Type")), ("X-Mo-Key", key)) if v}
        conn = http.client.HTTPConnection("127.0.0.1", self.server.app_port, timeout=30)
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.getheader("Content-Type") or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward


@pytest.mark.skipif(not (shutil.which("node") and Path(CHROMIUM).exists() and PLAYWRIGHT.is_dir()),
                    reason="needs node, Chromium and tests/ui's playwright-core (npm ci in tests/ui)")
def test_page_in_a_sandboxed_iframe_sends_the_key_from_its_fragment(app_dir, tmp_path):
    server = Server(app_dir, env={"MO_SERVICE_KEY": KEY}, entry="serve")
    front = CorsFront(server.port)
    threading.Thread(target=front.serve_forever, daemon=True).start()
    try:
        script = tmp_path / "page.js"
        script.write_text(BROWSER_SCRIPT)
        env = dict(os.environ, PLAYWRIGHT=str(PLAYWRIGHT), CHROMIUM=CHROMIUM, KEY=KEY,
                   URL=f"http://127.0.0.1:{front.server_address[1]}/")
        proc = subprocess.run(["node", str(script)], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        results = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        front.shutdown()
        front.server_close()
        server.stop()
    assert results["with_origin"] == "null" and results["without_origin"] == "null"  # opaque: no origin's rights
    assert results["with"]["status"].startswith("200 ") and "42" in results["with"]["out"]
    assert results["without"]["status"].startswith("401 ") and "needs its access key" in results["without"]["out"]
    assert results["without"]["keyBox"] is True and results["with"]["keyBox"] is False
    runs = [(path, key) for method, path, key in front.seen if method == "POST"]
    assert runs == [("/api/run", KEY), ("/api/run", None)]  # the key travels only as the header
    assert all(KEY not in path for _, path, _ in front.seen)  # the fragment never reaches a server
