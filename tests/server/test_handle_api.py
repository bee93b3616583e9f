"""The deploy wizard's REST API: template, scan (parsing only), generate handler.py + app_spec.yml."""

from __future__ import annotations

import nbformat
import yaml

from helpers import assert_user_error

HANDLE = '''def handle(conf):
    x = conf['x']  # value_type: float # description: a number
    mode = conf.get('mode', 'fast')  # value_type: str
    return {'y': x * 2}  # value_type: float
'''


def notebook(root, name="app.ipynb", extra=()):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import math"), nbformat.v4.new_markdown_cell("# text"),
                *[nbformat.v4.new_code_cell(c) for c in extra], nbformat.v4.new_code_cell(HANDLE)]
    nbformat.write(nb, str(root / name))
    return name


async def test_template_parses_cleanly(api, root):
    r = await api.get("handle/template")
    assert r.code == 200 and "def handle(conf)" in r.json["source"], r
    (root / "t.py").write_text(r.json["source"])
    scan = await api.post("handle/scan", {"path": "t.py"})
    assert scan.code == 200, scan
    assert [p for p in scan.json["problems"] if p["severity"] == "error"] == []
    assert scan.json["spec"]["input"] and scan.json["spec"]["output"]


async def test_scan_a_notebook_never_runs_it(api, root):
    name = notebook(root, extra=["import os\nos.system('touch PWNED')"])
    r = await api.post("handle/scan", {"path": name})
    assert r.code == 200, r
    spec = r.json["spec"]
    assert spec["input"]["x"]["value_type"] == "float"
    assert spec["input"]["mode"]["default_value"] == "fast"
    assert spec["output"]["y"]["value_type"] == "float"
    assert r.json["handle_cell"] == 3
    assert not (root / "PWNED").exists()


async def test_generate_writes_both_files_and_asks_before_replacing(api, root):
    name = notebook(root)
    r = await api.post("handle/generate", {"notebook": name})
    assert r.code == 200, r
    assert "def handle(conf)" in (root / "handler.py").read_text()
    spec = yaml.safe_load((root / "app_spec.yml").read_text())
    assert spec["input"]["x"]["value_type"] == "float"
    assert_user_error(await api.post("handle/generate", {"notebook": name}), 409)
    edited = {"input": {"x": {"value_type": "float", "value_range": "0-10"}}, "output": {"y": {"value_type": "float"}}}
    r = await api.post("handle/generate", {"notebook": name, "spec": edited, "overwrite": True,
                                           "handler": "def handle(conf):\n    return {'y': 1}\n"})
    assert r.code == 200, r
    assert yaml.safe_load((root / "app_spec.yml").read_text())["input"]["x"]["value_range"] == "0-10"
    assert "return {'y': 1}" in (root / "handler.py").read_text()


async def test_bad_requests_are_clear(api, root):
    name = notebook(root)
    assert_user_error(await api.post("handle/scan", {"path": "../x.ipynb"}), 400, mentions="outside")
    assert_user_error(await api.post("handle/scan", {"path": name, "cells": [-1]}), 400)
    assert_user_error(await api.post("handle/scan", {"path": name, "bogus": 1}), 400, mentions="bogus")
    (root / "notes.txt").write_text("x")
    assert_user_error(await api.post("handle/scan", {"path": "notes.txt"}), 400, mentions="neither")
    (root / "broken.ipynb").write_text("{not json")
    assert_user_error(await api.post("handle/scan", {"path": "broken.ipynb"}), 400, mentions="not a readable notebook")
    bad_spec = {"input": {"x": {"value_type": "double"}}, "output": {}}
    assert_user_error(await api.post("handle/generate", {"notebook": name, "spec": bad_spec}), 400,
                      mentions="value_type")
    (root / "nohandle.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    assert_user_error(await api.post("handle/generate", {"notebook": "nohandle.ipynb"}), 400, mentions="handle")


async def test_scan_names_the_files_the_handle_reads(api, root):
    (root / "results").mkdir(exist_ok=True)
    (root / "results" / "my_model.keras").write_text("m")
    (root / "results" / "history.csv").write_text("h")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (
        "import pickle\nimport pandas as pd\n",
        "pd.read_csv('results/history.csv').plot()\n",
        "model = pickle.load(open('results/my_model.keras', 'rb'))\n",
        "def handle(conf):\n    return {'y': model(conf['x'])}  # value_type: float\n")]
    nbformat.write(nb, str(root / "files.ipynb"))
    r = await api.post("handle/scan", {"path": "files.ipynb"})
    assert r.code == 200, r
    assert [c["index"] for c in r.json["cells"] if c["selected"]] == [0, 2, 3]
    assert r.json["files"] == ["results/my_model.keras"]


async def test_scan_of_the_edited_handler_is_what_the_wizard_parses(api, root):
    (root / "results").mkdir(exist_ok=True)
    (root / "results" / "other.bin").write_text("o")
    name = notebook(root, name="edited.ipynb")
    edited = ("import pickle\nm = pickle.load(open('results/other.bin', 'rb'))\n\n"
              "def handle(conf):\n    size = conf['size']  # value_type: int\n"
              "    return {'y': size}  # value_type: int\n")
    r = await api.post("handle/scan", {"path": name, "source": edited})
    assert r.code == 200, r
    assert list(r.json["spec"]["input"]) == ["size"] and r.json["spec"]["input"]["size"]["value_type"] == "int"
    assert r.json["files"] == ["results/other.bin"] and r.json["cells"] == []
    broken = await api.post("handle/scan", {"path": name, "source": "def handle(conf):\n    return {\n"})
    assert broken.code == 200, broken
    assert [p["message"] for p in broken.json["problems"]][0].startswith("syntax error in handler.py")
    assert_user_error(await api.post("handle/scan", {"path": name, "source": edited, "cells": [0]}), 400,
                      mentions="source")
    # generate checks the edited text, not the cells: two handles in it are an error when no spec is sent
    two = "def handle(conf):\n    return {}\n\ndef handle(conf):\n    return {}\n"
    assert_user_error(await api.post("handle/generate", {"notebook": name, "handler": two}), 400,
                      mentions="2 def handle in handler.py")
    ok = await api.post("handle/generate", {"notebook": name, "handler": edited, "overwrite": True})
    assert ok.code == 200, ok
    assert list(ok.json["spec"]["input"]) == ["size"] and (root / "handler.py").read_text() == edited
