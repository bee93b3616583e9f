"""A job folder as mo_jupyter wrote it before the output index (``output.log`` + ``events.jsonl`` +
``metrics.jsonl``, no ``output.idx``) still opens: details, log, metrics (records and columns), the
websocket replay, the CLI, compare with a job of today's layout, and a model registered from it.

The folder under ``fixtures/old_job/job`` was written by the old code itself (``generate.sh`` runs
commit aad841a's ``jupyter mo job run`` on ``fixtures/old_job/train.py``); the same script is run
again here as a job of today's layout, to compare what both show.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, write
from test_stream import connect, read_to_end

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "old_job"
OLD_EVENTS = [json.loads(line) for line in (FIXTURE / "job" / "events.jsonl").read_text().splitlines()]
OLD_METRICS = [json.loads(line) for line in (FIXTURE / "job" / "metrics.jsonl").read_text().splitlines()]
OLD_ID = json.loads((FIXTURE / "job" / "spec.json").read_text())["id"]


def install_old_job(root: Path) -> Path:
    """The fixture's job folder under the project, its spec pointing at this project."""
    folder = root / ".mo" / "jobs" / OLD_ID
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURE / "job", folder)
    then = (FIXTURE / "root.txt").read_text()
    spec = (folder / "spec.json").read_text()
    (folder / "spec.json").write_text(spec.replace(json.dumps(then)[1:-1], json.dumps(str(root))[1:-1]))
    shutil.copy(FIXTURE / "train.py", root / "train.py")
    return folder


