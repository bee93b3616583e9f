"""A model trained by a task, deployed from its record with one call: the handler comes from the
module's predict(), the service answers with the trained model, service and model name each other,
the model cannot be deleted while served; publishing it makes the next version of my module with its
weights. A model without a module is refused with the reason 'wizard' and its files copied for a
handle written by hand."""

from __future__ import annotations

import json
import urllib.request

from helpers import assert_user_error, await_until, write

BAYES = {"module": "mo/text_classifier_bayes", "dataset": "mo/text_zh_en"}


def classify(port: int, text: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/run", method="POST",
                                 data=json.dumps({"app": {"input": {"text": text}}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


async def test_a_task_s_model_deploys_from_its_record_and_publishes(api, root):
    r = await api.post("tasks", {"name": "bayes", **BAYES, "split": {"kind": "ratio", "ratio": 0.8}, "start": True})
    assert r.code == 201, r
    done = await api.wait_state(r.json["last_job"]["id"], timeout=60)
    assert done["state"] == "completed", done
    [model] = (await api.get("models")).json["models"]
    record = model["versions"][0]
    assert record["lineage"]["module"] == {"id": "mo/text_classifier_bayes", "version": "1.0.0"}
    ref = f"models/{record['name']}/{record['version']}"

    r = await api.post(f"{ref}/deploy", {})
    assert r.code == 201, r
    service = r.json
    assert service["id"] == f"{record['name']}-v{record['version']}-dev"
    assert service["model"] == {"name": record["name"], "version": record["version"]}
    assert (root / f"model_apps/{record['name']}-v{record['version']}/handler.py").is_file()

    async def up():
        view = (await api.get(f"services/{service['id']}")).json
        return view if view["state"] == "running" else None

    await await_until(up, timeout=60, message="the model's service runs")
    out = classify(service["port"], "The football match went to extra time")
    assert out["output"]["label"] == "sports", out
    assert set(out["output"]["classes"]) == {"food", "sports", "technology", "weather"}
    assert (await api.get(ref)).json["services"] == [service["id"]]
    assert_user_error(await api.delete(ref), 409, mentions=service["id"])

    r = await api.post(f"{ref}/publish", {"permission": "private"})
    assert r.code == 201, r
    assert r.json["name"] == "text_classifier_bayes" and r.json["version"] == "1.0.0"
    module = (await api.get(f"modules/{r.json['owner']}/text_classifier_bayes")).json
    assert "model text_classifier_bayes version" in module["readme"]
    assert (await api.delete(f"services/{service['id']}")).code == 204


async def test_a_model_without_a_module_goes_to_the_wizard_and_bad_bodies_are_400(api, root):
    import numpy as np

    (root / "results").mkdir()
    np.savez(root / "results/weights.npz", w=np.array([1.0, 2.0]), b=np.array([0.5]))
    assert (await api.post("models", {"path": "results/weights.npz"})).code == 201
    message = assert_user_error(await api.post("models/weights/1/deploy", {}), 409, mentions="model_apps/weights-v1/model")
    assert "wizard" in message and "deploy_model.ipynb" in message
    app = root / "model_apps/weights-v1"
    assert (app / "model/weights.npz").read_bytes() == (root / "results/weights.npz").read_bytes()
    # the notebook's handle loads the model: the wizard's steps make a service that answers at once
    r = await api.post("handle/generate", {"notebook": "model_apps/weights-v1/deploy_model.ipynb"})
    assert r.code == 200, r
    r = await api.post("services", {"folder": "model_apps/weights-v1", "name": "weights", "files": ["model"]})
    assert r.code in (200, 201), r

    async def up():
        view = (await api.get("services/weights-dev")).json
        return view if view["state"] in ("running", "failed") else None

    view = await await_until(up, timeout=60, message="the hand-written service runs")
    assert view["state"] == "running", view
    req = urllib.request.Request(f"http://127.0.0.1:{view['port']}/api/run", method="POST",
                                 data=json.dumps({"app": {"input": {"x": [1.0]}}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert sorted(json.loads(resp.read())["output"]["y"]) == [0.5, 3.0]
    assert (await api.delete("services/weights-dev")).code == 204
    (app / "deploy_model.ipynb").write_text((app / "deploy_model.ipynb").read_text().replace("np.sum", "np.max"))
    assert_user_error(await api.post("models/weights/1/deploy", {}), 409)
    assert "np.max" in (app / "deploy_model.ipynb").read_text()  # a second refusal keeps the user's edits
    assert_user_error(await api.post("models/weights/1/deploy", {"name": "Bad Name"}), 400)
    assert_user_error(await api.post("models/weights/1/publish", {"permission": "world"}), 400)
    assert_user_error(await api.post("models/weights/1/publish", {}), 400, mentions="not trained from a catalog module")
    assert_user_error(await api.post("models/nope/1/deploy", {}), 404)
    for path in ("models/weights/1/deploy", "models/weights/1/publish"):
        reply = await api.call("POST", path, body={}, headers={"Authorization": "token wrong"})
        assert reply.code in (401, 403)
