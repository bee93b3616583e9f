"""A real ``jupyter server`` killed and started again: training tasks (a draft and a started one) and
model records (one a job registered while no server ran) are all there afterwards, as they were."""

from __future__ import annotations

import signal

from helpers import wait_until, write

TRAIN = ("import os\nos.makedirs('results', exist_ok=True)\n"
         "open('results/late.npz', 'wb').write(b'x' * 64)\nprint('saved')\n")


def ended(server, job_id):
    status, job = server.request("GET", f"mo/api/jobs/{job_id}")
    return job if status == 200 and job["state"] in ("completed", "failed", "stopped") else None


def test_tasks_and_models_survive_a_server_restart(project):
    root, server = project
    server.start()
    status, draft = server.request("POST", "mo/api/tasks", {"name": "draft", "module": "mo/text_classifier_bayes",
                                                          "dataset": "mo/text_zh_en", "params": {"alpha": 0.7}})
    assert status == 201, draft
    status, started = server.request("POST", "mo/api/tasks", {"name": "run", "module": "mo/text_classifier_bayes",
                                                            "dataset": "mo/text_zh_en", "start": True})
    assert status == 201, started
    job = wait_until(lambda: ended(server, started["last_job"]["id"]), 60, message="the task's job ends")
    assert job["state"] == "completed", job
    status, models = server.request("GET", "mo/api/models")
    assert [v["id"] for m in models["models"] for v in m["versions"]] == ["text_classifier_bayes:1"]
    # a job that ends while no server runs: registered by the next server
    write(root, "late.py", TRAIN)
    status, late = server.request("POST", "mo/api/jobs", {"path": "late.py"})
    assert status == 201, late
    server.stop(signal.SIGKILL)
    wait_until(lambda: (root / "results/late.npz").is_file(), 30, message="the job writes its model serverless")

    server.start()
    status, tasks = server.request("GET", "mo/api/tasks")
    by_name = {t["name"]: t for t in tasks["tasks"]}
    assert by_name["draft"]["state"] == "draft" and by_name["draft"]["params"] == {"alpha": 0.7}
    assert by_name["run"]["state"] == "started" and by_name["run"]["last_job"]["id"] == job["id"]
    wait_until(lambda: ended(server, late["id"]), 30, message="the late job is seen ended")
    status, models = server.request("GET", "mo/api/models")
    ids = sorted(v["id"] for m in models["models"] for v in m["versions"])
    assert ids == ["late:1", "text_classifier_bayes:1"], ids
    status, record = server.request("GET", "mo/api/models/text_classifier_bayes/1")
    assert record["lineage"]["task"]["id"] == started["id"] and record["lineage"]["job"]["id"] == job["id"]
    assert record["lineage"]["datasets"][0]["id"] == "mo/text_zh_en"
