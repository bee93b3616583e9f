"""Module catalogs: search, details, insertion into a project, publishing (no server)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from mo_jupyter.catalog.modules import parse_ref
from mo_jupyter.errors import BadRequest, Conflict, Forbidden, NotFound

from .catalog_fixtures import make_service, write_module


@pytest.fixture
def svc(tmp_path):
    svc = make_service(tmp_path)
    user, shared = svc.catalogs.roots[0].path, svc.catalogs.roots[1].path
    write_module(user, "alice", "echo", "1.0.0")
    write_module(user, "alice", "echo", "1.10.0")
    write_module(user, "alice", "echo", "1.9.0")
    write_module(shared, "bob", "face_feature", description="Face features for retraining", tags=("vision", "人脸"))
    write_module(shared, "bob", "secret", description="bob's private echo")
    (shared / "modules/bob/secret/1.0.0/.mo_meta.json").write_text('{"permission": "private"}')
    write_module(shared, "bob", "tool", spec={"input": {"run": {"x": {"value_type": "int", "default_value": 3}}},
                                              "output": {}},
                 main="class {cls}:\n    def run(self, conf):\n        return conf['x'] * 2\n")
    svc.index.refresh()
    return svc


def test_versions_are_ordered_the_semver_way_and_latest_is_shown(svc):
    item = svc.modules.list("echo")["items"][0]
    assert item["id"] == "alice/echo"
    assert item["versions"] == ["1.10.0", "1.9.0", "1.0.0"]
    assert item["version"] == "1.10.0"
    assert item["actions"] == ["predict", "train"]
    assert item["catalog"] == "user"


def test_search_matches_every_word_in_name_description_and_tags(svc):
    ids = lambda q: [m["id"] for m in svc.modules.list(q)["items"]]  # noqa: E731
    assert ids("face") == ["bob/face_feature"]
    assert ids("retraining features") == ["bob/face_feature"]
    assert ids("人脸") == ["bob/face_feature"]
    assert ids("FACE vision") == ["bob/face_feature"]
    assert ids("face nothing-like-this") == []
    assert set(ids("")) == {"alice/echo", "bob/face_feature", "bob/tool"}


def test_name_matches_rank_before_description_matches(svc):
    write_module(svc.catalogs.roots[1].path, "bob", "aardvark", description="an echo clone")
    write_module(svc.catalogs.roots[1].path, "bob", "echo_plus", description="more")
    svc.index.refresh()
    found = svc.modules.list("echo")
    assert [m["id"] for m in found["items"]] == ["alice/echo", "bob/echo_plus", "bob/aardvark", "bob/tool"]
    assert found["total"] == 4
    assert [m["id"] for m in svc.modules.list("echo", limit=1)["items"]] == ["alice/echo"]
    assert svc.modules.list("echo", limit=1)["total"] == 4


def test_private_modules_of_others_are_invisible(svc):
    assert all(m["id"] != "bob/secret" for m in svc.modules.list("")["items"])
    with pytest.raises(NotFound):
        svc.modules.get("bob", "secret")


def test_details_have_parameters_readme_and_a_version_choice(svc):
    detail = svc.modules.get("alice", "echo", "1.0.0")
    assert detail["version"] == "1.0.0"
    params = {p["name"]: p for p in detail["spec"]["input"]["predict"]}
    assert params["text"]["description"] == "what to echo"  # legacy `des`
    assert params["times"]["value_range"] == [1, 5]
    assert detail["readme"].startswith("# echo")
    assert {f["path"] for f in detail["files"]} == {"module_spec.yml", "main.py", "README.md"}
    assert detail["class_name"] == "Echo"
    with pytest.raises(NotFound, match="versions: 1.10.0, 1.9.0, 1.0.0"):
        svc.modules.get("alice", "echo", "2.0.0")


def test_insert_copies_the_version_next_to_the_notebook_and_the_cell_runs(svc):
    sub = svc.root / "sub"
    sub.mkdir()
    (sub / "nb.ipynb").write_text("{}")
    done = svc.modules.insert("alice", "echo", "1.9.0", "sub/nb.ipynb", "predict")
    assert done == {"target": "sub/modules/echo", "copied": True, "cell": done["cell"]}
    assert (sub / "modules/echo/main.py").is_file()
    assert "from modules.echo.main import Echo" in done["cell"]
    assert "'text': 'hello'" in done["cell"] and "'times': 2" in done["cell"]
    out = subprocess.run([sys.executable, "-c", done["cell"] + "\nprint(result)"],
                         cwd=sub, capture_output=True, text=True, check=True).stdout
    assert "'version': '1.9.0'" in out and "'text': 'hello'" in out
    again = svc.modules.insert("alice", "echo", "1.9.0", "sub/nb.ipynb", "predict")
    assert again["copied"] is False


def test_train_cell_prefills_conf_from_input_train(svc):
    cell = svc.modules.insert("alice", "echo", None, "nb.ipynb", "train")["cell"]
    assert "'epochs': 1" in cell and "'data_path': 'datasets/x'" in cell
    assert "result = echo.train(conf)" in cell
    out = subprocess.run([sys.executable, "-c", cell + "\nprint(result)"], cwd=svc.root,
                         capture_output=True, text=True, check=True).stdout
    assert "['data_path', 'epochs']" in out


def test_another_version_in_the_target_needs_replace(svc):
    svc.modules.insert("alice", "echo", "1.0.0", "nb.ipynb")
    with pytest.raises(Conflict, match="holds alice/echo 1.0.0") as err:
        svc.modules.insert("alice", "echo", "1.10.0", "nb.ipynb")
    assert err.value.reason == "exists"
    done = svc.modules.insert("alice", "echo", "1.10.0", "nb.ipynb", replace=True)
    assert done["copied"] is True
    assert "1.10.0" in (svc.root / "modules/echo/main.py").read_text()
    assert not [p for p in (svc.root / "modules").iterdir() if p.name.startswith(".mo-")]


def test_user_files_in_the_target_are_not_overwritten_silently(svc):
    (svc.root / "modules/echo").mkdir(parents=True)
    (svc.root / "modules/echo/mine.py").write_text("x = 1")
    with pytest.raises(Conflict, match="files not inserted by mo_jupyter"):
        svc.modules.insert("alice", "echo", None, "nb.ipynb")
    assert (svc.root / "modules/echo/mine.py").exists()


def test_insert_refuses_actions_the_module_lacks_and_paths_outside_the_root(svc):
    with pytest.raises(BadRequest, match="has no train"):
        svc.modules.insert("bob", "tool", None, "nb.ipynb", "train")
    with pytest.raises(BadRequest, match="outside the project root"):
        svc.modules.insert("alice", "echo", None, "../elsewhere/nb.ipynb")
    assert "tool.run(conf)" in svc.modules.insert("bob", "tool", None, "nb.ipynb", "run")["cell"]


def _module_folder(root, name="my_model", version="0.1.0", main=None, spec=None):
    folder = write_module(root / "work", "x", name, version, main=main, spec=spec)
    target = root / name
    folder.rename(target)
    return target


def test_publish_validates_and_lists_every_problem(svc):
    folder = _module_folder(svc.root, main="class Wrong:\n    pass\n")
    spec = yaml.safe_load((folder / "module_spec.yml").read_text())
    spec["input"]["predict"]["times"]["value_type"] = "integer"
    spec["version"] = "1.0"
    (folder / "module_spec.yml").write_text(yaml.safe_dump(spec))
    (folder / "README.md").unlink()
    with pytest.raises(BadRequest) as err:
        svc.modules.publish("my_model")
    message = err.value.message
    assert "value_type" in message and "version" in message and "README.md is missing" in message


def test_publish_checks_main_py_without_running_it(svc):
    folder = _module_folder(svc.root, main="import os\nos.system('touch PWNED')\nclass MyModel:\n    def predict(self, conf): pass\n")
    with pytest.raises(BadRequest, match="class MyModel has no train"):
        svc.modules.publish("my_model")
    assert not (svc.root / "PWNED").exists() and not (folder / "PWNED").exists()
    (folder / "main.py").write_text("class MyModel(:\n")
    with pytest.raises(BadRequest, match="main.py line 1"):
        svc.modules.publish("my_model")


def test_publish_needs_a_new_version_and_keeps_the_permission(svc):
    _module_folder(svc.root, version="0.2.0")
    detail = svc.modules.publish("my_model", "public")
    assert (detail["id"], detail["version"], detail["permission"], detail["catalog"]) == \
        ("alice/my_model", "0.2.0", "public", "user")
    assert svc.modules.list("my_model")["items"][0]["version"] == "0.2.0"
    with pytest.raises(Conflict, match="already published"):
        svc.modules.publish("my_model")
    spec_path = svc.root / "my_model/module_spec.yml"
    spec_path.write_text(spec_path.read_text().replace("0.2.0", "0.1.5"))
    with pytest.raises(Conflict, match="older than the published 0.2.0"):
        svc.modules.publish("my_model")


def test_publish_refuses_another_owner_and_a_read_only_catalog(tmp_path):
    svc = make_service(tmp_path)
    _module_folder(svc.root, spec={"owner": "mallory"})
    with pytest.raises(BadRequest, match="owner 'mallory' is not you"):
        svc.modules.publish("my_model")
    from mo_jupyter.catalog.service import CatalogService

    ro = CatalogService(svc.root, [], owner="mallory", builtin=None)
    with pytest.raises(Forbidden, match="no writable catalog"):
        ro.modules.publish("my_model")


def test_a_broken_spec_in_a_shared_catalog_is_skipped_not_fatal(svc):
    bad = svc.catalogs.roots[1].path / "modules/bob/broken/1.0.0"
    bad.mkdir(parents=True)
    (bad / "module_spec.yml").write_text("name: broken\nversion: 1.0.0\ninput: !!python/object/apply:os.system ['touch PWNED']\n")
    svc.index.refresh()
    assert "bob/broken" not in {m["id"] for m in svc.modules.list("")["items"]}
    assert any("broken" in path for path in svc.index.problems)
    assert not (svc.root / "PWNED").exists()


def test_parse_ref():
    assert parse_ref("mo/mnist_cnn@1.0.0") == ("mo", "mnist_cnn", "1.0.0")
    assert parse_ref("mo/mnist_cnn") == ("mo", "mnist_cnn", None)
    with pytest.raises(BadRequest):
        parse_ref("../x")
