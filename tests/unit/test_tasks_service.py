"""Training tasks, the service (mo_jupyter/tasks): drafts saved, edited and deleted; folders with
unique slugs inside the project; starts that run real jobs in the task folder; and what is refused
(bad ids, paths out of the root, huge params, unknown or offline references, modules that cannot be
trained)."""

import json
import os

import pytest

from mo_jupyter.catalog.roots import BUILTIN_PATH
from mo_jupyter.catalog.service import CatalogService
from mo_jupyter.errors import BadRequest, Conflict, NotFound
from mo_jupyter.projects import MARKER, TASK_MARKER, project_folder
from mo_jupyter.tasks import TaskService
from mo_jupyter.tasks.store import slugify

from .catalog_fixtures import write_dataset, write_module
from .jobhelpers import make_service, wait_until

GATED_MAIN = '''
import os, time
from pathlib import Path


class {cls}:
    def train(self, conf):
        print("conf", sorted(conf.items()), "cwd", os.getcwd(), flush=True)
        while not os.path.exists(conf["gate"]):
            time.sleep(0.02)
        if conf.get("start"):
            print("start model says", Path(conf["start"]).read_text(), flush=True)
        Path(conf["model"]).parent.mkdir(parents=True, exist_ok=True)
        Path(conf["model"]).write_text("weights")
        return {{"ok": True}}
'''
GATED_SPEC = {
    "purpose": ["text_classification"],
    "input": {"train": {"data": {"value_type": "str"},
                        "model": {"value_type": "str", "default_value": "results/gated.txt"},
                        "gate": {"value_type": "str"},
                        "start": {"value_type": "str", "default_value": "", "optional": True}}},
    "training": {"formats": ["dir"], "data": "data", "model": ["model"], "start_model": "start"},
}
BAYES = {"module": "mo/text_classifier_bayes", "dataset": "mo/text_zh_en"}


