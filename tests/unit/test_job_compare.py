"""Comparing jobs (issue 11 §2): the table of parameters against each metric's last and best value,
CSV and PNG, `jupyter mo job compare`; real jobs on the local backend, through the jobs service."""

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mo_jupyter.jobs.compare import arg_flags, compare_table, metric_summary, text_table, write_csv

from .jobhelpers import make_service, script

REPO = Path(__file__).resolve().parents[2]

TRAIN = """import json, sys
args = sys.argv[1:]
lr = float(args[args.index('--lr') + 1])
for step in range(5):
    loss = 1.0 / (step + 1) + lr
    print(json.dumps({'metric': 'loss', 'value': loss, 'step': step}))
    print(json.dumps({'metric': 'accuracy', 'value': 0.5 + step * lr, 'step': step}))
print(json.dumps({'metric': 'note', 'value': 'done'}))
"""


def mo(*args, cwd, check=True):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two finished jobs of the same script with different --lr (one with env, one from a task)."""
    root = tmp_path_factory.mktemp("compare")
    svc = make_service(root)
    script(root, "train.py", TRAIN)
    a = svc.create({"path": "train.py", "name": "slow", "args": ["--lr", "0.1", "--epochs", "5"],
                    "env": {"SEED": "1"}})
    b = svc.create({"path": "train.py", "name": "fast", "args": ["--lr", "0.2", "--epochs", "5"],
                    "env": {"SEED": "1"},
                    "task": {"id": "task-fast", "name": "fast task",
                             "module": {"id": "mo/text_classifier_bayes", "version": "1.0.0"},
                             "datasets": [{"id": "mo/text_zh_en", "version": "1.0.0"}],
                             "conf": {"alpha": 0.3, "epochs": 5.0}}})
    jobs = [svc.wait(a["id"], timeout=60), svc.wait(b["id"], timeout=60)]
    assert [j["state"] for j in jobs] == ["completed", "completed"]
    return root, svc, jobs


def table_of(svc, jobs):
    return compare_table(jobs, {j["id"]: svc.metrics(j["id"]) for j in jobs})


def column(table, key):
    return next(c for c in table["columns"] if c["key"] == key)


def values(table, key):
    return [r["values"].get(key) for r in table["rows"]]


def test_table_has_params_and_last_best_metrics(runs):
    _, svc, jobs = runs
    table = table_of(svc, jobs)
    keys = [c["key"] for c in table["columns"]]
    assert keys[:2] == ["id", "name"] and values(table, "id") == [j["id"] for j in jobs]
    # parameters: backend, machine, args (whole and per flag), env, the task's module, datasets, conf
    assert values(table, "args") == ["--lr 0.1 --epochs 5", "--lr 0.2 --epochs 5"]
    assert values(table, "arg:--lr") == ["0.1", "0.2"] and values(table, "arg:--epochs") == ["5", "5"]
    assert values(table, "env:SEED") == ["1", "1"] and values(table, "backend") == ["local", "local"]
    assert values(table, "module") == [None, "mo/text_classifier_bayes@1.0.0"]
    assert values(table, "datasets") == [None, "mo/text_zh_en@1.0.0"]
    assert values(table, "conf:alpha") == [None, "0.3"] and values(table, "conf:epochs") == [None, "5"]
    # loss: lower is better, best = min; accuracy: best = max; last = the last point
    assert values(table, "metric:loss:last") == pytest.approx([0.2 + 0.1, 0.2 + 0.2])
    assert values(table, "metric:loss:best") == pytest.approx([0.3, 0.4])
    assert values(table, "metric:accuracy:last") == pytest.approx([0.9, 1.3])
    assert values(table, "metric:accuracy:best") == pytest.approx([0.9, 1.3])
    assert not any(k.startswith("metric:note") for k in keys)  # a string metric is not charted
    # metrics come after every parameter, in first-seen order
    assert keys[-4:] == ["metric:loss:last", "metric:loss:best", "metric:accuracy:last", "metric:accuracy:best"]


def test_differing_params_are_marked(runs):
    _, svc, jobs = runs
    table = table_of(svc, jobs)
    differs = {c["key"] for c in table["columns"] if c["differs"]}
    assert {"args", "arg:--lr", "module", "datasets", "conf:alpha", "task"} <= differs
    assert not differs & {"arg:--epochs", "env:SEED", "backend", "machine", "id", "name"}
    text = text_table(table)
    assert "* --lr" in text and "  --epochs" in text and "* args" in text


def test_best_and_last_rules():
    pts = [{"metric": "val_error", "value": v} for v in (0.5, 0.2, 0.4)]
    pts += [{"metric": "score", "value": v} for v in (3, 7, 5)]
    pts += [{"metric": "Train Loss", "value": 0.3}, {"metric": "Train Loss", "value": None, "nonfinite": "NaN"}]
    pts += [{"metric": "label", "value": "cat"}, {"metric": "flag", "value": True}]
    s = metric_summary(pts)
    assert s["val_error"] == {"last": 0.4, "best": 0.2}
    assert s["score"] == {"last": 5.0, "best": 7.0}
    assert math.isnan(s["Train Loss"]["last"]) and s["Train Loss"]["best"] == 0.3  # NaN is last, never best
    assert set(s) == {"val_error", "score", "Train Loss"}


def test_arg_flags():
    assert arg_flags(["--a", "1", "--b=x y", "--c", "--d", "-5", "pos"]) == [
        ("--a", "1"), ("--b", "x y"), ("--c", "true"), ("--d", "-5")]


def test_csv_has_a_row_per_job(runs):
    _, svc, jobs = runs
    out = io.StringIO()
    write_csv(table_of(svc, jobs), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["id"] for r in rows] == [j["id"] for j in jobs]
    assert [r["--lr"] for r in rows] == ["0.1", "0.2"] and rows[1]["conf.alpha"] == "0.3"
    assert float(rows[0]["loss best"]) == pytest.approx(0.3) and rows[0]["module"] == ""


def test_cli_text_csv_png_json(runs, tmp_path):
    root, _, jobs = runs
    ids = [j["id"] for j in jobs]
    text = mo("job", "compare", *ids, cwd=root).stdout
    assert ids[0] in text and ids[1] in text and "loss best" in text and "* --lr" in text

    out_csv = tmp_path / "compare.csv"
    assert "wrote" in mo("job", "compare", ids[0], ids[1][:-2], "--out", str(out_csv), cwd=root).stdout
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["id"] for r in rows] == ids

    out_png = tmp_path / "compare.png"
    said = mo("job", "compare", *ids, "--out", str(out_png), cwd=root).stdout
    assert "2 panels" in said and "x axis step" in said  # every point has a step: auto picks step
    data = out_png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000

    table = json.loads(mo("job", "compare", *ids, "--json", cwd=root).stdout)
    assert [r["id"] for r in table["rows"]] == ids
    assert column(table, "arg:--lr")["differs"] is True


def test_cli_errors(runs, tmp_path):
    root, _, jobs = runs
    proc = mo("job", "compare", jobs[0]["id"], "job-nope", cwd=root, check=False)
    assert proc.returncode == 2 and "no job 'job-nope'" in proc.stderr and "Traceback" not in proc.stderr
    proc = mo("job", "compare", jobs[0]["id"], cwd=root, check=False)
    assert proc.returncode == 2 and "two or more" in proc.stderr
    proc = mo("job", "compare", *[j["id"] for j in jobs], "--out", str(tmp_path / "x.txt"), cwd=root, check=False)
    assert proc.returncode == 2 and ".csv or a .png" in proc.stderr
