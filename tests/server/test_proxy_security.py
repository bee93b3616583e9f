"""The Jupyter proxy of deployed services, attacked as a page or a neighbour would: the test page's
cross-origin calls pass on the service's key alone (and only they get Access-Control-Allow-Origin),
the key opens nothing but that service's app routes, a protected app refuses callers without it,
other paths never reach the app, each service has its own bounded pool (a slow one never holds the
others), and a silent or dying service is a 504 / 502, the app's 413 a 413."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import psutil
import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from helpers import await_until
import mo_jupyter.services.proxy as proxy_module
from jupyter_server.auth.authorizer import Authorizer
from traitlets.config import Config

READER = {"X-Test-Role": "reader"}  # a request of a user who may only read (see ReaderHeader)

SPEC = "input:\n  x: {value_type: float}\noutput:\n  y: {value_type: float}\n"
APPS = {
    "fast": "def handle(conf):\n    return {'y': conf['x'] * 2}  # value_type: float\n",
    "slow": "import time\n\ndef handle(conf):\n    time.sleep(3)\n    return {'y': 0.0}  # value_type: float\n",
    "dies": "import os\n\ndef handle(conf):\n    os._exit(3)\n    return {'y': 0.0}  # value_type: float\n",
}
RUN = json.dumps({"app": {"input": {"x": 2}}}).encode()


class ReaderHeader(Authorizer):
    """Everything allowed, as Jupyter's default, except writes of a request that says it is a
    reader's (the same server then has a user who may write and one who may only read)."""

    def is_authorized(self, handler, user, action, resource):
        return action == "read" or handler.request.headers.get("X-Test-Role") != "reader"


@pytest.fixture
def jp_server_config(mo_config):
    return Config({"ServerApp": {"jpserver_extensions": {"mo_jupyter": True}, "authorizer_class": ReaderHeader},
                   "MoJupyterApp": mo_config})


@pytest.fixture
def apps(root):
    for name, source in [*APPS.items(), ("proxyapp", APPS["fast"])]:
        (root / name).mkdir()
        (root / name / "handler.py").write_text(source)
        (root / name / "app_spec.yml").write_text(SPEC + ("timeout: 1\n" if name == "slow" else ""))
    return root


@pytest.fixture
def raw(jp_http_port, jp_base_url):
    """Requests with no Jupyter credentials at all, as the sandboxed page (or a stranger) sends them."""
    client = AsyncHTTPClient(force_instance=True, max_clients=100)

    async def send(path: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
        url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}{path}"
        return await client.fetch(HTTPRequest(url, method=method, body=body, headers=headers or {},
                                              allow_nonstandard_methods=True, request_timeout=60),
                                  raise_error=False)
    yield send
    client.close()


async def deploy(api, name: str, **extra) -> dict:
    r = await api.post("services", {"folder": name, "name": name, **extra})
    assert r.code == 201, r

    async def up():
        view = (await api.get(f"services/{name}-dev")).json
        return view if view["state"] == "running" else None
    return await await_until(up, 60, message=f"{name} running")


async def key_of(api, service_id: str) -> str:
    """The key, from the one route that hands it out (a write: the owner's)."""
    r = await api.post(f"services/{service_id}/key", {})
    assert r.code == 200 and r.json["id"] == service_id, r
    return r.json["key"]


def page_headers(key: str | None) -> dict:
    """What the sandboxed test page's fetch sends: Origin null, no cookie, the key."""
    return {"Origin": "null", "Content-Type": "application/json", **({"X-Mo-Key": key} if key else {})}