def mo(root: Path, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", "--root", str(root), *args], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def without(items: list[dict], *keys: str) -> list[dict]:
    return [{k: v for k, v in item.items() if k not in keys} for item in items]


async def two_jobs(api, root):
    """(the old job's record, a job of today's layout that ran the same script)."""
    install_old_job(root)
    new = await api.create({"path": "train.py", "name": "new-run"})
    new = await api.wait_state(new["id"])
    assert new["state"] == "completed", new
    return await api.job(OLD_ID), new


async def test_details_and_log(api, root):
    old, new = await two_jobs(api, root)
    listed = (await api.get("jobs")).json["jobs"]
    assert {j["id"] for j in listed} == {OLD_ID, new["id"]}
    status = json.loads((FIXTURE / "job" / "status.json").read_text())
    assert old["name"] == "old-run" and old["path"] == "train.py" and old["state"] == "completed"
    assert old["exit_code"] == 0 and old["started"] == status["started"] and old["ended"] == status["ended"]
    assert next(j for j in listed if j["id"] == OLD_ID) == old

    printed = (FIXTURE / "job" / "output.log").read_bytes().decode()
    assert await api.full_log(OLD_ID) == printed
    r = await api.get(f"jobs/{OLD_ID}/log", params={"offset": "0"})
    assert r.json["complete"] is True
    # the same script as a job of today: the same lines (the streams may interleave otherwise)
    assert sorted((await api.full_log(new["id"])).splitlines()) == sorted(printed.splitlines())


async def test_metrics_records_and_columns(api, root):
    old, new = await two_jobs(api, root)
    records = (await api.get(f"jobs/{OLD_ID}/metrics")).json["metrics"]
    assert records == OLD_METRICS
    assert (await api.get(f"jobs/{OLD_ID}/metrics", params={"format": "records"})).json["metrics"] == OLD_METRICS
    # what a job of today gives for the same lines (seq and time are the run's own)
    fresh = (await api.get(f"jobs/{new['id']}/metrics")).json["metrics"]
    assert without(fresh, "seq", "time", "source") == without(OLD_METRICS, "seq", "time")

    r = await api.get(f"jobs/{OLD_ID}/metrics", params={"format": "columns"})
    assert r.code == 200, r
    columns = r.json
    assert columns["seq"] == max(m["seq"] for m in OLD_METRICS)
    series = {s["metric"]: s for s in columns["series"]}
    assert sorted(series) == ["acc", "loss", "note"]
    for name, s in series.items():
        points = [m for m in OLD_METRICS if m["metric"] == name]
        assert s["seq"] == [m["seq"] for m in points], name
        assert s["time"] == [m["time"] for m in points], name
        assert s["source"] == "mo"
    assert series["loss"]["value"][:4] == [1.0, 0.5, 1 / 3, 0.25] and series["loss"]["value"][4] is None
    assert series["loss"]["nonfinite"] == {"4": "NaN"}
    assert series["loss"]["step"] == [0, 10, 20, 30, 40]
    assert series["loss"]["epoch"] == [0, 1, 2, 3, None]
    assert series["acc"]["value"] == [0.5, 0.6, 0.7, 0.8] and series["acc"]["step"] == [0, 10, 20, 30]
    assert "epoch" not in series["acc"]
    assert series["note"]["value"] == [None] and series["note"]["other"] == {"0": "ok"}

    # the columns of the same script's job of today: the same series, values, steps, epochs
    today = {s["metric"]: s for s in (await api.get(f"jobs/{new['id']}/metrics",
                                                    params={"format": "columns"})).json["series"]}
    assert sorted(today) == sorted(series)
    for name in series:
        for key in ("value", "step", "epoch", "nonfinite", "other", "source"):
            assert today[name].get(key) == series[name].get(key), (name, key, today[name].get(key),
                                                                   series[name].get(key))


async def test_websocket_replays_the_old_events(api, root, jp_ws_fetch):
    old, new = await two_jobs(api, root)
    ws = await connect(jp_ws_fetch, OLD_ID)
    events, final = await read_to_end(ws)
    assert events == OLD_EVENTS
    assert final["state"] == "completed" and final["id"] == OLD_ID
    logs = [e for e in events if e["type"] == "log"]
    assert logs[0]["line"] == "start: old layout \u00e9\u4e2d"
    assert any(e.get("warning") for e in logs)  # the line whose step is not an integer
    for since in (1, 4, 5, 17, len(OLD_EVENTS) - 1, len(OLD_EVENTS) + 5):
        ws = await connect(jp_ws_fetch, OLD_ID, since)
        rest, _ = await read_to_end(ws)
        assert rest == [e for e in OLD_EVENTS if e["seq"] > since], since

    # the same script's job of today: the same lines per stream, statuses, metrics (with the
    # line's seq now, where the old layout gave a metric its own)
    ws = await connect(jp_ws_fetch, new["id"])
    today, _ = await read_to_end(ws)
    for stream in ("stdout", "stderr"):
        assert [e["line"] for e in today if e["type"] == "log" and e.get("stream") == stream] == \
            [e["line"] for e in OLD_EVENTS if e["type"] == "log" and e.get("stream") == stream], stream
    assert [e["warning"] for e in today if e.get("warning")] == [e["warning"] for e in OLD_EVENTS if e.get("warning")]
    assert [e["job"]["state"] for e in today if e["type"] == "status"] == \
        [e["job"]["state"] for e in OLD_EVENTS if e["type"] == "status"]
    keys = ("metric", "value", "step", "epoch", "nonfinite")
    assert [tuple(e.get(k) for k in keys) for e in today if e["type"] == "metric"] == \
        [tuple(e.get(k) for k in keys) for e in OLD_EVENTS if e["type"] == "metric"]


async def test_cli_show_logs_metrics(api, root):
    old, new = await two_jobs(api, root)
    show = mo(root, "job", "show", OLD_ID)
    assert OLD_ID in show and "state        completed" in show and "exit_code    0" in show
    assert "old-run" in show
    assert mo(root, "job", "logs", OLD_ID) == (FIXTURE / "job" / "output.log").read_text()
    assert OLD_ID in mo(root, "job", "list")
    metrics = json.loads(mo(root, "job", "metrics", OLD_ID))["metrics"]
    assert metrics == OLD_METRICS
    rows = list(csv.DictReader(io.StringIO(mo(root, "job", "metrics", OLD_ID, "--format", "csv"))))
    assert [r["metric"] for r in rows] == [m["metric"] for m in OLD_METRICS]
    assert rows[2]["epoch"] == "1" and rows[2]["step"] == "10"


async def test_compare_an_old_and_a_new_job(api, root, tmp_path):
    old, new = await two_jobs(api, root)
    # what the Compare tab loads: each job's record and metric columns
    for job_id in (OLD_ID, new["id"]):
        assert (await api.get(f"jobs/{job_id}")).code == 200
        assert (await api.get(f"jobs/{job_id}/metrics", params={"format": "columns"})).code == 200
    table = json.loads(mo(root, "job", "compare", OLD_ID, new["id"], "--json"))
    assert [r["id"] for r in table["rows"]] == [OLD_ID, new["id"]]
    old_row, new_row = (r["values"] for r in table["rows"])
    summary = {k: v for k, v in old_row.items() if k.startswith("metric:")}
    assert summary["metric:loss:best"] == 0.25 and summary["metric:acc:last"] == 0.8, summary
    assert summary == {k: v for k, v in new_row.items() if k.startswith("metric:")}, (old_row, new_row)
    text = mo(root, "job", "compare", OLD_ID, new["id"])
    assert OLD_ID in text and new["id"] in text and "loss" in text
    out = tmp_path / "compare.png"
    assert "panel" in mo(root, "job", "compare", OLD_ID, new["id"], "--out", str(out))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_model_is_registered_from_an_old_job(api, root):
    old, new = await two_jobs(api, root)
    # what the old job wrote during its run (results/ files whose time lies within it)
    model = write(root, "results/old-model.npz", "weights")
    t = (old["started"] + old["ended"]) / 2
    os.utime(model, (t, t))
    models = (await api.get("models")).json
    assert [m["name"] for m in models["models"]] == ["old-model"], models
    assert [v["version"] for v in models["models"][0]["versions"]] == [1], models
    record = (await api.get("models/old-model/1")).json
    assert record["lineage"]["job"]["id"] == OLD_ID, record
    assert record["lineage"]["metrics"]["loss"]["best"] == 0.25
    assert record["lineage"]["metrics"]["acc"]["last"] == 0.8
    kept = (await api.get(f"models/{record['name']}/{record['version']}/metrics")).json
    assert kept == {"metrics": OLD_METRICS}


def install_running_old_job(root: Path) -> list[dict]:
    """The fixture's folder as it was while the job ran under the old code, its supervisor gone (a
    server upgraded while a container job ran): state running, no final status event; its backend
    re-attaches by replaying the output from the start, as a container's log does. The events the
    old supervisor had written."""
    folder = install_old_job(root)
    status = json.loads((folder / "status.json").read_text())
    for key in ("ended", "exit_code", "peak_memory"):
        status.pop(key, None)
    status["state"] = "running"
    (folder / "status.json").write_text(json.dumps(status))
    events = OLD_EVENTS[:-1]
    assert events[-1]["type"] != "status" and OLD_EVENTS[-1]["job"]["state"] == "completed"
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    spec = json.loads((folder / "spec.json").read_text())
    spec["command"] = [sys.executable, "-u", "train.py"]
    spec["backend_config"] = {"backend_class": "fixtures.old_job.replay_backend:ReplayBackend"}
    (folder / "spec.json").write_text(json.dumps(spec))
    return events


async def test_an_old_job_reattached_after_the_upgrade_keeps_its_output_once(api, root, jp_ws_fetch):
    before = install_running_old_job(root)
    job = await api.wait_state(OLD_ID)  # the first read re-attaches a new supervisor
    assert job["state"] == "completed", job
    printed = (FIXTURE / "job" / "output.log").read_bytes().decode()  # '\r' kept (read_text turns it into '\n')
    assert await api.full_log(OLD_ID) == printed  # each line once
    ws = await connect(jp_ws_fetch, OLD_ID)
    events, _ = await read_to_end(ws)
    numbered = [e["seq"] for e in events if e["type"] != "metric"]
    # the old seqs are kept (a client may hold one): increasing, with the old metrics' gaps
    assert numbered == sorted(set(numbered)) and numbered[0] == 1
    for stream in ("stdout", "stderr"):
        assert [e["line"] for e in events if e["type"] == "log" and e["stream"] == stream] == \
            [e["line"] for e in OLD_EVENTS if e["type"] == "log" and e["stream"] == stream], stream
    # a client that had everything up to the old supervisor's last event gets only what came after
    ws = await connect(jp_ws_fetch, OLD_ID, before[-1]["seq"])
    rest, _ = await read_to_end(ws)
    assert [e["type"] for e in rest] == ["status"] and rest[-1]["job"]["state"] == "completed", rest
