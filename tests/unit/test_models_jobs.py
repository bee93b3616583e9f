"""Auto-registration from real jobs (local backend, detached supervisors): what a completed job
wrote becomes a model once, with its lineage; that lineage outlives the job."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import pytest

from mo_jupyter.errors import NotFound
from mo_jupyter.models.service import ModelService, load_mark

from .jobhelpers import make_service, script

TRAIN = """
import json, os, sys
os.makedirs("results", exist_ok=True)
for i, loss in enumerate([0.9, 0.4, 0.6]):
    print(json.dumps({"metric": "loss", "value": loss, "step": i}), flush=True)
    print(json.dumps({"metric": "accuracy", "value": 0.5 + i / 10, "step": i}), flush=True)
with open(os.environ.get("OUT", "results/model.npz"), "wb") as f:
    f.write(b"weights" * 100)
sys.exit(int(os.environ.get("CODE", "0")))
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "results").mkdir()
    old = tmp_path / "results" / "old.npz"
    old.write_bytes(b"from before")
    os.utime(old, (time.time() - 3600, time.time() - 3600))  # written long before any job
    script(tmp_path, "train.py", TRAIN)
    return tmp_path


def run(jobs, request) -> dict:
    job = jobs.create(request)
    done = jobs.wait(job["id"], timeout=60)
    assert done["state"] in ("completed", "failed"), done
    return done


def test_a_completed_job_registers_what_it_wrote_once_with_its_lineage(project):
    jobs = make_service(project)
    job = run(jobs, {"path": "train.py", "args": ["--lr", "0.1"], "env": {"API_TOKEN": "s3cret-value"},
                     "description": "first run"})
    assert job["state"] == "completed"
    models = ModelService(project, jobs)
    assert models.reconcile() == ["model:1"]
    assert models.reconcile() == []  # once per job
    record = models.get("model", 1)
    assert [f["path"] for f in record["files"]] == ["model.npz"]  # not old.npz: written before the job
    assert record["framework"] == "numpy" and record["source"] == "job" and record["description"] == "first run"
    job_facts = record["lineage"]["job"]
    assert job_facts["id"] == job["id"] and job_facts["path"] == "train.py" and job_facts["state"] == "completed"
    assert job_facts["code_sha256"] == hashlib.sha256((project / "train.py").read_bytes()).hexdigest()
    assert job_facts["args"] == ["--lr", "0.1"] and job_facts["env_keys"] == ["API_TOKEN"]
    assert "s3cret-value" not in json.dumps(record)
    assert record["lineage"]["metrics"] == {"loss": {"last": 0.6, "best": 0.4, "steps": 3},
                                            "accuracy": {"last": 0.7, "best": 0.7, "steps": 3}}
    assert load_mark(models.folder, job["id"])["models"] == ["model:1"]
    # a second service (another server, the CLI) does not register it again either
    (models.folder / ".jobs" / f"{job['id']}.json").unlink()
    assert ModelService(project, jobs).reconcile() == []
    assert [v["id"] for m in models.list()["models"] for v in m["versions"]] == ["model:1"]


def test_lineage_survives_deleting_the_job(project):
    jobs = make_service(project)
    job = run(jobs, {"path": "train.py"})
    models = ModelService(project, jobs)
    models.list()
    jobs.delete(job["id"])
    with pytest.raises(NotFound):
        jobs.get(job["id"])
    (project / "results" / "model.npz").unlink()
    record = models.list()["models"][0]["versions"][0]
    assert record["lineage"]["job"]["id"] == job["id"] and record["lineage"]["metrics"]["loss"]["steps"] == 3
    assert record["lineage"]["job"]["deleted"] is True and record["lineage"]["job"]["args"] == []
    name, archive = models.zip("model", 1)
    with archive:
        assert archive.read(2) == b"PK"