async def test_the_key_is_the_pages_credential_and_opens_only_its_services_app_routes(api, apps, raw):
    fast = await deploy(api, "fast")
    other = await deploy(api, "dies")  # another service: its key is not fast's
    key, proxy = await key_of(api, "fast-dev"), "mo/api/services/fast-dev/proxy/"
    assert fast["protected"] is False and len(key) >= 32 and "key" not in fast

    pre = await raw(proxy + "api/run", "OPTIONS", headers={"Origin": "null", "Access-Control-Request-Method": "POST",
                                                           "Access-Control-Request-Headers": "content-type,x-mo-key"})
    assert pre.code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*", pre
    assert "x-mo-key" in pre.headers["Access-Control-Allow-Headers"].lower() and not pre.body

    ok = await raw(proxy + "api/run", "POST", RUN, page_headers(key))
    assert ok.code == 200 and json.loads(ok.body) == {"output": {"y": 4}}, ok.body
    assert ok.headers["Access-Control-Allow-Origin"] == "*"
    spec = await raw(proxy + "api/spec", headers=page_headers(key))
    assert spec.code == 200 and json.loads(spec.body)["input"]["x"]["value_type"] == "float"

    for headers in (page_headers(None), page_headers("x" * 32), page_headers(await key_of(api, other["id"])),
                    {"Content-Type": "application/json", "X-Mo-Key": key[:-1]}):
        refused = await raw(proxy + "api/run", "POST", RUN, headers)
        assert refused.code in (401, 403, 404), (headers, refused.code)
        assert "Access-Control-Allow-Origin" not in refused.headers and b"output" not in refused.body
    # the key is no Jupyter credential: neither for Jupyter's API nor for mo's own
    for path in ("api/contents", "mo/api/services", "mo/api/services/fast-dev", "mo/api/jobs"):
        got = await raw(path, headers=page_headers(key))
        assert got.code in (403, 404) and b"fast-dev" not in got.body, (path, got.code)
    got = await raw("mo/api/services/fast-dev/scale", "POST", b'{"replicas": 0}', page_headers(key))
    assert got.code in (403, 404)
    # other paths of the app's port are never asked for, with the key or with Jupyter's auth
    for path, method in (("api/run", "GET"), ("docs", "GET"), ("api/spec", "POST"), ("api/run/../healthz", "GET")):
        got = await raw(proxy + path, method, b"{}" if method == "POST" else None, page_headers(key))
        assert got.code == 404 and "Access-Control-Allow-Origin" not in got.headers, (path, got.code)
        mine = await api.call(method, f"services/fast-dev/proxy/{path}", raw=b"{}" if method == "POST" else None)
        assert mine.code == 404, (path, mine)


async def test_a_protected_app_wants_the_key_and_a_rotated_key_stops_working(api, apps, raw):
    fast = await deploy(api, "fast", protected=True)
    assert fast["protected"] is True
    port, key, proxy = fast["port"], await key_of(api, "fast-dev"), "mo/api/services/fast-dev/proxy/"
    direct = AsyncHTTPClient(force_instance=True)
    try:
        plain = await direct.fetch(f"http://127.0.0.1:{port}/api/run", method="POST", body=RUN, raise_error=False)
        assert plain.code == 401, plain.code  # the app itself refuses a caller without the key
        health = await direct.fetch(f"http://127.0.0.1:{port}/healthz", raise_error=False)
        assert health.code == 200
        # the owner, through Jupyter: the proxy passes the key on for them
        mine = await api.post("services/fast-dev/proxy/api/run", {"app": {"input": {"x": 5}}})
        assert mine.code == 200 and mine.json == {"output": {"y": 10}}, mine
        assert (await raw(proxy + "api/run", "POST", RUN, page_headers(key))).code == 200

        view = (await api.post("services/fast-dev/key", {"rotate": True})).json
        assert view["key"] != key and view["protected"] is True

        async def up():
            return (await api.get("services/fast-dev")).json["state"] == "running"
        await await_until(up, 60, message="running with the new key")
        assert (await raw(proxy + "api/run", "POST", RUN, page_headers(key))).code == 401
        assert (await raw(proxy + "api/run", "POST", RUN, page_headers(view["key"]))).code == 200
        wrong = await direct.fetch(f"http://127.0.0.1:{port}/api/run", method="POST", body=RUN,
                                   headers={"X-Mo-Key": key}, raise_error=False)
        assert wrong.code == 401  # the replicas restarted with the new key

        view = (await api.post("services/fast-dev/key", {"protected": False})).json
        assert view["protected"] is False and view["key"]
        await await_until(up, 60, message="running unprotected")
        plain = await direct.fetch(f"http://127.0.0.1:{port}/api/run", method="POST", body=RUN, raise_error=False)
        assert plain.code == 200
        bad = await api.post("services/fast-dev/key", {"protected": "yes"})
        assert bad.code == 400
    finally:
        direct.close()


async def test_a_slow_service_never_holds_the_others(api, apps, raw, monkeypatch, jp_auth_header):
    monkeypatch.setattr(proxy_module, "QUEUE", 4)
    await deploy(api, "fast")
    await deploy(api, "slow")
    slow = [asyncio.ensure_future(raw("mo/api/services/slow-dev/proxy/api/run", "POST", RUN,
                                      jp_auth_header))
            for _ in range(30)]
    await asyncio.sleep(0.3)  # the flood is in: the slow one's pool and queue are full
    t0 = time.monotonic()
    for _ in range(5):
        r = await api.post("services/fast-dev/proxy/api/run", {"app": {"input": {"x": 1}}})
        assert r.code == 200, r
    assert time.monotonic() - t0 < 2.0
    codes = [r.code for r in await asyncio.gather(*slow)]
    assert codes.count(503) >= 30 - proxy_module.PER_SERVICE - 4, codes  # refused at once, not queued
    assert set(codes) <= {503, 504}, codes  # the app's handle timeout is 1 s: its own 504


