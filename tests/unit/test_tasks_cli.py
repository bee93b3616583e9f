"""`jupyter mo task ...` as a user types it (a subprocess; no server): create --start --wait trains
the preset naive-Bayes module end to end; list, show, start again, delete; errors are one line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def mo(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    env.pop("MO_CATALOGS", None)

    def run(*args, check=True):
        proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}: {proc.stdout}\n{proc.stderr}")
        return proc

    run.root = root
    return run


def test_create_start_wait_list_show_delete(mo):
    made = mo("task", "create", "bayes cli", "--module", "mo/text_classifier_bayes", "--dataset", "mo/text_zh_en",
              "--split", "0.6", "--param", "alpha=0.5", "--max-run-time", "10m", "--description", "from the CLI",
              "--start", "--wait")
    task_id, folder, _, job_id = made.stdout.split()
    assert task_id.startswith("task-") and folder == "tasks/bayes-cli"
    assert (mo.root / "tasks/bayes-cli/results/bayes_model.json").is_file()
    logs = mo("job", "logs", job_id).stdout
    assert "120 samples: 72 train, 48 held out" in logs and '"metric": "accuracy"' in logs
    job = json.loads((mo.root / f".mo/jobs/{job_id}/spec.json").read_text())
    assert job["task"]["conf"]["alpha"] == 0.5 and job["task"]["conf"]["train_ratio"] == 0.6
    assert job["max_run_seconds"] == 600 and job["description"] == "from the CLI"

    listed = mo("task", "list").stdout
    assert task_id in listed and "completed" in listed and "bayes cli" in listed
    tasks = json.loads(mo("task", "list", "--json").stdout)["tasks"]
    assert [t["id"] for t in tasks] == [task_id] and tasks[0]["split"] == {"kind": "ratio", "ratio": 0.6}
    show = mo("task", "show", task_id[5:]).stdout  # a unique prefix, without 'task-', is enough
    assert "split        ratio 0.6" in show and f"last job     {job_id} completed" in show

    again = mo("task", "start", task_id, "--wait").stdout.split()
    assert again[0] == task_id and again[3] != job_id
    assert len(json.loads(mo("task", "show", task_id, "--json").stdout)["jobs"]) == 2
    assert mo("task", "delete", task_id, "--files").stdout.strip() == f"deleted {task_id} and its folder"
    assert not (mo.root / "tasks/bayes-cli").exists()
    assert "no training tasks yet" in mo("task", "list").stdout


def test_a_draft_and_the_errors(tmp_path, monkeypatch, capsys):
    """In-process (the same parser and service as the console command, without its start-up time)."""
    from mo_jupyter.cli.main import main

    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MO_CATALOGS", raising=False)

    def run(*args):
        code = main(["--root", str(root), *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("task", "create", "draft", "--module", "mo/mnist_cnn", "--dataset", "mo/mnist",
                       "--param", "epochs=2", "--json")
    view = json.loads(out)
    assert code == 0 and view["state"] == "draft" and view["params"] == {"epochs": 2}
    assert view["split"] == {"kind": "independent"}
    for args, words in (
        (["--param", "epochs=two"], "--param epochs: 'two' is not an integer"),
        (["--param", "epochs=500"], "params/epochs: 500 is greater than the maximum of 100"),
        (["--param", "nope"], "--param takes KEY=VALUE"),
        (["--split", "0.5"], "split 'ratio' is not possible"),
        (["--split", "half"], "--split takes dataset, independent or a ratio"),
        (["--max-run-time", "soon"], "--max-run-time takes a time"),
        (["--wait"], "--wait goes with --start"),
    ):
        code, _, err = run("task", "create", "x", "--module", "mo/mnist_cnn", "--dataset", "mo/mnist", *args)
        assert code == 2 and words in err and len(err.splitlines()) == 1, (args, err)
    code, _, err = run("task", "show", "task-nope")
    assert code == 2 and "no task 'task-nope'" in err
    code, out, _ = run("task", "list", "--json")
    assert [t["id"] for t in json.loads(out)["tasks"]] == [view["id"]]
