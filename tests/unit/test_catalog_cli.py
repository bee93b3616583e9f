"""`jupyter mo module ...` and `jupyter mo dataset ...`: the same services from a shell."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest

from mo_jupyter.cli.main import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    catalog = tmp_path / "catalog"
    monkeypatch.setenv("MO_CATALOGS", str(catalog))
    monkeypatch.chdir(project)
    return project, catalog


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_module_list_show_insert(env, capsys):
    project, _ = env
    code, out, _ = run(capsys, "module", "list", "mnist")
    assert code == 0 and "mo/mnist_cnn" in out and "predict,train" in out
    code, out, _ = run(capsys, "module", "show", "mo/mnist_cnn@1.0.0")
    assert code == 0 and "input.train:" in out and "epochs" in out and "batch_size" in out
    code, out, _ = run(capsys, "module", "insert", "mo/iris_classifier")
    assert code == 0 and "from modules.iris_classifier.main import IrisClassifier" in out
    assert (project / "modules/iris_classifier/module_spec.yml").is_file()
    code, _, err = run(capsys, "module", "show", "mo/missing")
    assert code == 2 and "error: no module 'mo/missing'" in err


def test_module_publish_lists_problems_with_a_non_zero_exit(env, capsys):
    project, catalog = env
    (project / "m").mkdir()
    (project / "m/module_spec.yml").write_text("name: m\nversion: one\n")
    code, _, err = run(capsys, "module", "publish", "m", "--owner", "carol")
    assert code == 2 and "README.md is missing" in err and "main.py is missing" in err and "version" in err
    (project / "m/module_spec.yml").write_text("name: m\nversion: 1.0.0\ninput:\n  run: {}\n")
    (project / "m/main.py").write_text("class M:\n    def run(self, conf):\n        return 1\n")
    (project / "m/README.md").write_text("# m")
    code, out, _ = run(capsys, "module", "publish", "m", "--owner", "carol", "--permission", "public")
    assert code == 0 and "published carol/m 1.0.0 (public)" in out
    assert (catalog / "modules/carol/m/1.0.0/main.py").is_file()


def test_dataset_import_creates_checks_and_puts_online(env, capsys, tmp_path):
    project, catalog = env
    archive = tmp_path / "reviews.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("reviews/pos/1.txt", "great")
        zf.writestr("reviews/neg/1.txt", "bad")
    code, out, err = run(capsys, "dataset", "import", str(archive), "--name", "carol/reviews", "--owner", "carol",
                         "--purpose", "text_classification", "--format", "dir", "--test-set", "0.9", "--online")
    assert code == 0, err
    assert "carol/reviews 1.0.0  [online, private" in out and "format check: ok" in out
    code, out, _ = run(capsys, "dataset", "list", "--owner", "carol", "--json")
    assert {d["id"] for d in json.loads(out)["items"]} >= {"carol/reviews", "mo/mnist", "mo/iris"}
    code, out, _ = run(capsys, "dataset", "insert", "carol/reviews", "--owner", "carol")
    assert code == 0 and "datasets/carol-reviews (link)" in out
    code, _, err = run(capsys, "dataset", "create", "bad", "--owner", "carol", "--purpose", "nope", "--format", "dir")
    assert code == 2 and "purpose" in err


def test_dataset_import_refuses_a_bad_archive_and_names_the_entry(env, capsys, tmp_path):
    archive = tmp_path / "evil.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("/etc/evil.txt", "x")
    archive.write_bytes(buf.getvalue())
    code, _, err = run(capsys, "dataset", "import", str(archive), "--name", "x", "--owner", "carol",
                       "--purpose", "other", "--format", "dir")
    assert code == 2 and "/etc/evil.txt" in err


def test_the_console_entry_point_has_the_nouns(env):
    done = subprocess.run(["jupyter", "mo", "dataset", "show", "mo/iris"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "mo/iris" in done.stdout and "format: csv" in done.stdout
