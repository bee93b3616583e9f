"""The deploy wizard's defaults, read statically: the cells the handle needs (not every cell with an
import, not the training cells) and the files it reads (path literals that exist in the project)."""

import ast
import json
import os
import textwrap
from pathlib import Path

from mo_jupyter.handle.parse import scan_notebook
from mo_jupyter.handle.service import HandleService
from mo_jupyter.handle.uses import existing_files, path_literals

DEMO = Path(__file__).resolve().parents[2] / "mo_jupyter" / "templates" / "mnist" / "deploy_mnist.ipynb"


def nb(*sources):
    return {"nbformat": 4, "nbformat_minor": 4, "metadata": {},
            "cells": [{"cell_type": "code", "source": textwrap.dedent(s), "metadata": {}, "outputs": [],
                       "execution_count": None} for s in sources]}


def selected(book):
    return [c["index"] for c in scan_notebook(book)["cells"] if c["selected"]]


TRAINING = nb(
    "import numpy as np\nimport keras\nfrom PIL import Image\n",                       # 0: needed
    "import matplotlib.pyplot as plt\n",                                                # 1: unused import
    "data = np.load('datasets/mnist.npz')\nx, y = data['x'], data['y']\n",             # 2: training data
    "model = keras.Sequential([keras.layers.Dense(10)])\nmodel.compile('adam')\n"
    "history = model.fit(x, y, epochs=3)\nmodel.save('results/my_model.keras')\n",     # 3: trains
    "for epoch in range(3):\n    model.fit(x, y)\nplt.plot(history.history['loss'])\n",  # 4: trains
    "SIZE = 28\n",                                                                      # 5: a constant
    "def prepare(img):\n    return np.asarray(Image.open(img).resize((SIZE, SIZE)))\n",  # 6: a helper
    "model = keras.saving.load_model('results/my_model.keras')\n",                      # 7: loads
    "img = 'not this one'\n",                                                           # 8: a global named like a local
    """
    def handle(conf):
        img = conf['img']  # value_type: img
        return {'digit': int(model.predict(prepare(img)).argmax())}  # value_type: int
    """,                                                                                # 9: the handle
    "print(handle({'img': 'x.png'}))\n",                                                # 10: a try-out
)


def test_training_cells_are_not_selected():
    assert selected(TRAINING) == [0, 5, 6, 7, 9]


def test_an_import_repeated_in_a_training_cell_comes_from_the_clean_cell():
    book = nb("import keras\n", "import keras\nmodel = keras.Sequential([])\nmodel.fit([], [])\n",
              "def handle(conf):\n    return {'v': keras.__version__}  # value_type: str\n")
    assert selected(book) == [0, 2]


def test_a_binding_only_in_a_training_cell_brings_that_cell():
    book = nb("import keras\n", "model = keras.Sequential([])\nmodel.fit([], [])\n", "x = 1\n",
              "def handle(conf):\n    return {'v': str(model)}  # value_type: str\n")
    assert selected(book) == [0, 1, 3]


def test_the_last_binding_before_the_handle_wins_and_names_are_followed_transitively():
    book = nb("import math\n", "SCALE = 1\n", "SCALE = math.pi\n", "class Net:\n    k = SCALE\n",
              "def helper():\n    return Net.k\n", "def handle(conf):\n    return {'v': helper()}  # value_type: float\n",
              "SCALE = 3\n")
    assert selected(book) == [0, 2, 3, 4, 5]


def test_a_helper_defined_after_the_handle_is_found():
    book = nb("def handle(conf):\n    return {'v': later()}  # value_type: int\n", "print(1)\n",
              "def later():\n    return 1\n")
    assert selected(book) == [0, 2]


def test_without_a_handle_every_import_cell_is_selected_as_before():
    book = nb("import os\n", "x = 1\n", "from math import pi\n")
    assert selected(book) == [0, 2]


def test_the_demo_notebook():
    book = json.loads(DEMO.read_text())
    r = scan_notebook(book)
    assert r["handle_cell"] == 2 and [c["index"] for c in r["cells"] if c["selected"]] == [1, 2]
    assert "results/my_model.keras" in r["path_literals"]


def test_path_literals():
    tree = ast.parse(textwrap.dedent("""
        import os
        from pathlib import Path
        a = 'results/a.keras'
        b = os.path.join('results', 'b.npz')
        c = Path('results') / 'sub' / 'c.bin'
        d = Path('models', 'd.pt')
        e = os.path.join(folder, 'not.bin')
        f = Path(base) / 'nor.bin'
    """))
    found = path_literals([tree])
    for want in ("results/a.keras", "results/b.npz", "results/sub/c.bin", "models/d.pt"):
        assert want in found
    assert "not.bin" in found and not any(p.endswith("/not.bin") or p.endswith("/nor.bin") for p in found)


def test_existing_files_only_inside_the_project(tmp_path):
    root = tmp_path / "proj"
    (root / "app" / "results").mkdir(parents=True)
    (root / "app" / "results" / "m.keras").write_text("m")
    (root / "app" / ".mo").mkdir()
    (root / "app" / ".mo" / "secret").write_text("s")
    (root / "shared.txt").write_text("s")
    (tmp_path / "outside.txt").write_text("o")
    os.symlink(tmp_path / "outside.txt", root / "app" / "link.txt")
    literals = ["results/m.keras", "results", "missing.bin", ".mo/secret", "../shared.txt", "../../outside.txt",
                "link.txt", ".", "", str(tmp_path / "outside.txt"), "digit", "a\0b"]
    assert existing_files(root, "app", literals) == ["app/results", "app/results/m.keras"]
    assert existing_files(root, "", ["app/results/m.keras", "shared.txt", "app/.mo/secret"]) == [
        "app/results/m.keras", "shared.txt"]


def test_scan_reports_the_files_the_handle_reads(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "my_model.keras").write_text("m")
    (tmp_path / "results" / "other.keras").write_text("o")
    (tmp_path / "nb.ipynb").write_text(json.dumps(TRAINING))
    r = HandleService(tmp_path).scan("nb.ipynb")
    assert r["files"] == ["results/my_model.keras"]  # datasets/mnist.npz: a training cell's, and missing
    (tmp_path / "h.py").write_text("import numpy\nW = numpy.load('results/other.keras')\n"
                                   "def handle(conf):\n    return {'y': 1}  # value_type: int\n")
    assert HandleService(tmp_path).scan("h.py")["files"] == ["results/other.keras"]
