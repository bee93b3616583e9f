"""The catalog REST API on a real (in-process) server: modules, datasets, uploads, extraction."""

from __future__ import annotations

import io
import zipfile

import pytest

from helpers import assert_user_error


@pytest.fixture
def catalog_dir(tmp_path):
    return tmp_path / "my-catalog"


@pytest.fixture
def mo_config(catalog_dir):
    return {"catalogs": [str(catalog_dir)], "catalog_owner": "alice"}


def zip_bytes(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


async def test_catalog_info_names_the_user_catalog_and_the_builtin(api, catalog_dir):
    r = await api.get("catalog")
    assert r.code == 200, r
    assert r.json["owner"] == "alice"
    assert [(c["name"], c["writable"]) for c in r.json["catalogs"]] == [("user", True), ("builtin", False)]
    assert r.json["catalogs"][0]["path"] == str(catalog_dir)


async def test_search_details_and_insert_a_builtin_module(api, root):
    r = await api.get("modules", params={"q": "iris"})
    assert r.code == 200, r
    assert [m["id"] for m in r.json["items"]] == ["mo/iris_classifier"]
    assert r.json["items"][0]["actions"] == ["predict"]
    detail = await api.get("modules/mo/iris_classifier/1.0.0")
    assert detail.code == 200, detail
    assert detail.json["readme"] and detail.json["class_name"] == "IrisClassifier"
    assert [p["name"] for p in detail.json["spec"]["input"]["predict"]]
    (root / "coding_here.ipynb").write_text("{}")
    done = await api.post("modules/mo/iris_classifier/insert", {"notebook": "coding_here.ipynb"})
    assert done.code == 200, done
    assert done.json["target"] == "modules/iris_classifier" and done.json["copied"]
    assert "from modules.iris_classifier.main import IrisClassifier" in done.json["cell"]
    assert (root / "modules/iris_classifier/main.py").is_file()


async def test_module_errors_are_clear(api, root):
    assert_user_error(await api.get("modules/mo/nope"), 404, mentions="no module 'mo/nope'")
    assert_user_error(await api.get("modules/mo/iris_classifier/9.9.9"), 404, mentions="versions: 1.0.0")
    assert_user_error(await api.get("modules", params={"bogus": "1"}), 400, mentions="bogus")
    r = await api.post("modules/mo/iris_classifier/insert", {"notebook": "nb.ipynb", "action": "fly", "extra": 1})
    message = assert_user_error(r, 400)
    assert "action" in message and "extra" in message
    assert_user_error(await api.post("modules/mo/iris_classifier/insert", {"notebook": "nb.ipynb", "action": "train"}),
                      400, mentions="has no train")
    assert_user_error(await api.post("modules/mo/iris_classifier/insert", {"notebook": "../x/nb.ipynb"}),
                      400, mentions="outside the project root")
    assert_user_error(await api.call("POST", "modules/mo/iris_classifier/insert", raw=b"{not json"), 400,
                      mentions="not valid JSON")


async def test_publish_then_find_the_new_module(api, root):
    folder = root / "my_echo"
    folder.mkdir()
    (folder / "module_spec.yml").write_text(
        "name: my_echo\nversion: 0.1.0\ndes: says it back\ninput:\n  predict:\n    text: {value_type: str, default_value: hi}\n")
    (folder / "main.py").write_text("class MyEcho:\n    def predict(self, conf):\n        return conf\n")
    assert_user_error(await api.post("modules/publish", {"path": "my_echo"}), 400, mentions="README.md is missing")
    (folder / "README.md").write_text("# my_echo\n")
    r = await api.post("modules/publish", {"path": "my_echo", "permission": "public"})
    assert r.code == 201, r
    assert (r.json["id"], r.json["permission"], r.json["catalog"]) == ("alice/my_echo", "public", "user")
    found = await api.get("modules", params={"q": "says back"})
    assert [m["id"] for m in found.json["items"]] == ["alice/my_echo"]
    assert_user_error(await api.post("modules/publish", {"path": "my_echo"}), 409, mentions="already published")


async def test_dataset_lifecycle_with_a_chunked_upload(api, root):
    r = await api.post("datasets", {"name": "sentiment", "purpose": "text_classification", "format": "dir",
                                    "test_set": 0.9, "description": "正面/负面"})
    assert r.code == 201, r
    assert (r.json["id"], r.json["status"], r.json["writable"]) == ("alice/sentiment", "offline", True)
    data = zip_bytes({"sentiment/pos/1.txt": "good", "sentiment/neg/1.txt": "bad"})
    up = await api.post("uploads", {"name": "sentiment.zip", "size": len(data)})
    assert up.code == 201, up
    uid = up.json["id"]
    half = len(data) // 2
    r = await api.call("PUT", f"uploads/{uid}", raw=data[:half], params={"offset": "0"})
    assert r.code == 200 and r.json["received"] == half, r
    assert_user_error(await api.call("PUT", f"uploads/{uid}", raw=data[half:], params={"offset": "0"}), 409,
                      mentions=f"{half} bytes received")
    assert_user_error(await api.post("datasets/alice/sentiment/import", {"upload": uid}), 409, mentions="incomplete")
    r = await api.call("PUT", f"uploads/{uid}", raw=data[half:], params={"offset": str(half)})
    assert r.json["received"] == len(data), r
    r = await api.post("datasets/alice/sentiment/import", {"upload": uid})
    assert r.code == 200, r
    assert r.json["check"]["ok"] and r.json["file_count"] == 2
    assert not (root / ".mo/uploads" / uid).exists()
    assert_user_error(await api.post("datasets/alice/sentiment/insert", {"notebook": "nb.ipynb"}), 409,
                      mentions="offline")
    r = await api.call("PATCH", "datasets/alice/sentiment", body={"status": "online", "permission": "public"})
    assert r.code == 200 and r.json["status"] == "online", r
    r = await api.post("datasets/alice/sentiment/insert", {"notebook": "nb.ipynb"})
    assert r.code == 200, r
    assert r.json["target"] == "datasets/alice-sentiment" and (root / "datasets/alice-sentiment/pos/1.txt").is_file()
    r = await api.delete("datasets/alice/sentiment")
    assert r.code == 204, r
    assert_user_error(await api.get("datasets/alice/sentiment"), 404)


async def test_a_bad_archive_is_refused_naming_the_entry(api, root):
    await api.post("datasets", {"name": "s", "purpose": "other", "format": "dir"})
    data = zip_bytes({"ok/1.txt": "x", "../../evil.txt": "boom"})
    uid = (await api.post("uploads", {"name": "evil.zip", "size": len(data)})).json["id"]
    await api.call("PUT", f"uploads/{uid}", raw=data, params={"offset": "0"})
    assert_user_error(await api.post("datasets/alice/s/import", {"upload": uid}), 400, mentions="../../evil.txt")
    detail = (await api.get("datasets/alice/s")).json
    assert detail["file_count"] == 0
    assert_user_error(await api.post("uploads", {"name": "x.rar", "size": 3}), 400, mentions="not an archive")


async def test_dataset_validation_lists_every_problem_and_builtins_are_read_only(api):
    message = assert_user_error(await api.post("datasets", {"name": "bad name", "purpose": "x", "format": "y"}), 400)
    assert all(word in message for word in ("name", "purpose", "format"))
    assert_user_error(await api.call("PATCH", "datasets/mo/mnist", body={"status": "offline"}), 403,
                      mentions="read-only catalog")
    assert_user_error(await api.delete("datasets/mo/mnist"), 403)
    r = await api.get("datasets", params={"q": "mnist"})
    assert [d["id"] for d in r.json["items"]] == ["mo/mnist"]
    assert r.json["items"][0]["permission"] == "preset"


async def test_extract_an_archive_in_the_project(api, root):
    (root / "star-face.zip").write_bytes(zip_bytes({"star-face/a/1.jpg": "x", "star-face/b/2.jpg": "y"}))
    r = await api.post("archives/extract", {"archive": "star-face.zip"})
    assert r.code == 200, r
    assert r.json == {"dest": "star-face", "files": 2, "bytes": 2}
    assert (root / "star-face/a/1.jpg").read_text() == "x"  # not star-face/star-face/a/1.jpg
    assert_user_error(await api.post("archives/extract", {"archive": "star-face.zip"}), 409)
    (root / "sub").mkdir()
    r = await api.post("archives/extract", {"archive": "star-face.zip", "dest": "sub/star-face"})
    assert r.json["dest"] == "sub/star-face" and (root / "sub/star-face/b/2.jpg").is_file(), r
    r = await api.post("archives/extract", {"archive": "star-face.zip", "dest": "sub/other"})
    assert (root / "sub/other/star-face/b/2.jpg").is_file(), r  # another name keeps the folder
    assert_user_error(await api.post("archives/extract", {"archive": "../x.zip"}), 400)


async def test_every_catalog_endpoint_needs_authentication(jp_fetch, jp_serverapp):
    for method, path, body in (("GET", "modules", None), ("GET", "datasets", None), ("GET", "catalog", None),
                               ("POST", "uploads", b"{}"), ("POST", "archives/extract", b"{}"),
                               ("POST", "modules/publish", b"{}"), ("PATCH", "datasets/mo/mnist", b"{}"),
                               ("DELETE", "datasets/mo/mnist", None), ("PUT", "uploads/" + "0" * 24, b"x")):
        r = await jp_fetch("mo", "api", *path.split("/"), method=method, body=body, raise_error=False,
                           headers={"Authorization": ""})
        assert r.code == 403, (method, path, r.code)
