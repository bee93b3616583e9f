"""Transfer training (迁移训练) with the preset mo/mnist_cnn: its spec names start_model_path as the
training key's start model, its train() reads it, and a task of one epoch on mo/mnist goes on from a
saved model given by path (a real Keras run as a job, ~15 s on 2 cores)."""

import ast
import importlib.util
import shutil

import pytest

from mo_jupyter.catalog.roots import BUILTIN_PATH
from mo_jupyter.catalog.service import CatalogService
from mo_jupyter.catalog.specs import load_module_spec
from mo_jupyter.tasks import TaskService
from mo_jupyter.tasks.params import training_of

from .jobhelpers import make_service

MODULE = BUILTIN_PATH / "modules/mo/mnist_cnn/1.0.0"


def test_the_spec_names_the_start_model_and_train_reads_it():
    spec = load_module_spec(MODULE / "module_spec.yml")
    assert training_of(spec, "mo/mnist_cnn")["start_model"] == "start_model_path"
    param = next(p for p in spec["input"]["train"] if p["name"] == "start_model_path")
    assert param["optional"] is True and param["default_value"] == "" and param["value_type"] == "str"
    tree = ast.parse((MODULE / "main.py").read_text())
    train = next(n for c in tree.body if isinstance(c, ast.ClassDef) and c.name == "MnistCnn"
                 for n in c.body if isinstance(n, ast.FunctionDef) and n.name == "train")
    keys = {n.args[0].value for n in ast.walk(train) if isinstance(n, ast.Call)
            and getattr(n.func, "attr", "") == "get" and n.args and isinstance(n.args[0], ast.Constant)}
    assert {"epochs", "batch_size", "data_path", "model_save_path", "start_model_path"} <= keys


@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs keras (mo_jupyter[examples])")
def test_a_task_goes_on_from_a_saved_model(tmp_path):
    root = tmp_path / "root"
    (root / "models").mkdir(parents=True)
    shutil.copyfile(MODULE / "results/mnist_cnn.keras", root / "models/base.keras")
    catalog = CatalogService(root, [str(tmp_path / "catalog")], owner="alice", builtin=BUILTIN_PATH)
    jobs = make_service(root)
    svc = TaskService(root, jobs, catalog)
    view = svc.create({"name": "mnist transfer", "module": "mo/mnist_cnn", "dataset": "mo/mnist", "start": True,
                       "params": {"epochs": 1, "start_model_path": "models/base.keras"}})
    task = view["last_job"]["task"]
    assert task["conf"] == {"epochs": 1, "batch_size": 128, "data_path": "datasets/mo-mnist/mnist.npz",
                            "model_save_path": "results/my_model.keras", "start_model_path": "start_model/base.keras"}
    done = jobs.wait(view["last_job"]["id"], timeout=300)
    log = jobs.read_log(done["id"])["text"]
    assert done["state"] == "completed", log
    assert "going on from start_model/base.keras" in log
    accuracy = [m["value"] for m in jobs.metrics(done["id"]) if m["metric"] == "test_accuracy"]
    assert accuracy and accuracy[-1] > 0.9  # from the trained weights, one epoch keeps it high
    assert (root / view["folder"] / "results/my_model.keras").is_file()
