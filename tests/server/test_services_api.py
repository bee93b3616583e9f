"""Deployed services through the REST API on a real server: deploy from the files the wizard
writes, the test page and /api/run through the authenticated proxy, scale 1 -> 3 -> 0 -> 2 on the
same address, logs, survival of a new manager (a Jupyter restart), delete."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.request

import nbformat
import psutil
import pytest

from helpers import Reply, assert_user_error, await_until, run_app
from mo_jupyter.services.manager import ServiceManager

HANDLE = '''import json

MODEL = json.load(open('results/model.json'))


def handle(conf):
    x = conf['x']  # value_type: float # description: a number # value_range: 0-100
    return {'y': x * MODEL['factor']}  # value_type: float
'''


@pytest.fixture
def app_files(root):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HANDLE)]
    nbformat.write(nb, str(root / "app.ipynb"))
    (root / "results").mkdir()
    (root / "results/model.json").write_text('{"factor": 2}')
    return root


async def wait_state(api, sid, state, timeout=30):
    async def check():
        r = await api.get(f"services/{sid}")
        return r.json if r.json.get("state") == state else None
    return await await_until(check, timeout, message=f"{sid} {state}")


async def test_deploy_scale_and_delete(api, app_files, root):
    assert (await api.post("handle/generate", {"notebook": "app.ipynb"})).code == 200
    r = await api.post("services", {"version": "dev", "files": ["results/model.json"]})
    assert r.code == 201, r
    sid, port = r.json["id"], r.json["port"]
    assert sid.endswith("-dev") and r.json["proxy"] == f"mo/api/services/{sid}/proxy/"
    await wait_state(api, sid, "running")

    page = await api.fetch("mo", "api", "services", sid, "proxy/", method="GET", raise_error=False)
    assert page.code == 200 and b"<form" in page.body and b'name="x"' in page.body, page
    assert "script-src 'unsafe-inline'" in page.headers["Content-Security-Policy"]
    assert page.headers["Content-Type"].startswith("text/html")
    run = await api.post(f"services/{sid}/proxy/api/run", {"app": {"input": {"x": 21}}})
    assert run.code == 200 and run.json == {"output": {"y": 42}}, run
    bad = await api.post(f"services/{sid}/proxy/api/run", {"app": {"input": {"x": 1000}}})
    assert bad.code == 422 and bad.json["errors"][0]["field"] == "input.x", bad

    r = await api.post(f"services/{sid}/scale", {"replicas": 3})
    assert r.code == 200, r
    view = await wait_state(api, sid, "running")
    assert view["running_replicas"] == 3 and view["port"] == port
    pids = {p.pid for p in psutil.process_iter(["cmdline"]) if str(port) in " ".join(p.info["cmdline"] or [])}
    assert len(pids) >= 3
    assert all(run_app(port, i)["output"]["y"] == 2 * i for i in range(30))

    r = await api.post(f"services/{sid}/scale", {"replicas": 0})
    assert r.json["state"] == "stopped" and r.json["running_replicas"] == 0, r
    stopped = await api.get(f"services/{sid}/proxy/api/spec")
    assert stopped.code == 503 and "not running" in stopped.json["message"], stopped
    r = await api.post(f"services/{sid}/scale", {"replicas": 2})
    view = await wait_state(api, sid, "running")
    assert view["port"] == port and view["running_replicas"] == 2  # the same address again
    assert run_app(port, 5) == {"output": {"y": 10}}

    # a new manager on the same project (what a restarted Jupyter server builds) sees it running
    again = ServiceManager(root).get(sid)
    assert again["state"] == "running" and again["running_replicas"] == 2

    logs = await api.get(f"services/{sid}/logs")
    assert "serving" in logs.json["text"], logs
    assert (await api.delete(f"services/{sid}")).code == 204
    assert_user_error(await api.get(f"services/{sid}"), 404)
    await await_until(lambda: _no_listener(port), 10, message="replicas gone")


async def _no_listener(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
        return False
    except OSError:
        return True


async def test_dev_and_prod_side_by_side(api, app_files):
    await api.post("handle/generate", {"notebook": "app.ipynb"})
    dev = (await api.post("services", {"version": "dev", "files": ["results"], "name": "doubler"})).json
    prod = (await api.post("services", {"version": "prod", "files": ["results"], "name": "doubler"})).json
    assert (dev["id"], prod["id"]) == ("doubler-dev", "doubler-prod") and dev["port"] != prod["port"]
    await wait_state(api, "doubler-dev", "running")
    await wait_state(api, "doubler-prod", "running")
    listed = (await api.get("services")).json["services"]
    assert {s["id"] for s in listed} == {"doubler-dev", "doubler-prod"}
    for sid in ("doubler-dev", "doubler-prod"):
        await api.delete(f"services/{sid}")


async def test_deploy_errors_are_clear(api, app_files, root):
    assert_user_error(await api.post("services", {}), 400, mentions="handler.py is missing")
    await api.post("handle/generate", {"notebook": "app.ipynb"})
    assert_user_error(await api.post("services", {"version": "beta"}), 400)
    assert_user_error(await api.post("services", {"files": ["../outside"]}), 400, mentions="outside")
    assert_user_error(await api.post("services", {"files": ["nope.bin"]}), 404)
    assert_user_error(await api.post("services", {"name": "Bad Name"}), 400)
    (root / "handler.py").write_text("def nothing():\n    pass\n")
    assert_user_error(await api.post("services", {}), 400, mentions="handle")
    assert_user_error(await api.get("services/nope-dev"), 404)
    assert_user_error(await api.post("services/nope-dev/scale", {"replicas": 99}), 400)


async def test_a_service_knows_the_job_that_trained_its_model(api, root):
    (root / "train.py").write_text("import json, os\nos.makedirs('results', exist_ok=True)\n"
                                   "json.dump({'factor': 5}, open('results/model.json', 'w'))\nprint('trained')\n")
    job = await api.create({"path": "train.py"})
    done = await api.wait_state(job["id"])
    assert done["state"] == "completed", done
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HANDLE)]
    nbformat.write(nb, str(root / "app.ipynb"))
    await api.post("handle/generate", {"notebook": "app.ipynb"})
    r = await api.post("services", {"name": "fives", "files": ["results"]})
    assert r.code == 201, r
    assert r.json["trained_by"] == [{"file": "results/model.json", "job": job["id"], "name": "train",
                                     "state": "completed"}]
    await wait_state(api, "fives-dev", "running")
    assert run_app(r.json["port"], 2) == {"output": {"y": 10}}
    await api.delete("services/fives-dev")


# ---- logs?tail, and the proxy's edges ----------------------------------------------------------
@contextlib.asynccontextmanager
async def deployed(api):
    """A running dev service of the doubler app (needs ``app_files``): (id, port); deleted afterwards.
    (pytest-jupyter runs coroutine tests but not coroutine fixtures.)"""
    assert (await api.post("handle/generate", {"notebook": "app.ipynb"})).code == 200
    r = await api.post("services", {"version": "dev", "files": ["results/model.json"]})
    assert r.code == 201, r
    try:
        await wait_state(api, r.json["id"], "running")
        yield r.json["id"], r.json["port"]
    finally:
        await api.delete(f"services/{r.json['id']}")


async def proxy(api, sid: str, path: str, method: str = "GET", body: bytes | None = None, params=None):
    """A request through `services/<sid>/proxy/<path>` as it comes back (no redirects followed)."""
    r = await api.fetch("mo", "api", "services", sid, "proxy", *filter(None, path.split("/")),
                        *(["/"] if path.endswith("/") else []), method=method, body=body, params=params,
                        raise_error=False, follow_redirects=False)
    return Reply(r.code, r.body, r.headers)


async def listen_on(port: int, handler):
    """An asyncio server of the test's own on ``port``, once the service's replicas let go of it."""
    async def attempt():
        try:
            return await asyncio.start_server(handler, "127.0.0.1", port)
        except OSError:  # still bound by a replica on its way out
            return None
    return await await_until(attempt, 15, message=f"port {port} to be free")


async def test_logs_tail_gives_the_end_of_the_log(api, app_files):
    async with deployed(api) as (sid, _):
        whole = await api.get(f"services/{sid}/logs")
        assert whole.code == 200 and "serving" in whole.json["text"], whole
        size = whole.json["size"]
        assert size >= len(whole.json["text"].encode()) > 20, whole

        tail = await api.get(f"services/{sid}/logs", params={"tail": "20"})
        assert tail.code == 200, tail
        t = tail.json
        assert t["size"] >= size and t["next_offset"] == t["size"] and t["offset"] == t["size"] - 20, t
        assert len(t["text"].encode()) == 20
        # the same bytes as the log read from that offset on: the log only grows at its end
        again = await api.get(f"services/{sid}/logs", params={"offset": str(t["offset"])})
        assert again.json["text"].startswith(t["text"]), (t, again)

        everything = (await api.get(f"services/{sid}/logs", params={"tail": str(10 ** 9)})).json
        assert everything["offset"] == 0 and everything["text"].startswith(whole.json["text"]), everything
        nothing = (await api.get(f"services/{sid}/logs", params={"tail": "0"})).json
        assert nothing["text"] == "" and nothing["next_offset"] == nothing["size"] > 0, nothing

        assert_user_error(await api.get(f"services/{sid}/logs", params={"tail": "20", "offset": "0"}), 400,
                          mentions="together")
        assert_user_error(await api.get(f"services/{sid}/logs", params={"tail": "-1"}), 400, mentions="tail")
        assert_user_error(await api.get(f"services/{sid}/logs", params={"tail": "end"}), 400, mentions="tail")
        assert_user_error(await api.get("services/nope-dev/logs", params={"tail": "5"}), 404)


async def test_proxy_passes_204_query_strings_and_refuses_a_pathless_post(api, app_files):
    async with deployed(api) as (sid, _):
        icon = await proxy(api, sid, "favicon.ico")  # the app answers it 204: no body may follow
        assert icon.code == 204 and icon.body == b"", icon

        spec = await proxy(api, sid, "api/spec", params={"x": "1"})
        assert spec.code == 200 and spec.json, spec
        assert spec.json == (await proxy(api, sid, "api/spec")).json
        run = await proxy(api, sid, "api/run", "POST", json.dumps({"app": {"input": {"x": 4}}}).encode(),
                          params={"x": "1"})
        assert run.code == 200 and run.json == {"output": {"y": 8}}, run

        # no trailing slash: GET redirects to the page, a POST has nowhere to go
        page = await proxy(api, sid, "")
        assert page.code in (301, 302) and page.headers["Location"].endswith(f"/services/{sid}/proxy/"), page
        bad = await proxy(api, sid, "", "POST", b"{}")
        assert_user_error(bad, 400, mentions="proxy/")


async def test_a_stopped_services_port_is_never_proxied_to_another_program(api, app_files):
    """Once stopped, the service's port may be taken by another program (another user's even): the
    proxy checks on each request that a replica of the service holds it, and never connects."""
    async with deployed(api) as (sid, port):
        r = await api.post(f"services/{sid}/scale", {"replicas": 0})
        assert r.code == 200 and r.json["state"] == "stopped", r
        for path in ("api/spec", "/"):
            got = await proxy(api, sid, path)
            assert got.code == 503 and f"service '{sid}' is not running" in got.json["message"], got

        contacted = []

        async def stranger(reader, writer):
            contacted.append(await reader.read(1000))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nevil!")
            await writer.drain()
            writer.close()

        server = await listen_on(port, stranger)
        try:
            for path, method, body in (("/", "GET", None), ("api/spec", "GET", None), ("api/run", "POST", b"{}")):
                got = await proxy(api, sid, path, method, body)
                assert got.code == 503 and b"evil" not in got.body, got
            assert contacted == []
        finally:
            server.close()
            await server.wait_closed()
