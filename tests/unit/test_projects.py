"""Project folders from templates (mo_jupyter/projects.py): what a new project holds, what is
refused, that a failure leaves nothing behind, and that a job inside one runs in its folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mo_jupyter import projects
from mo_jupyter.catalog.service import CatalogService
from mo_jupyter.errors import BadRequest, Conflict, NotFound
from mo_jupyter.projects import MARKER, ProjectService, project_folder

from .jobhelpers import make_service, wait_until

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    return root


@pytest.fixture
def svc(root, tmp_path):
    return ProjectService(root, CatalogService(root, [str(tmp_path / "catalog")]))


def test_templates_are_listed_with_both_languages():
    found = {t["name"]: t for t in projects.templates()}
    assert list(found)[0] == "mnist" and {"mnist", "iris", "text"} <= set(found)
    for t in found.values():
        assert t["title"]["en"] and t["title"]["zh"] and t["description"]["zh"]
        assert t["open"] in t["files"]
        for name in t["files"]:  # every file the manifest names ships in the package
            assert (projects.TEMPLATES_DIR / t["name"] / name).is_file()
    assert found["mnist"]["datasets"] == ["mo/mnist"] and found["iris"]["modules"] == ["mo/iris_classifier"]


def test_mnist_project_has_the_tutorial_at_its_top(svc, root):
    made = svc.create("mnist", "mnist-tutorial")
    folder = root / "mnist-tutorial"
    assert made["path"] == "mnist-tutorial" and made["open"] == "mnist-tutorial/coding_here.ipynb"
    assert made["datasets"] == ["mnist-tutorial/datasets/mo-mnist"]
    for name in ("coding_here.ipynb", "deploy_mnist.ipynb", "mnist_results.ipynb", "mnist_cnn.py"):
        assert (folder / name).is_file()
    # the example scripts are the ones in jobs/examples (one copy in git)
    assert (folder / "mnist_cnn.py").read_bytes() == (REPO / "jobs/examples/mnist_cnn.py").read_bytes()
    assert (folder / "datasets/mo-mnist/mnist.npz").is_file()
    assert json.loads((folder / MARKER).read_text())["template"] == "mnist"
    assert [p.name for p in root.iterdir()] == ["mnist-tutorial"]  # no staging folder left


def test_inserted_cells_run_from_the_notebooks_folder(svc, root):
    (root / "work").mkdir()
    svc.create("text", "work/nlp")  # a folder below another: paths in cells relative to the notebook
    nb = json.loads((root / "work/nlp/text_classification.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert "data_dir = Path('datasets/mo-text_zh_en')" in code[0]
    assert "TextClassifierBayes" in code[1] and ".train(conf)" in code[2]
    assert all("mo_jupyter" not in c["metadata"] for c in nb["cells"])
    program = "\n".join(code[:3]) + "\nprint('ACC', result['accuracy'])\n"
    run = subprocess.run([sys.executable, "-c", program], cwd=root / "work/nlp", capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "ACC" in run.stdout and (root / "work/nlp/results/bayes_model.json").is_file()


def test_iris_notebook_predicts_and_retrains(svc, root):
    made = svc.create("iris", "iris")
    assert made["modules"] == ["iris/modules/iris_classifier"] and made["datasets"] == ["iris/datasets/mo-iris"]
    nb = json.loads((root / "iris/iris_classifier.ipynb").read_text())
    predict, data, retrain = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    *body, last = retrain.splitlines()  # the notebook shows the last expression: print it here
    program = "\n".join([predict, "print(repr(result))", data, *body, f"print(repr({last}))"])
    run = subprocess.run([sys.executable, "-c", program], cwd=root / "iris", capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "'species': 'setosa'" in run.stdout and "'species': 'virginica'" in run.stdout
    assert (root / "iris/results/iris_weights.npz").is_file()


def test_an_existing_empty_folder_is_filled_and_the_root_itself_too(svc, root, tmp_path):
    (root / "empty").mkdir()
    assert svc.create("iris", "empty")["open"] == "empty/iris_classifier.ipynb"
    alone = tmp_path / "alone"
    alone.mkdir()
    made = ProjectService(alone, CatalogService(alone, [])).create("mnist", ".")
    assert made["path"] == "." and made["open"] == "coding_here.ipynb"
    assert (alone / "coding_here.ipynb").is_file() and (alone / "datasets/mo-mnist").is_dir()
    assert not [p for p in alone.iterdir() if p.name.startswith(".mo-new-")]


def test_refuses_a_folder_that_is_not_empty(svc, root):
    (root / "taken").mkdir()
    (root / "taken/notes.txt").write_text("mine")
    with pytest.raises(Conflict) as err:
        svc.create("mnist", "taken")
    assert err.value.status == 409 and "not empty" in err.value.message
    assert [p.name for p in (root / "taken").iterdir()] == ["notes.txt"]
    (root / "file").write_text("x")
    with pytest.raises(Conflict):
        svc.create("mnist", "file")


@pytest.mark.parametrize("name", ["", " ", "../out", "a/../../out", ".hidden", "-rf", "a\nb", "x\x00y", "tail ",
                                  "a\\b", "n" * 300, "\u202eevil"])
def test_refuses_bad_names(svc, root, name):
    with pytest.raises(BadRequest):
        svc.create("mnist", name)
    assert list(root.iterdir()) == []


def test_refuses_unknown_templates_and_missing_parents(svc, root):
    for bad in ("nope", "../mnist", "", None, "MNIST"):
        with pytest.raises(NotFound):
            svc.create(bad, "x")
    with pytest.raises(NotFound):
        svc.create("mnist", "no/such/parent/x")
    assert list(root.iterdir()) == []


def test_never_follows_links_out_of_the_root(svc, root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "out").symlink_to(outside)
    (root / "inside").mkdir()
    (root / "alias").symlink_to(root / "inside")
    for path in ("out", "out/proj", "alias/proj", str(outside / "proj")):
        with pytest.raises(BadRequest):
            svc.create("mnist", path)
    assert list(outside.iterdir()) == [] and list((root / "inside").iterdir()) == []


def test_a_failure_leaves_no_half_made_folder(svc, root, tmp_path, monkeypatch):
    broken = tmp_path / "templates"
    (broken / "broken").mkdir(parents=True)
    (broken / "broken/a.ipynb").write_text("{}")
    (broken / "broken/template.json").write_text(json.dumps({
        "title": {"en": "t", "zh": "t"}, "description": {"en": "d", "zh": "d"}, "folder": "b", "open": "a.ipynb",
        "files": ["a.ipynb"], "datasets": ["mo/mnist", "mo/no_such_dataset"]}))
    monkeypatch.setattr(projects, "TEMPLATES_DIR", broken)
    with pytest.raises(NotFound):
        svc.create("broken", "b")
    assert list(root.iterdir()) == []  # no b/, no staging folder, although mo/mnist was inserted first
    (root / "e").mkdir()
    with pytest.raises(NotFound):
        svc.create("broken", "e")
    assert [p.name for p in root.iterdir()] == ["e"] and list((root / "e").iterdir()) == []


def test_project_folder_is_the_nearest_marker_inside_the_root(svc, root):
    svc.create("mnist", "proj")
    (root / "proj/sub").mkdir()
    (root / "proj/sub/t.py").write_text("")
    (root / "loose.py").write_text("")
    assert project_folder(root, root / "proj/mnist_cnn.py") == root / "proj"
    assert project_folder(root, root / "proj/sub/t.py") == root / "proj"
    assert project_folder(root, root / "loose.py") == root
    (root / "fake").mkdir()
    (root / "fake" / MARKER).symlink_to(root / "proj" / MARKER)  # a link is no marker
    (root / "fake/x.py").write_text("")
    assert project_folder(root, root / "fake/x.py") == root


def test_a_job_in_a_project_runs_in_its_folder(svc, root):
    svc.create("iris", "proj")
    (root / "proj/write.py").write_text(
        "import os\nos.makedirs('results', exist_ok=True)\n"
        "open('results/where.txt', 'w').write(os.getcwd())\n")
    (root / "top.py").write_text("import os\nprint('CWD', os.getcwd())\n")
    jobs = make_service(root)
    job = jobs.create({"path": "proj/write.py"})
    assert job["path"] == "proj/write.py"
    wait_until(lambda: jobs.get(job["id"])["state"] == "completed", 60, message="the project job")
    assert (root / "proj/results/where.txt").read_text() == os.path.realpath(root / "proj")
    assert not (root / "results").exists()
    top = jobs.create({"path": "top.py"})  # outside any project folder: the root, as before
    wait_until(lambda: jobs.get(top["id"])["state"] == "completed", 60, message="the root job")
    assert f"CWD {os.path.realpath(root)}" in jobs.read_log(top["id"])["text"]


def test_the_cli_makes_the_demo_project_at_the_folders_top(tmp_path, capsys, monkeypatch):
    from mo_jupyter.cli.main import main

    monkeypatch.chdir(tmp_path)
    catalog = ["--catalog", str(tmp_path / "catalog")]
    demo = tmp_path / "home/mo-demo"  # outside the root (the current directory's sub-folder "work")
    (tmp_path / "work").mkdir()
    assert main(["--root", "work", "project", "new", str(demo), "--template", "mnist", *catalog]) == 0
    assert {p.name for p in demo.iterdir()} >= {"coding_here.ipynb", "deploy_mnist.ipynb", "mnist_results.ipynb",
                                                "mnist_cnn.py", "datasets", MARKER}
    assert (demo / "datasets/mo-mnist/mnist.npz").is_file()
    assert "open mo-demo/coding_here.ipynb" in capsys.readouterr().out
    assert main(["project", "new", str(demo), *catalog]) == 2  # not empty
    assert "not empty" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["--root", "empty", "project", "new", "empty", "--template", "iris", *catalog]) == 0
    assert (tmp_path / "empty/iris_classifier.ipynb").is_file() and "open iris_classifier.ipynb" in capsys.readouterr().out
    assert main(["project", "templates"]) == 0
    assert "mnist" in capsys.readouterr().out
