"""Training tasks through REST (mo/api/tasks): a draft saved, edited and started runs the preset
naive-Bayes module's train() on mo/text_zh_en as a real job on the local backend, split as asked;
the algorithms and the form the wizard reads; and the refusals, 403 without a token included."""

from __future__ import annotations

import re

from helpers import assert_user_error

BAYES = {"module": "mo/text_classifier_bayes", "dataset": "mo/text_zh_en"}


async def patch(api, path, body):
    return await api.call("PATCH", path, body=body)


async def test_draft_edit_start_runs_train_split_as_asked(api, root):
    r = await api.post("tasks", {"name": "bayes 0.8", **BAYES, "split": {"kind": "ratio", "ratio": 0.8},
                                 "params": {"alpha": 0.3}, "description": "a first try"})
    assert r.code == 201, r
    draft = r.json
    assert draft["state"] == "draft" and draft["folder"] == "tasks/bayes-0-8" and draft["last_job"] is None
    r = await patch(api, f"tasks/{draft['id']}", {"split": {"kind": "ratio", "ratio": 0.6}, "params": {"alpha": 0.5}})
    assert r.code == 200, r
    assert r.json["split"] == {"kind": "ratio", "ratio": 0.6} and r.json["params"] == {"alpha": 0.5}
    r = await api.post(f"tasks/{draft['id']}/start")
    assert r.code == 200, r
    started = r.json
    assert started["state"] == "started" and len(started["jobs"]) == 1
    job_id = started["jobs"][0]
    done = await api.wait_state(job_id, timeout=60)
    assert done["state"] == "completed", (done, await api.full_log(job_id))

    log = await api.full_log(job_id)
    found = re.search(r"(\d+) samples: (\d+) train, (\d+) held out", log)
    assert found, log
    total, train, held = map(int, found.groups())
    assert total == 120 and train == 72 and held == 48  # 0.6 of each of the 4 classes of 30
    metrics = (await api.get(f"jobs/{job_id}/metrics")).json["metrics"]
    accuracy = [m["value"] for m in metrics if m["metric"] == "accuracy"]
    assert accuracy and 0 < accuracy[-1] <= 1

    task = done["task"]
    assert task["id"] == draft["id"] and task["name"] == "bayes 0.8"
    assert task["module"] == {"id": "mo/text_classifier_bayes", "version": "1.0.0"}
    assert task["datasets"] == [{"id": "mo/text_zh_en", "version": "1.0.0", "path": "datasets/mo-text_zh_en"}]
    assert task["conf"] == {"data_path": "datasets/mo-text_zh_en", "model_save_path": "results/bayes_model.json",
                            "alpha": 0.5, "train_ratio": 0.6}
    assert task["model_paths"] == ["results/bayes_model.json"]
    assert done["path"] == "tasks/bayes-0-8/train.py" and done["description"] == "a first try"
    assert (root / "tasks/bayes-0-8/results/bayes_model.json").is_file()
    assert not (root / "results").exists()  # the job ran in the task folder

    view = (await api.get(f"tasks/{draft['id']}")).json
    assert view["last_job"]["state"] == "completed" and view["last_job"]["id"] == job_id
    listed = (await api.get("tasks")).json["tasks"]
    assert [t["id"] for t in listed] == [draft["id"]]
    assert_user_error(await patch(api, f"tasks/{draft['id']}", {"name": "x"}), 409, mentions="draft")
    again = await api.post(f"tasks/{draft['id']}/start")
    assert again.code == 200 and len(again.json["jobs"]) == 2, again
    await api.wait_state(again.json["jobs"][1], timeout=60)
    r = await api.delete(f"tasks/{draft['id']}", params={"files": "1"})
    assert r.code == 204, r
    assert not (root / "tasks/bayes-0-8").exists()
    assert (await api.get("tasks")).json["tasks"] == []


async def test_create_and_start_at_once_with_the_dataset_split(api, root):
    r = await api.post("tasks", {"name": "at once", **BAYES, "start": True, "max_run_seconds": 300})
    assert r.code == 201, r
    assert r.json["split"] == {"kind": "dataset", "ratio": 0.8}
    job = await api.wait_state(r.json["jobs"][0], timeout=60)
    assert job["state"] == "completed" and job["max_run_seconds"] == 300
    assert "120 samples: 96 train, 24 held out" in await api.full_log(job["id"])


async def test_algorithms_and_form(api):
    r = await api.get("tasks/algorithms")
    assert r.code == 200, r
    found = {a["id"]: a for a in r.json["algorithms"]}
    for module in ("mo/text_classifier_bayes", "mo/mnist_cnn"):
        assert found[module]["group"] == "preset" and found[module]["versions"] == ["1.0.0"]
    assert found["mo/text_classifier_bayes"]["purposes"] == ["text_classification"]
    assert found["mo/mnist_cnn"]["formats"] == ["npz"] and found["mo/mnist_cnn"]["model_params"] == ["model_save_path"]
    r = await api.get("tasks/algorithms", params={"purpose": "image_classification"})
    assert [a["id"] for a in r.json["algorithms"]] == ["mo/mnist_cnn"]
    assert_user_error(await api.get("tasks/algorithms", params={"purpose": "cooking"}), 400, mentions="purpose")

    r = await api.get("tasks/form", params={"module": "mo/mnist_cnn"})
    assert r.code == 200, r
    epochs = r.json["params_schema"]["properties"]["epochs"]
    assert {k: epochs[k] for k in ("type", "minimum", "maximum", "default")} == {
        "type": "integer", "minimum": 1, "maximum": 100, "default": 3}
    assert r.json["params_order"] == ["epochs", "batch_size", "start_model_path"]
    assert [(d["id"], d["splits"]) for d in r.json["datasets"]] == [("mo/mnist", ["independent"])]
    r = await api.get("tasks/form", params={"module": "mo/text_classifier_bayes@1.0.0"})
    assert r.json["datasets"][0]["splits"] == ["dataset", "ratio"] and r.json["module"]["split_param"] == "train_ratio"
    assert_user_error(await api.get("tasks/form"), 400, mentions="module")
    assert_user_error(await api.get("tasks/form", params={"module": "mo/nope"}), 404)
    assert_user_error(await api.get("tasks/form", params={"module": "mo/iris_classifier"}), 400, mentions="train")