async def test_a_silent_service_is_504_and_the_list_does_not_wait_for_it(api, apps, monkeypatch):
    monkeypatch.setattr(proxy_module, "TIMEOUT_MARGIN", 0.5)
    monkeypatch.setattr(proxy_module, "DEFAULT_APP_TIMEOUT", 1.0)
    fast = await deploy(api, "fast")
    folder = apps / ".mo/services/fast-dev/app"
    [app] = [p for p in psutil.process_iter(["cmdline"])
             if (p.info["cmdline"] or [])[1:3] == ["-m", "mo_jupyter.serve"] and str(folder) in p.info["cmdline"]]
    os.kill(app.pid, signal.SIGSTOP)  # alive, holding its port, answering nothing
    try:
        t0 = time.monotonic()
        listed = await api.get("services")
        assert listed.code == 200 and time.monotonic() - t0 < 2.0
        r = await api.post("services/fast-dev/proxy/api/run", {"app": {"input": {"x": 1}}})
        assert r.code == 504 and "did not answer in time" in r.json["message"], r
    finally:
        os.kill(app.pid, signal.SIGCONT)
    assert fast["port"]


async def test_a_dying_service_is_502_and_the_apps_413_stays_413(api, apps):
    await deploy(api, "dies")
    r = await api.post("services/dies-dev/proxy/api/run", {"app": {"input": {"x": 1}}})
    assert r.code == 502 and "not answering" in r.json["message"], r
    await deploy(api, "fast")
    big = b'{"app": {"input": {"x": 1}}, "pad": "' + b"a" * (33 * 1024 * 1024) + b'"}'
    r = await api.call("POST", "services/fast-dev/proxy/api/run", raw=big)
    assert r.code == 413, r


async def test_a_reader_never_gets_a_key_and_cannot_run_a_protected_app(api, apps, raw):
    fast = await deploy(api, "fast", protected=True)
    key = await key_of(api, "fast-dev")
    listed = await api.get("services", headers=READER)
    assert listed.code == 200 and [v["id"] for v in listed.json["services"]] == ["fast-dev"], listed
    one = await api.get("services/fast-dev", headers=READER)
    assert one.code == 200 and one.json["protected"] is True
    for view in (fast, *listed.json["services"], one.json, (await api.get("services/fast-dev")).json):
        assert "key" not in view and key not in json.dumps(view)
    # the key route is a write: refused to the reader, whatever the body
    for body in ({}, {"rotate": False}, {"protected": True}):
        refused = await api.post("services/fast-dev/key", body, headers=READER)
        assert refused.code == 403 and key not in refused.body.decode(), refused
    # the proxy does not run the app for the reader on Jupyter's auth (a POST is a write) ...
    refused = await api.post("services/fast-dev/proxy/api/run", {"app": {"input": {"x": 1}}}, headers=READER)
    assert refused.code == 403, refused
    # ... while the owner gets the key from the route, and the key runs the app
    assert (await raw("mo/api/services/fast-dev/proxy/api/run", "POST", RUN, page_headers(key))).code == 200
    assert (await api.post("services/fast-dev/key", {})).json["key"] == key  # reading it changes nothing


@pytest.mark.parametrize("jp_base_url", ["/a%40b/", "/proxy/lab/"])
async def test_a_service_named_proxy_something_is_proxied(api, apps, jp_base_url):
    """The path is cut after `services/<id>/proxy`, never at the first "/proxy" of the URL (the
    service's name, or the server's base URL, may hold that word too)."""
    await deploy(api, "proxyapp")
    r = await api.post("services/proxyapp-dev/proxy/api/run", {"app": {"input": {"x": 3}}})
    assert r.code == 200 and r.json == {"output": {"y": 6}}, r
    spec = await api.get("services/proxyapp-dev/proxy/api/spec")
    assert spec.code == 200 and spec.json["input"]["x"]["value_type"] == "float", spec
    assert (await api.get("services/proxyapp-dev/proxy/docs")).code == 404
