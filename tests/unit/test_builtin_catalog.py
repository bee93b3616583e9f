"""The built-in read-only catalog shipped in the package (mo_jupyter/catalog/builtin/): every spec
loads with the schemas, every module's main.py has the class and methods its spec promises, and
the NumPy modules work the way an inserted cell uses them (a copy in <project>/modules/<name>/,
imported in a fresh interpreter whose cwd is the project)."""

from __future__ import annotations

import ast
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mo_jupyter.catalog.specs import load_dataset_spec, load_module_spec

BUILTIN = Path(__file__).resolve().parents[2] / "mo_jupyter" / "catalog" / "builtin"
MODULE_DIRS = sorted(p.parent for p in BUILTIN.glob("modules/*/*/*/module_spec.yml"))
DATASET_DIRS = sorted(p.parent for p in BUILTIN.glob("datasets/*/*/dataset.yml"))
SECTION_METHODS = {"train": "train", "predict": "predict", "run": "run"}


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def run_in_project(project: Path, code: str, timeout: int = 120) -> dict:
    """Run `code` as an inserted cell would (cwd = the project, which is on sys.path); its last
    stdout line is JSON."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, '.')\n{code}"],
                          cwd=project, capture_output=True, text=True, timeout=timeout,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"stdout": proc.stdout, "result": json.loads(proc.stdout.strip().splitlines()[-1])}


def insert_module(project: Path, name: str) -> Path:
    target = project / "modules" / name
    shutil.copytree(BUILTIN / "modules" / "mo" / name / "1.0.0", target)
    return target


def test_the_builtin_tree_has_the_three_modules_and_three_datasets():
    assert [f"{d.parts[-3]}/{d.parts[-2]}@{d.parts[-1]}" for d in MODULE_DIRS] == [
        "mo/iris_classifier@1.0.0", "mo/mnist_cnn@1.0.0", "mo/text_classifier_bayes@1.0.0"]
    assert [f"{d.parts[-2]}/{d.parts[-1]}" for d in DATASET_DIRS] == ["mo/iris", "mo/mnist", "mo/text_zh_en"]
    total = sum(f.stat().st_size for f in BUILTIN.rglob("*") if f.is_file())
    assert total < 5 * 1024 * 1024, total
    assert not list(BUILTIN.rglob("__pycache__")), "compiled files in the package tree"


@pytest.mark.parametrize("folder", MODULE_DIRS, ids=lambda p: p.parts[-2])
def test_module_spec_loads_and_main_py_has_the_class_and_methods(folder):
    spec = load_module_spec(folder / "module_spec.yml")
    owner, name, version = folder.parts[-3:]
    assert (spec["owner"], spec["name"], spec["version"]) == (owner, name, version)
    assert spec["permission"] == "public" and spec["category"] == "model"
    assert spec["tags"] and len(spec["description"]) > 40
    assert (folder / "README.md").read_text(encoding="utf-8").startswith("# ")
    for part, params in spec["input"].items():
        for param in params:  # every required input has a default, so the inserted cell runs as is
            assert param["optional"] or "default_value" in param, (part, param["name"])

    tree = ast.parse((folder / "main.py").read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    assert camel(name) in classes, f"main.py lacks class {camel(name)}"
    methods = {n.name: n for n in classes[camel(name)].body if isinstance(n, ast.FunctionDef)}
    wanted = {SECTION_METHODS[part] for part, params in spec["input"].items() if params}
    wanted |= {SECTION_METHODS[part] for part, params in spec["output"].items() if params}
    assert wanted, "the spec declares no train/predict/run section"
    for method in wanted:
        assert method in methods, f"{camel(name)}.{method} missing"
        assert [a.arg for a in methods[method].args.args] == ["self", "conf"], method
    for node in ast.walk(tree):  # a module must run where mo_jupyter is not installed
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        assert not any(n.split(".")[0] == "mo_jupyter" for n in names)


@pytest.mark.parametrize("folder", DATASET_DIRS, ids=lambda p: p.name)
def test_dataset_spec_loads_and_its_files_are_there(folder):
    spec = load_dataset_spec(folder / "dataset.yml")
    assert (spec["owner"], spec["name"]) == tuple(folder.parts[-2:])
    assert (spec["permission"], spec["status"], spec["version"]) == ("preset", "online", "1.0.0")
    assert spec["license"] and spec["source"] and spec["description"]
    assert (folder / "README.md").is_file()
    data = [f for f in folder.rglob("*") if f.is_file() and f.name not in ("dataset.yml", "README.md")]
    assert data
    if spec["format"] == "npz":
        with np.load(data[0]) as f:
            assert {"x_train", "y_train", "x_test", "y_test"} <= set(f.files)
            assert spec["test_set"] == "independent"
    if spec["format"] == "csv":
        with open(folder / "iris.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 150 and list(rows[0]) == [
            "sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
        assert {r["species"] for r in rows} == {"setosa", "versicolor", "virginica"}
    if spec["format"] == "dir":
        classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
        assert classes == ["food", "sports", "technology", "weather"]
        for c in classes:
            assert len(list((folder / c).glob("*.txt"))) >= 25


def test_iris_classifier_predicts_three_known_flowers_as_an_inserted_cell(tmp_path):
    insert_module(tmp_path, "iris_classifier")
    flowers = [((5.1, 3.5, 1.4, 0.2), "setosa"), ((7.0, 3.2, 4.7, 1.4), "versicolor"),
               ((6.3, 3.3, 6.0, 2.5), "virginica")]
    code = (
        "import json\n"
        "from modules.iris_classifier.main import IrisClassifier\n"
        "model = IrisClassifier()\n"
        "keys = ('sepal_length', 'sepal_width', 'petal_length', 'petal_width')\n"
        f"print(json.dumps([model.predict(dict(zip(keys, f))) for f in {[f for f, _ in flowers]!r}]))\n")
    results = run_in_project(tmp_path, code)["result"]
    assert [r["species"] for r in results] == [s for _, s in flowers]
    for r in results:
        assert r["classes"] == ["setosa", "versicolor", "virginica"]
        assert abs(sum(r["probabilities"]) - 1) < 1e-3 and max(r["probabilities"]) > 0.7


def test_iris_defaults_of_the_spec_predict_setosa(tmp_path):
    spec = load_module_spec(BUILTIN / "modules/mo/iris_classifier/1.0.0/module_spec.yml")
    conf = {p["name"]: p["default_value"] for p in spec["input"]["predict"]}
    insert_module(tmp_path, "iris_classifier")
    code = ("import json\nfrom modules.iris_classifier.main import IrisClassifier\n"
            f"print(json.dumps(IrisClassifier().predict({conf!r})))")
    assert run_in_project(tmp_path, code)["result"]["species"] == "setosa"


def test_text_classifier_bayes_shipped_model_predicts_out_of_the_box(tmp_path):
    insert_module(tmp_path, "text_classifier_bayes")
    spec = load_module_spec(BUILTIN / "modules/mo/text_classifier_bayes/1.0.0/module_spec.yml")
    conf = {p["name"]: p["default_value"] for p in spec["input"]["predict"]}  # text "足球"
    code = (
        "import json\n"
        "from modules.text_classifier_bayes.main import TextClassifierBayes\n"
        "model = TextClassifierBayes()\n"
        f"out = [model.predict({conf!r}), model.predict({{'text': '明天有暴雨，气温下降'}}),\n"
        "       model.predict({'text': 'The new laptop has a faster chip and more memory'})]\n"
        "print(json.dumps(out, ensure_ascii=False))\n")
    results = run_in_project(tmp_path, code)["result"]
    assert [r["label"] for r in results] == ["sports", "weather", "technology"]
    assert results[0]["classes"] == ["food", "sports", "technology", "weather"]
    assert not (tmp_path / "results").exists()  # predicting writes nothing


def test_text_classifier_bayes_retrains_on_the_builtin_set_and_predicts(tmp_path):
    insert_module(tmp_path, "text_classifier_bayes")
    shutil.copytree(BUILTIN / "datasets/mo/text_zh_en", tmp_path / "datasets" / "mo-text_zh_en")
    spec = load_module_spec(BUILTIN / "modules/mo/text_classifier_bayes/1.0.0/module_spec.yml")
    conf = {p["name"]: p["default_value"] for p in spec["input"]["train"]}
    assert conf["data_path"] == "datasets/mo-text_zh_en"
    conf["model_save_path"] = "out/my_bayes.json"
    code = (
        "import json\n"
        "from modules.text_classifier_bayes.main import TextClassifierBayes\n"
        "model = TextClassifierBayes()\n"
        f"report = model.train({conf!r})\n"
        "zh = model.predict({'text': '这家餐馆的饺子和面条都很好吃'})\n"
        "en = model.predict({'text': 'Heavy rain and strong wind are expected tomorrow'})\n"
        "saved = TextClassifierBayes().predict({'text': '篮球比赛', 'model_path': 'out/my_bayes.json'})\n"
        "print(json.dumps([report, zh, en, saved], ensure_ascii=False))\n")
    ran = run_in_project(tmp_path, code)
    report, zh, en, saved = ran["result"]
    assert (tmp_path / "out" / "my_bayes.json").is_file()
    assert report["train_samples"] + report["test_samples"] == 120 and report["test_samples"] == 24
    assert report["accuracy"] >= 0.6 and report["train_accuracy"] >= 0.95
    assert (zh["label"], en["label"], saved["label"]) == ("food", "weather", "sports")

    # the metric lines parse with the project's parser (the Metrics tab of a job)
    from mo_jupyter.jobs.metrics import parse_line

    metrics = {m.metric["metric"]: m.metric["value"] for m in
               (parse_line(line.encode()) for line in ran["stdout"].splitlines()) if m.metric}
    assert set(metrics) >= {"accuracy", "loss", "train_accuracy"}
    assert metrics["accuracy"] == pytest.approx(report["accuracy"], abs=1e-6)


def test_mnist_cnn_imports_and_reads_images_without_tensorflow(tmp_path):
    insert_module(tmp_path, "mnist_cnn")
    code = ("import json, sys\nfrom modules.mnist_cnn.main import MnistCnn, to_input\n"
            "x = to_input('modules/mnist_cnn/samples/digit_7.png')\n"
            "y = to_input([[255 - abs(r - c) for c in range(28)] for r in range(28)])\n"
            "print(json.dumps({'keras': 'keras' in sys.modules, 'shapes': [list(x.shape), list(y.shape)],"
            " 'max': [float(x.max()), float(y.max())], 'class': MnistCnn.__name__}))")
    result = run_in_project(tmp_path, code)["result"]
    assert result == {"keras": False, "shapes": [[1, 28, 28, 1]] * 2, "max": [1.0, 1.0], "class": "MnistCnn"}
    shipped = BUILTIN / "modules/mo/mnist_cnn/1.0.0/results/mnist_cnn.keras"
    assert 10_000 < shipped.stat().st_size < 1_500_000
