"""Deployed services through the REST API on a real server: deploy from the files the wizard
writes, the test page and /api/run through the authenticated proxy, scale 1 -> 3 -> 0 -> 2 on the
same address, logs, survival of a new manager (a Jupyter restart), delete."""

from __future__ import annotations

import json
import urllib.request

import nbformat
import psutil
import pytest

from helpers import assert_user_error, await_until
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


def direct_run(port: int, x: float) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/run", method="POST",
                                 data=json.dumps({"app": {"input": {"x": x}}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


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
    assert all(direct_run(port, i)["output"]["y"] == 2 * i for i in range(30))

    r = await api.post(f"services/{sid}/scale", {"replicas": 0})
    assert r.json["state"] == "stopped" and r.json["running_replicas"] == 0, r
    assert_user_error(await api.get(f"services/{sid}/proxy/api/spec"), 422, mentions="not running")
    r = await api.post(f"services/{sid}/scale", {"replicas": 2})
    view = await wait_state(api, sid, "running")
    assert view["port"] == port and view["running_replicas"] == 2  # the same address again
    assert direct_run(port, 5) == {"output": {"y": 10}}

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
    assert direct_run(r.json["port"], 2) == {"output": {"y": 10}}
    await api.delete("services/fives-dev")