async def test_refusals(api, root):
    ok = {"name": "t", **BAYES}
    assert_user_error(await api.post("tasks", {**ok, "module": "mo/nope"}), 404, mentions="mo/nope")
    assert_user_error(await api.post("tasks", {**ok, "dataset": "mo/nope"}), 404, mentions="mo/nope")
    assert_user_error(await api.post("tasks", {**ok, "dataset": "mo/mnist"}), 400, mentions="format")
    assert_user_error(await api.post("tasks", {**ok, "module": "mo/iris_classifier", "dataset": "mo/iris"}), 400,
                      mentions="train")
    assert_user_error(await api.post("tasks", {**ok, "params": {"alpha": 50}}), 400, mentions="params/alpha")
    assert_user_error(await api.post("tasks", {**ok, "params": {"alpha": "x"}}), 400, mentions="params/alpha")
    assert_user_error(await api.post("tasks", {**ok, "split": {"kind": "ratio", "ratio": 0.2}}), 400,
                      mentions="split/ratio")
    assert_user_error(await api.post("tasks", {**ok, "folder": "../outside"}), 400)
    assert_user_error(await api.post("tasks", {**ok, "folder": "nowhere"}), 404)
    assert_user_error(await api.post("tasks", {"name": "t"}), 400, mentions="module")
    assert_user_error(await api.post("tasks", {**ok, "bogus": 1}), 400)
    assert_user_error(await api.post("tasks", {**ok, "backend": "nope"}), 400, mentions="backend")
    assert_user_error(await api.call("POST", "tasks", raw=b"[1]"), 400)
    for bad in ("task-nope", "..%2F..%2Fetc", "x" * 100):
        assert_user_error(await api.get(f"tasks/{bad}"), 404)
        assert_user_error(await api.post(f"tasks/{bad}/start"), 404)
        assert_user_error(await patch(api, f"tasks/{bad}", {"name": "x"}), 404)
        assert_user_error(await api.delete(f"tasks/{bad}"), 404)
    draft = (await api.post("tasks", ok)).json
    assert_user_error(await api.post(f"tasks/{draft['id']}/start", {"name": "x"}), 400, mentions="no body")
    assert_user_error(await api.delete(f"tasks/{draft['id']}", params={"files": "maybe"}), 400)
    assert_user_error(await api.get("tasks", params={"bogus": "1"}), 400, mentions="bogus")
    assert [t["id"] for t in (await api.get("tasks")).json["tasks"]] == [draft["id"]]
    assert (await api.delete(f"tasks/{draft['id']}")).code == 204
    assert (root / draft["folder"]).is_dir()  # the folder stays


async def test_every_task_route_is_403_without_a_token(api, root):
    draft = (await api.post("tasks", {"name": "t", **BAYES})).json
    calls = [("GET", "tasks", None), ("POST", "tasks", {"name": "u", **BAYES, "start": True}),
             ("GET", "tasks/algorithms", None), ("GET", "tasks/form?module=mo/mnist_cnn", None),
             ("GET", f"tasks/{draft['id']}", None), ("PATCH", f"tasks/{draft['id']}", {"name": "changed"}),
             ("POST", f"tasks/{draft['id']}/start", {}), ("DELETE", f"tasks/{draft['id']}", None)]
    for method, path, body in calls:
        for headers in ({"Authorization": ""}, {"Authorization": "token wrong"}):
            reply = await api.call(method, path.split("?")[0], body=body, headers=headers,
                                   params=dict([path.split("?")[1].split("=")]) if "?" in path else None)
            assert reply.code in (401, 403), (method, path, reply)
    view = (await api.get(f"tasks/{draft['id']}")).json
    assert view["name"] == "t" and view["state"] == "draft" and view["jobs"] == []
    assert [t["id"] for t in (await api.get("tasks")).json["tasks"]] == [draft["id"]]


async def test_an_edit_removes_a_drafts_max_run_time_with_null(api, root):
    r = await api.post("tasks", {"name": "limited", **BAYES, "max_run_seconds": 600})
    assert r.code == 201 and r.json["max_run_seconds"] == 600, r
    r = await patch(api, f"tasks/{r.json['id']}", {"max_run_seconds": None, "description": "no limit"})
    assert r.code == 200, r
    assert "max_run_seconds" not in r.json or r.json["max_run_seconds"] is None
    assert r.json["description"] == "no limit"
    assert_user_error(await patch(api, f"tasks/{r.json['id']}", {"max_run_seconds": 0}), 400)
