"""The catalog and export routes against hostile input on a real (in-process) server: a spec bomb in the
catalog, names over 255 bytes, destinations under a file or in a missing folder, oversized metadata.
Each answers a short 4xx (or lists a problem) and the server goes on."""

from __future__ import annotations

import sys
from pathlib import Path

from helpers import assert_user_error
from test_catalog_api import catalog_dir, mo_config, zip_bytes  # noqa: F401  (fixtures)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_loaders import anchor_bomb  # noqa: E402

LONG = "n" * 300  # one path segment over NAME_MAX (255 bytes)


def short_error(reply, *codes) -> str:
    message = assert_user_error(reply, *codes)
    assert len(reply.body) < 2048, len(reply.body)
    return message


async def test_a_spec_bomb_in_the_catalog_leaves_the_server_answering(api, catalog_dir):
    bomb = catalog_dir / "datasets/alice/bomb"
    bomb.mkdir(parents=True)
    (bomb / "dataset.yml").write_text(anchor_bomb())
    module = catalog_dir / "modules/alice/bomb/1.0.0"
    module.mkdir(parents=True)
    (module / "module_spec.yml").write_text(anchor_bomb())
    r = await api.get("datasets")
    assert r.code == 200, r
    assert "alice/bomb" not in [d["id"] for d in r.json["items"]]
    r = await api.get("modules", params={"q": "iris"})
    assert r.code == 200 and [m["id"] for m in r.json["items"]] == ["mo/iris_classifier"], r
    short_error(await api.get("datasets/alice/bomb"), 404)


async def test_names_over_255_bytes_are_a_4xx_on_every_catalog_and_export_route(api, root):
    (root / "nb.ipynb").write_text("{}")
    (root / "a.zip").write_bytes(zip_bytes({"x.txt": "x"}))
    for method, path, body in [
        ("GET", f"datasets/alice/{LONG}", None),
        ("GET", f"modules/{LONG}/x", None),
        ("GET", f"modules/mo/iris_classifier/{LONG}", None),
        ("POST", "modules/mo/iris_classifier/insert", {"notebook": f"{LONG}/nb.ipynb"}),
        ("POST", "datasets/mo/iris/insert", {"notebook": f"{LONG}/nb.ipynb"}),
        ("POST", "modules/publish", {"path": LONG}),
        ("POST", "archives/extract", {"archive": "a.zip", "dest": f"{LONG}/x"}),
        ("POST", "archives/extract", {"archive": f"{LONG}.zip"}),
        ("POST", "export", {"path": "nb.ipynb", "out": f"{LONG}.py"}),
        ("POST", "export", {"path": f"{LONG}.ipynb"}),
        ("PUT", f"uploads/{LONG}?offset=0", None),
        ("DELETE", f"uploads/{LONG}", None),
    ]:
        raw = b"x" if method == "PUT" else None
        r = await api.call(method, path, body=body, raw=raw)
        short_error(r)


async def test_destinations_under_a_file_or_in_a_missing_folder(api, root):
    (root / "a.zip").write_bytes(zip_bytes({"x.txt": "x"}))
    (root / "file.txt").write_text("a file")
    message = short_error(await api.post("archives/extract", {"archive": "a.zip", "dest": "file.txt/out"}), 400)
    assert "is a file" in message
    (root / "nb.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    message = short_error(await api.post("export", {"path": "nb.ipynb", "out": "missing/nb.py"}), 404)
    assert "missing" in message
    short_error(await api.post("export", {"path": "nb.ipynb", "out": "file.txt/nb.py"}), 404)


async def test_metadata_too_big_to_load_again_is_refused_and_the_dataset_stays(api):
    huge = "d" * (300 * 1024)  # past description's maxLength, within the server's body limit
    short_error(await api.post("datasets", {"name": "big", "purpose": "other", "format": "csv",
                                            "description": huge}), 400)
    short_error(await api.post("datasets", {"name": "big", "purpose": "other", "format": "csv",
                                            "description": huge * 4}), 400, 413)  # the 1.1 MiB
    r = await api.post("datasets", {"name": "ok", "purpose": "other", "format": "csv"})
    assert r.code == 201, r
    short_error(await api.call("PATCH", "datasets/alice/ok", body={"description": huge}), 400)
    r = await api.get("datasets/alice/ok")
    assert r.code == 200 and r.json["description"] == "", r
