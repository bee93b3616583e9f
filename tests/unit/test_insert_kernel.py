"""What insertion puts in a notebook runs in a fresh kernel, with nothing but the copied module and
the linked dataset: predict with iris_classifier, retrain text_classifier_bayes on the built-in
text set, load mo/mnist."""

from __future__ import annotations

import pytest
from jupyter_client.manager import start_new_kernel

from mo_jupyter.catalog.service import CatalogService


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "coding_here.ipynb").write_text("{}")
    return root


@pytest.fixture
def kernel(project):
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(project))
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run_cell(kc, code: str, timeout: float = 120) -> str:
    out: list[str] = []

    def hook(msg):
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind in ("execute_result", "display_data"):
            out.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            out.append("\n".join(content["traceback"]))

    reply = kc.execute_interactive(code, output_hook=hook, timeout=timeout)
    text = "".join(out)
    assert reply["content"]["status"] == "ok", text
    return text


def test_inserted_cells_run_in_a_fresh_kernel(tmp_path, project, kernel):
    svc = CatalogService(project, [str(tmp_path / "catalog")], owner="alice")
    iris = svc.modules.insert("mo", "iris_classifier", None, "coding_here.ipynb", "predict")
    assert "'species': 'setosa'" in run_cell(kernel, iris["cell"])

    text = svc.datasets.insert("mo", "text_zh_en", "coding_here.ipynb")
    assert "samples in 4 classes" in run_cell(kernel, text["cell"])
    train = svc.modules.insert("mo", "text_classifier_bayes", None, "coding_here.ipynb", "train")
    assert "'data_path': 'datasets/mo-text_zh_en'" in train["cell"]
    run_cell(kernel, train["cell"].replace("'results/bayes_model.json'", "'my_bayes.json'"))
    assert (project / "my_bayes.json").is_file()  # the retrained model, where conf said
    predict = svc.modules.insert("mo", "text_classifier_bayes", None, "coding_here.ipynb", "predict")
    out = run_cell(kernel, predict["cell"].replace("'足球'", "'篮球比赛今晚开始 the match starts tonight'"))
    assert "'label': 'sports'" in out

    mnist = svc.datasets.insert("mo", "mnist", "coding_here.ipynb")
    assert "x_train" in run_cell(kernel, mnist["cell"])
