"""New module (scaffold.py) and a published module's life for its owner (module_admin.py): edit,
offline / online, permission, withdraw; refusals for built-in modules and other owners (no server)."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import pytest
import yaml

from mo_jupyter.catalog.roots import BUILTIN_PATH
from mo_jupyter.catalog.specs import load_module_spec
from mo_jupyter.cli.main import main
from mo_jupyter.errors import BadRequest, Conflict, Forbidden, NotFound

from .catalog_fixtures import make_service, write_module

FORM = {
    "name": "word_counter", "folder": "work", "description": "Counts words", "tags": ["text"],
    "actions": ["predict", "train"],
    "inputs": {"predict": [{"name": "text", "value_type": "str", "default_value": "a b c",
                            "description": "the text"},
                           {"name": "top", "value_type": "int", "default_value": 3}],
               "train": [{"name": "epochs", "value_type": "int", "default_value": 2},
                         {"name": "rate", "value_type": "float", "default_value": 0.5}]},
    "outputs": {"predict": [{"name": "label", "value_type": "str"},
                            {"name": "scores", "value_type": "[float]"}]},
}


@pytest.fixture
def alice(tmp_path):
    return make_service(tmp_path, owner="alice", builtin=BUILTIN_PATH)


@pytest.fixture
def bob(tmp_path, alice):
    return make_service(tmp_path, owner="bob", builtin=BUILTIN_PATH)  # the same catalogs, another owner


def import_main(path: Path):
    spec = importlib.util.spec_from_file_location(f"scaffolded_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def published(svc, name="echo", versions=("1.0.0",), permission="public"):
    for v in versions:
        folder = write_module(svc.root, "x", name, v)  # a project folder <root>/modules/x/<name>/<v>
        svc.modules.publish(folder.relative_to(svc.root).as_posix(), permission)
    return f"{svc.catalogs.owner}/{name}"


# ---- New module -------------------------------------------------------------------------------
def test_new_module_is_valid_publishable_and_its_stubs_run(alice):
    made = alice.modules.new(FORM)
    assert made["path"] == "work/word_counter" and made["class_name"] == "WordCounter"
    folder = alice.root / "work/word_counter"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "main.py", "module_spec.yml"]
    spec = load_module_spec(folder / "module_spec.yml")  # the schema and the bounded loader
    assert [p["name"] for p in spec["input"]["predict"]] == ["text", "top"]
    assert spec["input"]["train"][1]["default_value"] == 0.5
    readme = (folder / "README.md").read_text()
    assert readme.startswith("# word_counter\n\nCounts words") and "| `top` | int | `3` |" in readme
    assert alice.modules.check_folder(folder)[1] == []

    detail = alice.modules.publish("work/word_counter", "public")
    assert (detail["id"], detail["version"], detail["actions"]) == ("alice/word_counter", "0.1.0", ["predict", "train"])
    done = alice.modules.insert("alice", "word_counter", None, "nb.ipynb", "predict")
    module = import_main(alice.root / done["target"] / "main.py")
    model = module.WordCounter()
    assert model.predict({"text": "x", "top": 1}) == {"label": "", "scores": []}
    assert model.train({}) == {"epochs": 2, "rate": 0.5}


def test_a_toolkit_with_run_and_no_parameters_is_valid_too(alice):
    alice.modules.new({"name": "Tool2", "actions": ["run"]})
    spec = load_module_spec(alice.root / "Tool2/module_spec.yml")
    assert spec["category"] == "toolkit" and spec["input"] == {"run": []} and spec["output"] == {"run": []}
    assert alice.modules.publish("Tool2")["actions"] == ["run"]
    assert import_main(alice.root / "Tool2/main.py").Tool2().run({}) == {}


@pytest.mark.parametrize("change, words", [
    ({"name": "1abc"}, "name"), ({"name": "my-mod"}, "name"), ({"name": "class"}, "keyword"),
    ({"actions": []}, "actions"), ({"actions": ["predict"]}, "train"),
    ({"inputs": {"predict": [{"name": "top", "value_type": "int", "default_value": "3"}]}}, "not a int"),
    ({"inputs": {"predict": [{"name": "flag", "value_type": "bool", "default_value": 1}]}}, "not a bool"),
    ({"inputs": {"predict": [{"name": "n", "value_type": "int", "default_value": True}]}}, "not a int"),
    ({"inputs": {"predict": [{"name": "a", "value_type": "str"}, {"name": "a", "value_type": "int"}]}}, "twice"),
    ({"inputs": {"predict": [{"name": "conf", "value_type": "str"}]}}, "conf"),
    ({"inputs": {"predict": [{"name": "lambda", "value_type": "str"}]}}, "keyword"),
    ({"folder": "../outside"}, "outside the project"),
    ({"version": "1.0"}, "version"),
])
def test_a_bad_form_is_a_400_that_says_why_and_writes_nothing(alice, change, words):
    with pytest.raises(BadRequest) as err:
        alice.modules.new({**FORM, **change})
    assert words in err.value.message
    assert not (alice.root / "work").exists() or not any((alice.root / "work").iterdir())


def test_an_existing_folder_is_a_409_and_is_left_alone(alice):
    (alice.root / "work/word_counter").mkdir(parents=True)
    (alice.root / "work/word_counter/notes.txt").write_text("mine")
    with pytest.raises(Conflict):
        alice.modules.new(FORM)
    assert [p.name for p in (alice.root / "work/word_counter").iterdir()] == ["notes.txt"]
    assert [p.name for p in (alice.root / "work").iterdir()] == ["word_counter"]  # no staging left


# ---- edit ---------------------------------------------------------------------------------------
def test_the_owner_edits_one_version_and_the_spec_still_loads(alice):
    mid = published(alice, versions=("1.0.0", "1.1.0"))
    detail = alice.modules.update("alice", "echo", "1.0.0", {"description": "Better words", "tags": ["a", "b"],
                                                            "category": "toolkit", "readme": "# Echo\n\nnew"})
    assert (detail["version"], detail["description"], detail["tags"]) == ("1.0.0", "Better words", ["a", "b"])
    assert detail["category"] == "toolkit" and detail["readme"] == "# Echo\n\nnew"
    path = alice.catalogs.user.modules() / mid / "1.0.0"
    raw = yaml.safe_load((path / "module_spec.yml").read_text())
    assert raw["description"] == "Better words" and "des" not in raw
    assert load_module_spec(path / "module_spec.yml")["input"]["predict"][0]["description"] == "what to echo"
    assert alice.modules.get("alice", "echo", "1.1.0")["description"] == "An echo module"  # the other one
    assert [m["id"] for m in alice.modules.list("better")["items"]] == []  # search reads the latest
    alice.modules.update("alice", "echo", None, {"tags": ["everywhere"]})
    assert all(alice.modules.get("alice", "echo", v)["tags"] == ["everywhere"] for v in ("1.0.0", "1.1.0"))


@pytest.mark.parametrize("changes", [{}, {"category": "nope"}, {"name": "other"}, {"version": "9.9.9"},
                                     {"status": "gone"}, {"permission": "preset"}, {"tags": "a"}])
def test_a_bad_edit_is_a_400(alice, changes):
    published(alice)
    with pytest.raises(BadRequest):
        alice.modules.update("alice", "echo", "1.0.0", changes)


def test_built_in_and_other_owners_modules_are_refused_with_403(alice, bob):
    published(alice)
    with pytest.raises(Forbidden, match="read-only catalog 'builtin'"):
        alice.modules.update("mo", "iris_classifier", "1.0.0", {"status": "offline"})
    with pytest.raises(Forbidden, match="read-only catalog 'builtin'"):
        alice.modules.withdraw("mo", "iris_classifier", "1.0.0")
    for call in (lambda: bob.modules.update("alice", "echo", "1.0.0", {"description": "mine now"}),
                 lambda: bob.modules.update("alice", "echo", None, {"status": "offline"}),
                 lambda: bob.modules.withdraw("alice", "echo", "1.0.0")):
        with pytest.raises(Forbidden, match="belongs to 'alice'"):
            call()
    assert alice.modules.get("alice", "echo")["description"] == "An echo module"
    with pytest.raises(NotFound):
        alice.modules.update("alice", "nosuch", "1.0.0", {"status": "offline"})
    with pytest.raises(NotFound):
        alice.modules.update("alice", "echo", "7.0.0", {"status": "offline"})


# ---- offline / online, permission ---------------------------------------------------------------
def test_offline_hides_a_module_from_the_others_but_not_from_its_owner(alice, bob):
    published(alice)
    assert bob.modules.get("alice", "echo")["status"] == "online"
    detail = alice.modules.update("alice", "echo", None, {"status": "offline"})
    assert detail["status"] == "offline" and detail["writable"] is True
    bob.index.refresh()
    assert "alice/echo" not in [m["id"] for m in bob.modules.list()["items"]]
    with pytest.raises(NotFound):
        bob.modules.get("alice", "echo")
    with pytest.raises(NotFound):
        bob.modules.insert("alice", "echo", "1.0.0", "nb.ipynb")
    mine = [m for m in alice.modules.list("echo")["items"] if m["id"] == "alice/echo"][0]
    assert mine["status"] == "offline"
    assert alice.modules.insert("alice", "echo", None, "nb.ipynb")["copied"]  # the owner may still try it
    alice.modules.update("alice", "echo", None, {"status": "online"})
    bob.index.refresh()
    assert bob.modules.get("alice", "echo")["status"] == "online"


def test_one_version_offline_leaves_the_others_visible(alice, bob):
    published(alice, versions=("1.0.0", "2.0.0"))
    alice.modules.update("alice", "echo", "2.0.0", {"status": "offline"})
    bob.index.refresh()
    seen = bob.modules.get("alice", "echo")
    assert (seen["version"], seen["versions"]) == ("1.0.0", ["1.0.0"])
    assert alice.modules.get("alice", "echo")["versions"] == ["2.0.0", "1.0.0"]


def test_private_shows_a_module_to_its_owner_only(alice, bob):
    published(alice, permission="public")
    assert alice.modules.update("alice", "echo", "1.0.0", {"permission": "private"})["permission"] == "private"
    bob.index.refresh()
    with pytest.raises(NotFound):
        bob.modules.get("alice", "echo")
    alice.modules.update("alice", "echo", "1.0.0", {"permission": "public"})
    bob.index.refresh()
    assert bob.modules.get("alice", "echo")["permission"] == "public"


def test_concurrent_changes_of_one_module_are_all_kept(alice):
    published(alice)
    errors = []

    def change(body):
        try:
            alice.modules.update("alice", "echo", "1.0.0", body)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    for _ in range(10):
        threads = [threading.Thread(target=change, args=(b,)) for b in
                   ({"status": "offline"}, {"permission": "private"}, {"description": "d"})]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        detail = alice.modules.get("alice", "echo")
        assert (detail["status"], detail["permission"], detail["description"]) == ("offline", "private", "d")
        alice.modules.update("alice", "echo", "1.0.0", {"status": "online", "permission": "public", "description": ""})
    assert not errors


# ---- withdraw -----------------------------------------------------------------------------------
def test_withdraw_a_version_then_the_last_removes_the_module_and_inserted_copies_stay(alice):
    published(alice, versions=("1.0.0", "1.1.0"))
    copy = alice.root / alice.modules.insert("alice", "echo", "1.1.0", "nb.ipynb")["target"]
    done = alice.modules.withdraw("alice", "echo", "1.1.0")
    assert done == {"id": "alice/echo", "withdrawn": "1.1.0", "versions": ["1.0.0"], "removed": False}
    assert alice.modules.get("alice", "echo")["versions"] == ["1.0.0"]
    with pytest.raises(NotFound):
        alice.modules.get("alice", "echo", "1.1.0")
    assert alice.modules.withdraw("alice", "echo", "1.0.0")["removed"] is True
    assert not (alice.catalogs.user.modules() / "alice/echo").exists()
    with pytest.raises(NotFound):
        alice.modules.get("alice", "echo")
    assert (copy / "main.py").is_file()
    assert import_main(copy / "main.py").Echo().predict({"a": 1})["version"] == "1.1.0"
    with pytest.raises(BadRequest):
        alice.modules.withdraw("alice", "echo", "")
    assert alice.modules.publish("modules/x/echo/1.0.0")["versions"] == ["1.0.0"]  # it may come back


def test_cli_new_publish_offline_withdraw(tmp_path, monkeypatch, capsys):
    project = tmp_path / "p"
    project.mkdir()
    monkeypatch.chdir(project)
    cat = ["--catalog", str(tmp_path / "cat")]
    assert main(["module", "new", "wc", "--action", "predict", "--input", "predict:n:int=3",
                 "--input", "predict:words:[str]=[\"a\"]", "--output", "predict:count:int", *cat, "--owner", "al"]) == 0
    assert "class Wc" in capsys.readouterr().out
    assert load_module_spec(project / "wc/module_spec.yml")["input"]["predict"][1]["default_value"] == ["a"]
    assert main(["module", "new", "wc", *cat, "--owner", "al"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["module", "publish", "wc", "--permission", "public", *cat, "--owner", "al"]) == 0
    assert main(["module", "offline", "al/wc", *cat, "--owner", "al"]) == 0
    assert "offline" in capsys.readouterr().out
    assert main(["module", "list", "wc", *cat, "--owner", "bo"]) == 0
    assert "0 module(s)" in capsys.readouterr().out
    assert main(["module", "online", "al/wc@0.1.0", *cat, "--owner", "al"]) == 0
    assert main(["module", "edit", "al/wc@0.1.0", "--description", "counts", "--tag", "t", *cat, "--owner", "al"]) == 0
    assert main(["module", "permission", "al/wc", "private", *cat, "--owner", "al"]) == 0
    capsys.readouterr()
    assert main(["module", "show", "al/wc", *cat, "--owner", "al"]) == 0
    assert "counts" in capsys.readouterr().out
    assert main(["module", "withdraw", "al/wc@0.1.0", *cat, "--owner", "bo"]) == 2  # private: not found
    assert main(["module", "withdraw", "al/wc", *cat, "--owner", "al"]) == 2
    assert "name the version" in capsys.readouterr().err
    assert main(["module", "withdraw", "al/wc@0.1.0", *cat, "--owner", "al"]) == 0
    assert "the module is gone" in capsys.readouterr().out
