"""`jupyter mo ...` as a user types it (a subprocess; no server)."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[2]


def mo(*args, cwd, check=True, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(
        "import json, sys\nprint('args', sys.argv[1:])\n"
        "for e in range(3):\n    print(json.dumps({'metric': 'loss', 'value': 1 / (e + 1), 'epoch': e}))\n"
        "print(json.dumps({'metric': 'note', 'value': 'ok'}))\n")
    (tmp_path / "fail.py").write_text("import sys\nprint('bye')\nsys.exit(7)\n")
    return tmp_path


def test_run_wait_list_show_logs_metrics_plot(project, tmp_path):
    run = mo("job", "run", "train.py", "--name", "t1", "--wait", "--", "--epochs", "3", cwd=project)
    job_id = run.stdout.strip()
    assert job_id and run.returncode == 0
    listed = mo("job", "list", cwd=project).stdout
    assert job_id in listed and "completed" in listed and "t1" in listed
    show = mo("job", "show", job_id[:-2], cwd=project).stdout  # a unique prefix is enough
    assert "state        completed" in show and "exit_code    0" in show
    assert "args ['--epochs', '3']" in mo("job", "logs", job_id, cwd=project).stdout
    metrics = json.loads(mo("job", "metrics", job_id, cwd=project).stdout)["metrics"]
    assert [m["value"] for m in metrics] == [1.0, 0.5, 1 / 3, "ok"]
    rows = list(csv.DictReader(io.StringIO(mo("job", "metrics", job_id, "--format", "csv", cwd=project).stdout)))
    assert [r["metric"] for r in rows] == ["loss", "loss", "loss", "note"] and rows[1]["epoch"] == "1"
    out = tmp_path / "chart.png"
    assert "1 panel" in mo("job", "plot", job_id, "--out", str(out), "--x", "epoch", cwd=project).stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_wait_exits_with_the_job_exit_code(project):
    proc = mo("job", "run", "fail.py", "--wait", cwd=project, check=False)
    assert proc.returncode == 7 and "failed" in proc.stderr and "exited with code 7" in proc.stderr


def test_follow_prints_the_output(project):
    proc = mo("job", "run", "train.py", "--follow", cwd=project)
    lines = proc.stdout.splitlines()
    assert lines[1].startswith("args") and lines[-1] == '{"metric": "note", "value": "ok"}'


def test_root_option_and_stop(project, tmp_path):
    (project / "sleep.py").write_text("import time\nprint('up', flush=True)\ntime.sleep(120)\n")
    job_id = mo("--root", str(project), "job", "run", "sleep.py", cwd=tmp_path.parent).stdout.strip()
    stopped = mo("--root", str(project), "job", "stop", job_id, cwd=tmp_path.parent)
    assert stopped.stdout.strip() == f"{job_id}: stopped"
    mo("--root", str(project), "job", "delete", job_id, cwd=tmp_path.parent)
    assert job_id not in mo("--root", str(project), "job", "list", cwd=tmp_path.parent).stdout


@pytest.mark.parametrize("args,message", [
    (["job", "show", "nope"], "error: no job 'nope'"),
    (["job", "run", "missing.py"], "error: no such file in the project: 'missing.py'"),
    (["job", "run", "../outside.py"], "outside the project root"),
    (["job", "run", "train.py", "--machine", "gpu"], "no GPU"),
    (["job", "run", "train.py", "--env", "NOEQUALS"], "KEY=VALUE"),
    (["export", "train.py"], "not a notebook"),
])
def test_errors_are_one_clear_line_and_nonzero(project, args, message):
    proc = mo(*args, cwd=project, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_export(project):
    nbformat.write(new_notebook(cells=[new_code_cell("!echo exported-shell\nprint('py')")]), project / "n.ipynb")
    assert mo("export", "n.ipynb", cwd=project).stdout.strip() == "n.py"
    assert "exists" in mo("export", "n.ipynb", cwd=project, check=False).stderr
    assert mo("export", "n.ipynb", "-o", "m.py", cwd=project).stdout.strip() == "m.py"
    run = subprocess.run([sys.executable, "n.py"], cwd=project, capture_output=True, text=True)
    assert run.stdout.split() == ["exported-shell", "py"]


def test_list_when_empty(project):
    assert "no jobs yet" in mo("job", "list", cwd=project).stdout
