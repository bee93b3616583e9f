"""mo/api/models on a real server: a real local job that writes results/model.npz ends completed and
its model is listed with its lineage and metrics; show, search, download, manual register, delete
(refused while a real deployed service serves it), 404s, and 403 without a token."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import nbformat
import pytest

from helpers import assert_user_error, write

TRAIN = """
import json, os
os.makedirs("results", exist_ok=True)
for i, loss in enumerate([0.8, 0.2, 0.5]):
    print(json.dumps({"metric": "loss", "value": loss, "step": i}), flush=True)
with open("results/model.npz", "wb") as f:
    f.write(bytes(range(256)) * 40)
print("saved", flush=True)
"""
SIZE = 256 * 40


async def trained(api, root, **request) -> dict:
    write(root, "train.py", TRAIN)
    job = await api.create({"path": "train.py", **request})
    done = await api.wait_state(job["id"])
    assert done["state"] == "completed", done
    return done


async def test_a_completed_job_s_model_is_listed_with_its_lineage_and_metrics(api, root):
    job = await trained(api, root, env={"HF_TOKEN": "hush"}, args=["--epochs", "3"])
    r = await api.get("models")
    assert r.code == 200, r
    [model] = r.json["models"]
    assert model["name"] == "model" and [v["version"] for v in model["versions"]] == [1]
    record = model["versions"][0]
    assert record["lineage"]["job"]["id"] == job["id"] and record["lineage"]["job"]["env_keys"] == ["HF_TOKEN"]
    assert record["lineage"]["job"]["args"] == ["--epochs", "3"]
    assert record["lineage"]["metrics"] == {"loss": {"last": 0.5, "best": 0.2, "steps": 3}}
    assert record["files"][0]["size"] == SIZE and record["framework"] == "numpy" and record["services"] == []
    assert "hush" not in r.body.decode()
    again = await api.get("models")
    assert [v["id"] for m in again.json["models"] for v in m["versions"]] == ["model:1"]  # once per job
    one = await api.get("models/model/1")
    assert one.code == 200 and one.json == record
    series = (await api.get(f"jobs/{job['id']}/metrics")).json
    assert len(series["metrics"]) == 3
    # the job goes; its model, the facts of its lineage and its metric series stay
    assert (await api.delete(f"jobs/{job['id']}")).code == 204
    assert (await api.get("models/model/1/metrics")).json == series
    kept = (await api.get("models/model/1")).json["lineage"]
    assert kept["job"]["id"] == job["id"] and kept["job"]["deleted"] is True and kept["metrics"]["loss"]["best"] == 0.2
    assert record["lineage"]["job"]["deleted"] is False


async def test_search_download_register_and_delete(api, root):
    await trained(api, root)
    write(root, "exports/bayes.json", json.dumps({"alpha": 0.3}))
    r = await api.post("models", {"path": "exports/bayes.json", "name": "bayes", "description": "by hand"})
    assert r.code == 201, r
    assert r.json["id"] == "bayes:1" and r.json["source"] == "manual" and r.json["framework"] == "json"
    assert r.json["lineage"]["job"] is None and r.json["description"] == "by hand"
    r = await api.post("models", {"path": "exports/bayes.json"})  # the name from the stem, a new version
    assert r.code == 201 and r.json["id"] == "bayes:2", r

    names = lambda reply: [m["name"] for m in reply.json["models"]]  # noqa: E731
    assert names(await api.get("models", params={"q": "bayes"})) == ["bayes"]
    assert names(await api.get("models", params={"q": "NUMPY"})) == ["model"]
    assert names(await api.get("models", params={"q": "by hand"})) == ["bayes"]
    assert names(await api.get("models", params={"q": "nothing-like-it"})) == []
    assert sorted(names(await api.get("models"))) == ["bayes", "model"]

    d = await api.get("models/model/1/download")
    assert d.code == 200 and d.headers["Content-Type"] == "application/zip"
    assert d.headers["Content-Disposition"] == 'attachment; filename="model-1.zip"'
    with zipfile.ZipFile(io.BytesIO(d.body)) as z:
        assert [(i.filename, i.file_size) for i in z.infolist()] == [("model.npz", SIZE)]
        assert hashlib.sha256(z.read("model.npz")).hexdigest() == hashlib.sha256(bytes(range(256)) * 40).hexdigest()

    assert (await api.get("models/bayes/1/metrics")).json == {"metrics": []}  # by hand: no job, no series
    assert (await api.delete("models/bayes/1")).code == 204
    assert_user_error(await api.get("models/bayes/1"), 404)
    assert [v["version"] for v in (await api.get("models", params={"q": "bayes"})).json["models"][0]["versions"]] == [2]


async def test_register_refuses_links_paths_outside_and_missing_files(api, root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "w.npz").write_bytes(b"secret")
    write(root, "results/real.npz", "w")
    (root / "results" / "out.npz").symlink_to(outside / "w.npz")
    (root / "results" / "in.npz").symlink_to(root / "results" / "real.npz")
    for path, says in (("results/out.npz", "link"), ("results/in.npz", "link"), ("../w.npz", "outside"),
                       (str(outside / "w.npz"), "outside"), ("results/nope.npz", "no such")):
        assert_user_error(await api.post("models", {"path": path}), 400, mentions=says)
    for body in ({}, {"path": 3}, {"path": "results/real.npz", "name": "../x"}, {"path": "results/real.npz", "x": 1},
                 {"path": "results/real.npz", "description": "d" * 2001}):
        assert_user_error(await api.post("models", body), 400)
    assert (await api.get("models")).json == {"models": []}
    assert "secret" not in json.dumps((await api.get("models")).json)


@pytest.mark.parametrize("path", ["models/nosuch/1", "models/nosuch/1/download", "models/nosuch/1/metrics", "models/model/0", "models/model/x",
                                  "models/model/99", "models/..%2Fetc/1", "models/model/99/download"])
async def test_unknown_models_are_404(api, root, path):
    write(root, "results/model.npz", "w")
    assert (await api.post("models", {"path": "results/model.npz"})).code == 201
    assert_user_error(await api.get(path), 404)
    if not path.endswith(("download", "metrics")):
        assert_user_error(await api.delete(path), 404)


async def test_every_route_is_403_without_a_token(api, root):
    write(root, "results/model.npz", "w")
    assert (await api.post("models", {"path": "results/model.npz"})).code == 201
    calls = [("GET", "models", None), ("POST", "models", {"path": "results/model.npz"}),
             ("GET", "models/model/1", None),
             ("GET", "models/model/1/download", None), ("GET", "models/model/1/metrics", None),
             ("DELETE", "models/model/1", None)]
    for method, path, body in calls:
        for headers in ({"Authorization": ""}, {"Authorization": "token wrong"}):
            reply = await api.call(method, path, body=body, headers=headers)
            assert reply.code in (401, 403), (method, path, headers, reply)
            assert b"PK" not in reply.body[:2]
    assert [v["id"] for v in (await api.get("models")).json["models"][0]["versions"]] == ["model:1"]


HANDLE = '''import json

MODEL = json.load(open('results/model.json'))


def handle(conf):
    x = conf['x']  # value_type: float # description: a number # value_range: 0-100
    return {'y': x * MODEL['factor']}  # value_type: float
'''


async def test_a_model_served_by_a_service_is_not_deleted_and_the_service_is_named(api, root, jp_serverapp):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HANDLE)]
    nbformat.write(nb, str(root / "app.ipynb"))
    write(root, "results/model.json", '{"factor": 2}')
    assert (await api.post("models", {"path": "results/model.json", "name": "factor"})).code == 201
    assert (await api.post("handle/generate", {"notebook": "app.ipynb"})).code == 200
    services = jp_serverapp.web_app.settings["mo_services"]
    view = services.deploy("", name="factor", files=["results/model.json"], replicas=0,
                           model={"name": "factor", "version": 1})
    assert (await api.get("models/factor/1")).json["services"] == [view["id"]]
    refused = assert_user_error(await api.delete("models/factor/1"), 409, mentions=view["id"])
    assert "service" in refused
    assert (await api.get("models/factor/1")).code == 200
    assert (await api.delete(f"services/{view['id']}")).code == 204
    assert (await api.delete("models/factor/1")).code == 204
