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


# ---- backends from a third party, chosen by traitlets ----------------------------------------
TINY_BACKEND = '''
from pathlib import Path
from mo_jupyter.jobs.backends.local import LocalBackend
from mo_jupyter.services.base import ServiceBackend


class TinyBackend(LocalBackend):
    """Local processes, leaving a mark in the job folder: proof that the supervisor built it."""
    name = "tiny"

    def start(self, spec, job_path):
        (Path(job_path) / "tiny-started").write_text(self.config.get("mark", "?"))
        return super().start(spec, job_path)


class NullServices(ServiceBackend):
    name = "null"
    calls = []

    def __init__(self, config):
        self.config = config

    def scale(self, folder, record, replicas):
        NullServices.calls.append(("scale", replicas, self.config))

    def stop(self, folder):
        NullServices.calls.append(("stop",))

    def replicas(self, folder):
        return []

    def started_at(self, folder):
        return 0.0
'''


@pytest.fixture
def third_party(project, tmp_path, monkeypatch):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "tiny_backend.py").write_text(TINY_BACKEND)
    config = tmp_path / "jupyter_config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps({"MoJupyterApp": {
        "job_backend_classes": {"tiny": "tiny_backend.TinyBackend"},
        "service_backend_classes": {"null": "tiny_backend.NullServices"},
        "backends": {"local": {}, "tiny": {"mark": "from-config"}, "null": {"size": 3}},
    }}))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    monkeypatch.syspath_prepend(str(plugins))
    return plugins


def test_a_third_party_job_backend_configured_by_traitlets_runs_a_job(project, third_party):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(third_party)]))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", "job", "run", "train.py", "--backend", "tiny",
                           "--wait"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    job_id = proc.stdout.strip()
    assert (project / ".mo/jobs" / job_id / "tiny-started").read_text() == "from-config"
    logs = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", "job", "logs", job_id], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)
    assert "args []" in logs.stdout, logs.stderr


def test_a_third_party_service_backend_is_the_managers(project, third_party):
    from argparse import Namespace

    from mo_jupyter.cli.config import service_manager

    (project / "handler.py").write_text("def handle(conf):\n    return {'y': 1}  # value_type: int\n")
    (project / "app_spec.yml").write_text("input: {}\noutput:\n  y: {value_type: int}\n")
    manager = service_manager(Namespace(root=str(project), jobs_dir=None))
    assert set(manager.backends) == {"local", "null"} and manager.backends["null"].config == {"size": 3}
    view = manager.deploy("", "app", "dev", [], "null", 2)
    assert view["backend"] == "null"
    assert ("scale", 2, {"size": 3}) in type(manager.backends["null"]).calls


def test_a_backend_name_without_a_class_is_refused_at_start(project, tmp_path, monkeypatch):
    from mo_jupyter.app import MoJupyterApp

    app = MoJupyterApp()
    app.root_dir = str(project)
    app.backends = {"local": {}, "nosuch": {}}
    with pytest.raises(ValueError, match="nosuch"):
        app.make_job_service()
