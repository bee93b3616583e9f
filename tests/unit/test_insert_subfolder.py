"""Inserted cells read their module and dataset from the notebook's folder (where the notebook's
kernel runs), also for a notebook below the project root: the dataset cell, then the train code
whose default `datasets/mo-text_zh_en` is that dataset, run there without a FileNotFoundError."""

from __future__ import annotations

import subprocess
import sys

from mo_jupyter.catalog.cells import beside_notebook
from mo_jupyter.catalog.service import CatalogService


def test_beside_notebook():
    assert beside_notebook("work/nlp/datasets/mo-x") == "datasets/mo-x"
    assert beside_notebook("datasets/mo-x") == "datasets/mo-x"
    assert beside_notebook("modules/iris_classifier") == "modules/iris_classifier"


def test_cells_of_a_notebook_in_a_subfolder_run_there(tmp_path):
    root = tmp_path / "project"
    (root / "work/nlp").mkdir(parents=True)
    (root / "work/nlp/nb.ipynb").write_text("{}")
    svc = CatalogService(root, [str(tmp_path / "catalog")], owner="alice")
    data = svc.datasets.insert("mo", "text_zh_en", "work/nlp/nb.ipynb")
    assert data["target"] == "work/nlp/datasets/mo-text_zh_en"
    assert "data_dir = Path('datasets/mo-text_zh_en')" in data["cell"]
    assert "linked read-only at ./datasets/mo-text_zh_en)" in data["cell"]
    train = svc.modules.insert("mo", "text_classifier_bayes", None, "work/nlp/nb.ipynb", "train")
    assert "module copied to ./modules/text_classifier_bayes;" in train["cell"]
    program = "\n".join([data["cell"], train["cell"], "print('ACC', result['accuracy'])"])
    run = subprocess.run([sys.executable, "-c", program], cwd=root / "work/nlp", capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "samples in 4 classes" in run.stdout and "ACC" in run.stdout
    assert (root / "work/nlp/results/bayes_model.json").is_file()
