"""States over a job's life: the queue (concurrency 1 here), stop in every state, a lost supervisor."""

from __future__ import annotations

import json
import os
import signal

import psutil
import pytest

from helpers import GATED, assert_user_error, await_until, final_events, wait_until, write

MARKS = "import pathlib, sys\npathlib.Path(sys.argv[1]).write_text('ran')\nprint('ran', flush=True)\n"


@pytest.fixture
def mo_config():
    return {"concurrency": {"local": 1}, "stop_grace_seconds": 0.5}


async def start_gated(api, root, tmp_path, name: str):
    write(root, "gated.py", GATED)
    gate = tmp_path / f"gate-{name}"
    job = await api.create({"path": "gated.py", "args": [str(gate)], "name": name})
    return job, gate


async def test_a_stopped_queued_job_never_starts(api, root, tmp_path, jobs_dir):
    a, gate = await start_gated(api, root, tmp_path, "a")
    await api.wait_state(a["id"], ("running",))
    write(root, "marks.py", MARKS)
    marker = tmp_path / "b-ran"
    b = await api.create({"path": "marks.py", "args": [str(marker)]})
    assert b["state"] == "queued" and b["started"] is None
    assert (await api.job(b["id"]))["state"] == "queued"

    r = await api.post(f"jobs/{b['id']}/stop")
    assert r.code == 200 and r.json["id"] == b["id"]
    stopped = await api.wait_state(b["id"])
    assert stopped["state"] == "stopped", stopped
    assert stopped["started"] is None and stopped["exit_code"] is None
    assert "stop" in stopped["reason"]
    assert (await api.job(a["id"]))["state"] == "running"

    gate.touch()
    assert (await api.wait_state(a["id"]))["state"] == "completed"
    final = await api.job(b["id"])
    assert final["state"] == "stopped" and final["started"] is None
    assert await api.full_log(b["id"]) == ""
    assert (await api.get(f"jobs/{b['id']}/metrics")).json == {"metrics": []}
    assert not marker.exists()
    assert [e["type"] for e in final_events(jobs_dir, b["id"])] == ["status", "status"]
    assert (await api.delete(f"jobs/{b['id']}")).code == 204


async def test_the_queue_runs_jobs_in_creation_order_one_at_a_time(api, root, tmp_path):
    jobs, gates = [], []
    for name in "abc":
        job, gate = await start_gated(api, root, tmp_path, name)
        jobs.append(job)
        gates.append(gate)
    a, b, c = (job["id"] for job in jobs)
    await api.wait_state(a, ("running",))
    assert [(await api.job(j))["state"] for j in (b, c)] == ["queued", "queued"]
    gates[0].touch()
    await api.wait_state(b, ("running",))
    assert (await api.job(a))["state"] == "completed"
    assert (await api.job(c))["state"] == "queued"
    gates[1].touch()
    await api.wait_state(c, ("running",))
    gates[2].touch()
    done = [await api.wait_state(j) for j in (a, b, c)]
    assert all(d["state"] == "completed" for d in done)
    assert done[0]["ended"] <= done[1]["started"] and done[1]["ended"] <= done[2]["started"]


async def test_stopping_a_queued_job_frees_its_place(api, root, tmp_path):
    a, gate_a = await start_gated(api, root, tmp_path, "a")
    b, _ = await start_gated(api, root, tmp_path, "b")
    c, gate_c = await start_gated(api, root, tmp_path, "c")
    await api.wait_state(a["id"], ("running",))
    await api.post(f"jobs/{b['id']}/stop")
    await api.wait_state(b["id"])
    gate_a.touch()
    await api.wait_state(c["id"], ("running",))
    gate_c.touch()
    assert (await api.wait_state(c["id"]))["state"] == "completed"
    assert (await api.job(b["id"]))["state"] == "stopped"


async def test_stopping_a_running_job(api, root, tmp_path):
    a, _ = await start_gated(api, root, tmp_path, "a")
    await api.wait_state(a["id"], ("running",))
    await await_until(lambda: _log_has(api, a["id"], "started"))
    first = (await api.post(f"jobs/{a['id']}/stop")).json
    assert first["state"] in ("running", "stopped")
    again = await api.post(f"jobs/{a['id']}/stop")  # stopping twice is fine
    assert again.code == 200
    done = await api.wait_state(a["id"])
    assert done["state"] == "stopped", done
    assert done["exit_code"] == -signal.SIGTERM and "stop" in done["reason"]
    assert done["started"] is not None and done["ended"] >= done["started"]
    assert await api.full_log(a["id"]) == "started\n"


async def _log_has(api, job_id, text):
    return text in await api.full_log(job_id)


async def test_a_job_that_ignores_sigterm_is_killed_after_the_grace(api, root):
    write(root, "stubborn.py", (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: print('ignoring TERM', flush=True))\n"
        "print('up', flush=True)\n"
        "while True:\n"
        "    time.sleep(0.05)\n"
    ))
    job = await api.create({"path": "stubborn.py"})
    await await_until(lambda: _log_has(api, job["id"], "up"))
    await api.post(f"jobs/{job['id']}/stop")
    done = await api.wait_state(job["id"])
    assert done["state"] == "stopped" and done["exit_code"] == -signal.SIGKILL, done
    assert "ignoring TERM" in await api.full_log(job["id"])


async def test_stop_takes_the_whole_process_tree(api, root, tmp_path):
    pid_file = tmp_path / "child.pid"
    write(root, "tree.py", (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('spawned', flush=True)\n"
        "time.sleep(600)\n"
    ))
    job = await api.create({"path": "tree.py"})
    await await_until(lambda: _log_has(api, job["id"], "spawned"))
    child = psutil.Process(int(pid_file.read_text()))
    await api.post(f"jobs/{job['id']}/stop")
    assert (await api.wait_state(job["id"]))["state"] == "stopped"
    wait_until(lambda: not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, 10,
               message="the job's child process to end")


async def test_stopping_an_ended_job_changes_nothing(api, root):
    write(root, "ok.py", "print('ok')\n")
    done = await api.wait_state((await api.create({"path": "ok.py"}))["id"])
    r = await api.post(f"jobs/{done['id']}/stop")
    assert r.code == 200 and r.json["state"] == "completed"
    assert (await api.job(done["id"])) == done


async def test_a_job_whose_supervisor_is_killed_is_failed_and_lost(api, root, tmp_path, jobs_dir):
    a, gate = await start_gated(api, root, tmp_path, "a")
    b, gate_b = await start_gated(api, root, tmp_path, "b")
    await api.wait_state(a["id"], ("running",))
    status = json.loads((jobs_dir / a["id"] / "status.json").read_text())
    supervisor = psutil.Process(status["supervisor_pid"])
    assert "mo_jupyter.jobs.supervisor" in " ".join(supervisor.cmdline())
    os.kill(supervisor.pid, signal.SIGKILL)

    lost = await api.wait_state(a["id"], timeout=20)
    assert lost["state"] == "failed", lost
    assert "lost" in lost["reason"].lower()
    assert lost["ended"] is not None
    listed = {j["id"]: j for j in (await api.get("jobs")).json["jobs"]}
    assert listed[a["id"]]["state"] == "failed"
    # its slot is free again: the next job runs
    await api.wait_state(b["id"], ("running",))
    gate_b.touch()
    assert (await api.wait_state(b["id"]))["state"] == "completed"
    # and a lost job can be deleted
    assert (await api.delete(f"jobs/{a['id']}")).code == 204
    assert_user_error(await api.get(f"jobs/{a['id']}"), 404)