def test_a_task_job_registers_its_model_paths_under_the_module_name(project):
    (project / "results" / "other.json").write_text("{}")
    task = {"id": "task-20261129-193012-a1b2", "name": "bayes-0.8",
            "module": {"id": "mo/text_classifier_bayes", "version": "1.0.0"},
            "datasets": [{"id": "mo/text_zh_en", "version": "1.0.0", "path": "datasets/mo-text_zh_en"}],
            "conf": {"alpha": 0.3, "train_ratio": 0.8}, "model_paths": ["results/bayes.json", "results/missing.json"]}
    jobs = make_service(project)
    job = run(jobs, {"path": "train.py", "env": {"OUT": "results/bayes.json"}, "task": task})
    models = ModelService(project, jobs)
    assert models.reconcile() == ["text_classifier_bayes:1"]
    record = models.get("text_classifier_bayes", 1)
    assert [f["path"] for f in record["files"]] == ["bayes.json"] and record["framework"] == "json"
    lineage = record["lineage"]
    assert lineage["task"] == {"id": task["id"], "name": "bayes-0.8"}
    assert lineage["module"] == {"id": "mo/text_classifier_bayes", "version": "1.0.0"}
    assert lineage["datasets"] == [{"id": "mo/text_zh_en", "version": "1.0.0"}]
    assert lineage["conf"] == {"alpha": 0.3, "train_ratio": 0.8} and lineage["job"]["id"] == job["id"]


def test_a_plain_job_lists_the_datasets_inserted_in_its_project(project):
    marker = project / "datasets" / "mo-mnist" / ".mo_dataset.json"
    marker.parent.mkdir(parents=True)
    marker.write_text(json.dumps({"id": "mo/mnist", "stamp": ["1.0.0", 10, 1, 0]}))
    jobs = make_service(project)
    run(jobs, {"path": "train.py"})
    models = ModelService(project, jobs)
    models.reconcile()
    assert models.get("model", 1)["lineage"]["datasets"] == [{"id": "mo/mnist", "version": "1.0.0"}]


def test_failed_jobs_and_jobs_that_wrote_nothing_register_nothing(project):
    jobs = make_service(project)
    failed = run(jobs, {"path": "train.py", "env": {"CODE": "3"}})
    assert failed["state"] == "failed"
    script(project, "quiet.py", "print('nothing saved')\n")
    quiet = run(jobs, {"path": "quiet.py"})
    models = ModelService(project, jobs)
    assert models.reconcile() == [] and models.list()["models"] == []
    assert load_mark(models.folder, failed["id"]) == {"state": "failed", "models": []}
    assert load_mark(models.folder, quiet["id"]) == {"state": "completed", "models": []}


def test_a_job_whose_model_links_out_of_the_project_registers_nothing(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.npz").write_bytes(b"secret")
    script(project, "linker.py", f"import os\nos.symlink({str(outside / 'secret.npz')!r}, 'results/model.npz')\n")
    jobs = make_service(project)
    job = run(jobs, {"path": "linker.py"})
    assert job["state"] == "completed"
    models = ModelService(project, jobs)
    assert models.reconcile() == [] and models.list()["models"] == []


def test_a_broken_job_record_does_not_stop_the_pass(project):
    jobs = make_service(project)
    good = run(jobs, {"path": "train.py"})
    bad = Path(jobs.jobs_dir) / "20200101-000000-bad001"
    bad.mkdir()
    (bad / "spec.json").write_text("{garbage")
    models = ModelService(project, jobs)
    assert models.reconcile() == ["model:1"]
    assert models.get("model", 1)["lineage"]["job"]["id"] == good["id"]


def test_passes_at_once_register_each_job_once(project):
    jobs = make_service(project)
    for _ in range(3):
        run(jobs, {"path": "train.py"})
    got: list = []
    passes = [threading.Thread(target=lambda: got.extend(ModelService(project, jobs).reconcile())) for _ in range(4)]
    for t in passes:
        t.start()
    for t in passes:
        t.join()
    assert sorted(got) == ["model:1", "model:2", "model:3"]
    listed = ModelService(project, jobs).list()["models"]
    assert sorted(v["lineage"]["job"]["id"] for v in listed[0]["versions"]) == sorted(j["id"] for j in jobs.list())