@pytest.fixture
def env(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    catalog = CatalogService(root, [str(tmp_path / "user-catalog")], owner="alice", builtin=BUILTIN_PATH)
    user = catalog.catalogs.user.path
    write_module(user, "alice", "gated", spec=GATED_SPEC, main=GATED_MAIN)
    write_module(user, "alice", "notrain", spec={"input": {"predict": {"x": {"value_type": "int"}}}})
    write_module(user, "alice", "untrained")  # train() but no training key
    write_dataset(user, "alice", "reviews")
    write_dataset(user, "alice", "drafty", status="offline")
    write_dataset(user, "alice", "tables", format="csv", files={"t.csv": "a,b\n1,2\n"})
    catalog.index.refresh()
    jobs = make_service(root)
    svc = TaskService(root, jobs, catalog)
    svc.gate = tmp_path / "gate"
    return svc


def gated(svc, **extra):
    return {"name": "gated run", "module": "alice/gated", "dataset": "alice/reviews",
            "params": {"gate": str(svc.gate)}, **extra}


def test_slugs_are_unique_and_made_from_the_name(env):
    assert slugify("Bayes 0.8") == "bayes-0-8" and slugify("贝叶斯") == "task" and slugify("--A__b--") == "a-b"
    first = env.create({"name": "Bayes 0.8", **BAYES})
    second = env.create({"name": "bayes-0.8", **BAYES})
    (env.root / "tasks/bayes-0-8-3").write_text("in the way")
    third = env.create({"name": "Bayes 0.8!", **BAYES})
    zh = env.create({"name": "贝叶斯", **BAYES})
    assert [t["folder"] for t in (first, second, third, zh)] == [
        "tasks/bayes-0-8", "tasks/bayes-0-8-2", "tasks/bayes-0-8-4", "tasks/task"]
    for t in (first, second, third, zh):
        marker = env.root / t["folder"] / TASK_MARKER
        assert json.loads(marker.read_text())["task"] == t["id"]
    assert [t["id"] for t in env.list()] == [zh["id"], third["id"], second["id"], first["id"]]


def test_a_draft_is_saved_edited_and_deleted(env):
    draft = env.create({"name": "d", **BAYES, "params": {"alpha": 0.5}, "description": "first"})
    assert draft["state"] == "draft" and draft["jobs"] == [] and draft["last_job"] is None
    assert draft["split"] == {"kind": "dataset", "ratio": 0.8} and draft["purpose"] == "text_classification"
    assert draft["module"] == {"id": "mo/text_classifier_bayes", "version": "1.0.0"}
    assert draft["backend"] == "local" and draft["machine"] == "cpu" and "max_run_seconds" not in draft
    assert env.jobs.list() == []  # a draft runs nothing
    edited = env.update(draft["id"], {"split": {"kind": "ratio", "ratio": 0.6}, "max_run_seconds": 60,
                                      "description": "second"})
    assert edited["split"] == {"kind": "ratio", "ratio": 0.6} and edited["max_run_seconds"] == 60
    assert edited["params"] == {"alpha": 0.5} and edited["description"] == "second" and edited["name"] == "d"
    assert edited["updated"] > draft["updated"] and edited["folder"] == draft["folder"]
    with pytest.raises(BadRequest, match="params/alpha"):
        env.update(draft["id"], {"params": {"alpha": 99}})
    assert env.get(draft["id"])["params"] == {"alpha": 0.5}  # a refused edit changes nothing
    # another module: its own parameters (the old ones dropped), the dataset's default split
    other = env.update(draft["id"], {"module": "alice/gated", "dataset": "alice/reviews",
                                     "params": {"gate": "/tmp/x"}})
    assert other["module"]["id"] == "alice/gated" and other["params"] == {"gate": "/tmp/x"}
    assert other["split"] == {"kind": "dataset", "ratio": 0.8}
    with pytest.raises(BadRequest, match="fixed when it is made"):
        (env.root / "elsewhere").mkdir()
        (env.root / "elsewhere" / MARKER).write_text("{}")
        env.update(draft["id"], {"folder": "elsewhere"})
    env.delete(draft["id"])
    with pytest.raises(NotFound):
        env.get(draft["id"])
    assert (env.root / draft["folder"]).is_dir()  # the folder stays unless asked
    again = env.create({"name": "d", **BAYES})
    assert again["folder"] == "tasks/d-2"
    env.delete(again["id"], files=True)
    assert not (env.root / "tasks/d-2").exists()


def test_tasks_go_in_the_project_folder_of_the_folder_given(env):
    proj = env.root / "proj"
    (proj / "work").mkdir(parents=True)
    (proj / MARKER).write_text("{}")
    made = env.create({"name": "in proj", **BAYES, "folder": "proj/work"})
    assert made["folder"] == "proj/tasks/in-proj"
    # a task folder is the working directory of its jobs, and never a project for new tasks
    assert project_folder(env.root, env.root / made["folder"] / "train.py") == env.root / made["folder"]
    inner = env.create({"name": "inner", **BAYES, "folder": made["folder"]})
    assert inner["folder"] == "proj/tasks/inner"
    (env.root / made["folder"] / TASK_MARKER).unlink()
    os.symlink("/etc/hostname", env.root / made["folder"] / TASK_MARKER)  # a link is no marker
    assert project_folder(env.root, env.root / made["folder"] / "x.py") == proj


def test_start_runs_train_in_the_task_folder_and_blocks_edits_and_deletes_while_running(env):
    view = env.create(gated(env, start=True, max_run_seconds=120))
    job = view["last_job"]
    folder = env.root / view["folder"]
    assert view["state"] == "started" and view["jobs"] == [job["id"]]
    assert job["path"] == f"{view['folder']}/train.py" and job["name"] == "gated run"
    assert job["max_run_seconds"] == 120
    task = job["task"]
    assert task["module"] == {"id": "alice/gated", "version": "1.0.0"}
    assert task["datasets"] == [{"id": "alice/reviews", "version": "1.0.0", "path": "datasets/alice-reviews"}]
    assert task["conf"] == {"data": "datasets/alice-reviews", "model": "results/gated.txt", "gate": str(env.gate),
                            "start": ""}
    assert task["model_paths"] == ["results/gated.txt"]
    assert json.loads((folder / "task_conf.json").read_text()) == task["conf"]
    assert (folder / "modules/gated/main.py").is_file() and (folder / "datasets/alice-reviews/pos/a.txt").is_file()
    wait_until(lambda: env.jobs.get(job["id"])["state"] == "running", 30, message="running")
    with pytest.raises(Conflict, match="running"):
        env.delete(view["id"])
    with pytest.raises(Conflict, match="already running"):
        env.start(view["id"])
    with pytest.raises(Conflict, match="only a draft"):
        env.update(view["id"], {"name": "renamed"})
    env.gate.write_text("go")
    done = env.jobs.wait(job["id"], timeout=30)
    assert done["state"] == "completed", done
    log = env.jobs.read_log(job["id"])["text"]
    assert f"cwd {folder}" in log and "result: " in log
    assert (folder / "results/gated.txt").read_text() == "weights"
    # a second run of the same task: a new job in the same folder
    again = env.start(view["id"])
    assert again["jobs"] == [job["id"], again["last_job"]["id"]]
    assert env.jobs.wait(again["last_job"]["id"], timeout=30)["state"] == "completed"
    env.delete(view["id"], files=True)
    assert not folder.exists() and env.jobs.get(job["id"])["task"]["id"] == view["id"]  # the jobs stay


def test_a_start_model_is_copied_into_the_task_folder(env):
    (env.root / "models").mkdir()
    (env.root / "models/base.txt").write_text("base weights")
    env.gate.write_text("go")
    view = env.create(gated(env, params={"gate": str(env.gate), "start": "models/base.txt"}, start=True))
    assert view["last_job"]["task"]["conf"]["start"] == "start_model/base.txt"
    done = env.jobs.wait(view["last_job"]["id"], timeout=30)
    assert done["state"] == "completed", done
    assert "start model says base weights" in env.jobs.read_log(done["id"])["text"]
    for bad, error in (("../outside.txt", BadRequest), ("/etc/hostname", BadRequest)):
        with pytest.raises(error):
            env.create(gated(env, params={"gate": "g", "start": bad}))
    draft = env.create(gated(env, params={"gate": "g", "start": "models/nope.txt"}))
    with pytest.raises(NotFound):
        env.start(draft["id"])


def test_create_with_start_that_fails_leaves_nothing(env):
    (env.root / "tasks").mkdir()
    with pytest.raises(BadRequest, match="backend"):
        env.create({**gated(env), "backend": "nope", "start": True})
    env.jobs.backend_config["other"] = {"backend_class": "nope.Nope"}
    with pytest.raises(Exception):
        env.create({**gated(env), "backend": "other", "start": True})
    assert env.list() == [] and list((env.root / "tasks").iterdir()) == []
    assert [p.name for p in env.store.dir.iterdir()] == [".lock"]


def test_refusals(env):
    def refused(error, words, body=None, **fields):
        with pytest.raises(error) as caught:
            env.create({**(body or BAYES), "name": "x", **fields})
        assert words in caught.value.message, caught.value.message

    refused(NotFound, "no module 'mo/nope'", {"module": "mo/nope", "dataset": "mo/text_zh_en"})
    refused(NotFound, "has no version '9.9.9'", {"module": "mo/text_classifier_bayes@9.9.9", "dataset": "mo/text_zh_en"})
    refused(NotFound, "no dataset 'mo/nope'", {"module": "mo/text_classifier_bayes", "dataset": "mo/nope"})
    refused(Conflict, "offline", {"module": "alice/gated", "dataset": "alice/drafty"})
    refused(BadRequest, "has no train()", {"module": "alice/notrain", "dataset": "alice/reviews"})
    refused(BadRequest, "no 'training' key", {"module": "alice/untrained", "dataset": "alice/reviews"})
    refused(BadRequest, "format dir; 'alice/tables' is csv", {"module": "alice/gated", "dataset": "alice/tables"})
    refused(BadRequest, "trains for text_classification, not tabular", purpose="tabular")
    refused(BadRequest, "params are larger than 32 KiB", params={f"p{i}": "x" * 1000 for i in range(40)})
    refused(BadRequest, "params/alpha", params={"alpha": "x" * 10_000})
    refused(BadRequest, "split", split={"kind": "independent"})
    refused(BadRequest, "invalid", split={"kind": "ratio", "ratio": 0})
    refused(BadRequest, "invalid", module="../../etc")
    refused(BadRequest, "invalid", name=" ")
    refused(BadRequest, "invalid", extra=1)
    (env.root / "afile").write_text("x")
    os.symlink(env.root.parent, env.root / "link")
    for folder, error in (("../x", BadRequest), ("/etc", BadRequest), (".mo", BadRequest), ("a/../..", BadRequest),
                          ("link", BadRequest), ("nope/deeper", NotFound), ("afile", NotFound),
                          ("x\x00y", BadRequest), ("a" * 300, BadRequest)):
        refused(error, "", folder=folder)
    os.symlink(env.root.parent, env.root / "tasks")
    refused(BadRequest, "symbolic link")
    assert env.list() == []
    for bad in ("../../etc/passwd", "TASK-1", "a" * 100, "", "x/y", None, 3):
        with pytest.raises(NotFound):
            env.get(bad)
        with pytest.raises(NotFound):
            env.start(bad)
    with pytest.raises(BadRequest, match="purpose"):
        env.algorithms("cooking")


def test_a_damaged_record_is_a_409_and_is_not_listed(env):
    made = env.create({"name": "d", **BAYES})
    (env.store.dir / f"{made['id']}.json").write_text("{garbage")
    with pytest.raises(Conflict, match="cannot be read"):
        env.get(made["id"])
    assert env.list() == []


def test_algorithms_and_form(env):
    found = {a["id"]: a for a in env.algorithms()}
    assert {"mo/text_classifier_bayes", "mo/mnist_cnn", "alice/gated"} <= set(found)
    assert "alice/untrained" not in found and "alice/notrain" not in found
    assert found["mo/mnist_cnn"]["group"] == "preset" and found["alice/gated"]["group"] == "mine"
    assert found["mo/text_classifier_bayes"]["split_param"] == "train_ratio"
    assert found["mo/mnist_cnn"]["start_model_param"] == "start_model_path"
    assert [a["id"] for a in env.algorithms("image_classification")] == ["mo/mnist_cnn"]
    form = env.form("mo/text_classifier_bayes")
    assert form["params_order"] == ["alpha"] and form["module"]["formats"] == ["dir"]
    by_id = {d["id"]: d for d in form["datasets"]}
    assert by_id["mo/text_zh_en"]["splits"] == ["dataset", "ratio"]
    assert "alice/drafty" not in by_id and "alice/tables" not in by_id and "mo/mnist" not in by_id
    assert env.form("mo/mnist_cnn")["datasets"][0]["splits"] == ["independent"]
    with pytest.raises(NotFound):
        env.form("mo/nope")
    with pytest.raises(BadRequest):
        env.form("not a ref")
