"""A model served by its catalog module's predict(): the app folder is generated (handler.py,
app_spec.yml without the model parameter, the module, the model's files), deploys as any app, and
answers with the model it was given, not the module's shipped one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

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
    view = mgr.deploy(made["folder"], "bayes", "dev", made["files"], "local", 1, model={"name": "bayes", "version": 1})
    assert mgr.get(view["id"])["model"] == {"name": "bayes", "version": 1}  # the service says which model it serves
    wait_until(lambda: running(mgr, view["id"]), timeout=60, message="running")
    status, body = call(view["port"], body=json.dumps({"app": {"input": {"text": "足球比赛"}}}).encode())
    assert status == 200, body
    out = json.loads(body)
    assert out["output"]["label"] == "my-sports", out
    shutil.rmtree(root / "model_apps")


def test_a_model_published_to_the_catalog_is_the_next_version_of_my_module_with_its_weights(tmp_path):
    from mo_jupyter.catalog.model_module import publish_model
    from mo_jupyter.catalog.roots import BUILTIN_PATH as BUILTIN

    root = tmp_path / "proj"
    root.mkdir()
    spec_file = BUILTIN / "modules/mo/text_classifier_bayes/1.0.0/module_spec.yml"  # names its weights
    spec = yaml.safe_load(spec_file.read_text())
    assert spec["training"]["shipped_model"] == "results/bayes_model.json"
    user = tmp_path / "user-catalog"
    catalog = CatalogService(root, [str(user)], owner="alice")
    model = {"name": "text_classifier_bayes", "version": 3,
             "lineage": {"module": BAYES, "job": {"id": "j-1", "name": "bayes", "path": "tasks/b/train.py"},
                         "datasets": [{"id": "mo/text_zh_en", "version": "1.0.0"}], "conf": {"alpha": 0.5},
                         "metrics": {"accuracy": {"last": 0.9}}}}
    weights = relabelled_model(tmp_path)
    first = publish_model(catalog.modules, root, model, [weights])
    assert (first["id"], first["version"]) == ("alice/text_classifier_bayes", "1.0.0")
    folder = user / "modules/alice/text_classifier_bayes/1.0.0"
    assert (folder / "results/bayes_model.json").read_bytes() == weights.read_bytes()
    readme = (folder / "README.md").read_text()
    assert "model text_classifier_bayes version 3" in readme and "mo/text_zh_en" in readme and "alpha=0.5" in readme
    second = publish_model(catalog.modules, root, model, [weights])
    assert second["version"] == "1.0.1"
    assert not list(root.glob(".mo-publish-*"))  # the staging folder is gone
    with pytest.raises(BadRequest, match="not trained from a catalog module"):
        publish_model(catalog.modules, root, {"name": "x", "version": 1, "lineage": {}}, [weights])
