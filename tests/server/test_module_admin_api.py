"""New module and a published module's life over REST: POST modules/new, PATCH and DELETE
modules/<owner>/<name>[/<version>]; 400 / 403 / 404 / 409 with a message."""

from __future__ import annotations

import importlib.util

import pytest
import yaml

from helpers import assert_user_error


@pytest.fixture
def catalog_dir(tmp_path):
    return tmp_path / "my-catalog"


@pytest.fixture
def mo_config(catalog_dir):
    folder = catalog_dir / "modules/bob/shared_tool/1.0.0"  # bob's public module in alice's catalog folder
    folder.mkdir(parents=True)
    (folder / "module_spec.yml").write_text("name: shared_tool\nversion: 1.0.0\ninput: {run: {}}\n")
    (folder / "main.py").write_text("class SharedTool:\n    def run(self, conf):\n        return {}\n")
    (folder / "README.md").write_text("# shared_tool\n")
    return {"catalogs": [str(catalog_dir)], "catalog_owner": "alice"}


FORM = {"name": "greeter", "folder": "mods", "description": "Says hello", "actions": ["predict"],
        "inputs": {"predict": [{"name": "who", "value_type": "str", "default_value": "world"}]},
        "outputs": {"predict": [{"name": "greeting", "value_type": "str"}]}}


async def patch(api, path, body):
    return await api.call("PATCH", path, body=body)


async def test_new_then_publish_then_insert_and_predict(api, root):
    r = await api.post("modules/new", FORM)
    assert r.code == 201, r
    assert r.json["main"] == "mods/greeter/main.py" and r.json["class_name"] == "Greeter"
    assert yaml.safe_load((root / "mods/greeter/module_spec.yml").read_text())["name"] == "greeter"
    assert_user_error(await api.post("modules/new", FORM), 409, mentions="already exists")
    assert_user_error(await api.post("modules/new", {**FORM, "name": "bad-name"}), 400, mentions="name")
    assert_user_error(await api.post("modules/new", {**FORM, "name": "def"}), 400, mentions="keyword")
    assert_user_error(await api.post("modules/new", {**FORM, "folder": "../x"}), 400, mentions="outside")

    published = await api.post("modules/publish", {"path": "mods/greeter", "permission": "public"})
    assert published.code == 201, published
    assert (published.json["status"], published.json["writable"]) == ("online", True)
    (root / "nb.ipynb").write_text("{}")
    done = await api.post("modules/alice/greeter/insert", {"notebook": "nb.ipynb"})
    assert done.code == 200, done
    assert "from modules.greeter.main import Greeter" in done.json["cell"]
    spec = importlib.util.spec_from_file_location("greeter_main", root / done.json["target"] / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.Greeter().predict({"who": "you"}) == {"greeting": ""}


async def test_owner_edits_sets_offline_private_and_withdraws(api, root):
    assert (await api.post("modules/new", FORM)).code == 201
    assert (await api.post("modules/publish", {"path": "mods/greeter", "permission": "public"})).code == 201
    r = await patch(api, "modules/alice/greeter/0.1.0", {"description": "Hi there", "tags": ["hello"],
                                                         "readme": "# greeter\n\nedited"})
    assert r.code == 200, r
    assert (r.json["description"], r.json["tags"], r.json["readme"]) == ("Hi there", ["hello"], "# greeter\n\nedited")
    r = await patch(api, "modules/alice/greeter", {"status": "offline"})
    assert r.code == 200 and r.json["status"] == "offline", r
    listed = await api.get("modules", params={"q": "greeter"})
    assert [(m["id"], m["status"]) for m in listed.json["items"]] == [("alice/greeter", "offline")]
    r = await patch(api, "modules/alice/greeter/0.1.0", {"permission": "private", "status": "online"})
    assert (r.json["permission"], r.json["status"]) == ("private", "online"), r
    assert_user_error(await patch(api, "modules/alice/greeter/0.1.0", {"status": "gone"}), 400, mentions="status")
    assert_user_error(await patch(api, "modules/alice/greeter/0.1.0", {}), 400)
    assert_user_error(await patch(api, "modules/alice/greeter/0.1.0", {"name": "x"}), 400, mentions="name")
    assert_user_error(await patch(api, "modules/alice/greeter/9.9.9", {"status": "online"}), 404, mentions="9.9.9")
    assert_user_error(await api.delete("modules/alice/greeter"), 400, mentions="version")
    r = await api.delete("modules/alice/greeter/0.1.0")
    assert r.code == 200 and r.json == {"id": "alice/greeter", "withdrawn": "0.1.0", "versions": [], "removed": True}, r
    assert_user_error(await api.get("modules/alice/greeter"), 404)
    assert_user_error(await api.delete("modules/alice/greeter/0.1.0"), 404)


async def test_built_in_and_other_owners_modules_are_403(api, catalog_dir):
    assert_user_error(await patch(api, "modules/mo/iris_classifier/1.0.0", {"status": "offline"}), 403,
                      mentions="read-only")
    assert_user_error(await api.delete("modules/mo/iris_classifier/1.0.0"), 403, mentions="read-only")
    folder = catalog_dir / "modules/bob/shared_tool/1.0.0"
    assert (await api.get("modules/bob/shared_tool")).code == 200
    assert_user_error(await patch(api, "modules/bob/shared_tool/1.0.0", {"status": "offline"}), 403,
                      mentions="belongs to 'bob'")
    assert_user_error(await api.delete("modules/bob/shared_tool/1.0.0"), 403, mentions="belongs to 'bob'")
    assert (folder / "main.py").is_file()
