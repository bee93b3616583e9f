"""A model served by its catalog module's predict(): the app folder is generated (handler.py,
app_spec.yml without the model parameter, the module, the model's files), deploys as any app, and
answers with the model it was given, not the module's shipped one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mo_jupyter.catalog.roots import BUILTIN_PATH
from mo_jupyter.catalog.service import CatalogService
from mo_jupyter.errors import BadRequest
from mo_jupyter.handle.model_app import model_param_of, write_model_app
from mo_jupyter.handle.spec import load_app_spec

from .apphelpers import project  # noqa: F401  (project: a fixture)
from .jobhelpers import wait_until
from .test_services_local import call, running

BAYES = {"id": "mo/text_classifier_bayes", "version": "1.0.0"}
SHIPPED = BUILTIN_PATH / "modules/mo/text_classifier_bayes/1.0.0/results/bayes_model.json"


def relabelled_model(tmp_path: Path) -> Path:
    """The shipped model with its classes renamed: an answer from it cannot come from the shipped one."""
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["classes"] = [f"my-{c}" for c in data["classes"]]
    out = tmp_path / "records" / "bayes_model.json"
    out.parent.mkdir()
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def test_the_app_folder_is_the_modules_predict_without_the_model_parameter(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    catalog = CatalogService(root, [])
    made = write_model_app(root, "model_apps/bayes-v1", catalog.modules, BAYES,
                           {"name": "bayes", "version": 1}, [relabelled_model(tmp_path)])
    app = root / "model_apps/bayes-v1"
    assert made == {"folder": "model_apps/bayes-v1", "files": ["model", "modules"]}
    spec = load_app_spec(app / "app_spec.yml")
    assert list(spec["input"]) == ["text"] and "model_path" not in spec["input"]
    assert set(spec["output"]) == {"label", "probabilities", "classes"}
    assert (app / "model/bayes_model.json").is_file()
    assert (app / "modules/text_classifier_bayes/main.py").is_file()
    assert "model_path=MODEL" in (app / "handler.py").read_text()


def test_a_module_whose_predict_takes_no_model_is_refused(tmp_path):
    assert model_param_of({"input": {"predict": {"text": {"value_type": "str"}}}}) is None
    assert model_param_of({"input": {"predict": {"w": {"value_type": "str"}}},
                           "training": {"predict_model": "w"}}) == "w"
    root = tmp_path / "proj"
    root.mkdir()
    catalog = CatalogService(root, [])
    with pytest.raises(BadRequest, match="takes no model file"):  # iris_classifier: predict(conf) has no model input
        write_model_app(root, "model_apps/iris", catalog.modules, {"id": "mo/iris_classifier", "version": "1.0.0"},
                        {"name": "iris", "version": 1}, [SHIPPED])


def test_the_generated_app_deploys_and_answers_with_the_given_model(project, tmp_path):  # noqa: F811
    root, manager = project
    for name in ("handler.py", "app_spec.yml"):
        (root / name).unlink()
    catalog = CatalogService(root, [])
    made = write_model_app(root, "model_apps/bayes-v1", catalog.modules, BAYES,
                           {"name": "bayes", "version": 1}, [relabelled_model(tmp_path)])
    mgr = manager()
    view = mgr.deploy(made["folder"], "bayes", "dev", made["files"], "local", 1)
    wait_until(lambda: running(mgr, view["id"]), timeout=60, message="running")
    status, body = call(view["port"], body=json.dumps({"app": {"input": {"text": "足球比赛"}}}).encode())
    assert status == 200, body
    out = json.loads(body)
    assert out["output"]["label"] == "my-sports", out
    shutil.rmtree(root / "model_apps")
