"""A job whose supervisor is killed (-9) does not run on untracked: its main process dies with the
supervisor, the first reader (the service, or a waiting job's queue check) ends the rest of its
tree before it calls the job lost, and the queue gives its slot away only once nothing of it runs.
Real processes throughout."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time

import psutil
import pytest

from mo_jupyter.jobs.backends.local import LocalBackend
from mo_jupyter.jobs.records import JobDir

from .jobhelpers import make_service, script, wait_until

# The job starts a child in its process group and one in a session of its own (it left the group);
# each child appends a heartbeat (its clock) to a file every 10 ms, for ever.
TREE = """import os, subprocess, sys, time
beat = "import sys, time\\nwhile True:\\n    open(sys.argv[1], 'a').write(repr(time.time()) + '\\\\n')\\n    time.sleep(0.01)\\n"
a = subprocess.Popen([sys.executable, "-c", beat, "beat-group"])
b = subprocess.Popen([sys.executable, "-c", beat, "beat-escaped"], start_new_session=True)
open("pids", "w").write(f"{os.getpid()} {a.pid} {b.pid}")
print("up", flush=True)
time.sleep(300)
"""
MARK = "import sys, time\nopen(sys.argv[1], 'w').write(repr(time.time()))\n"


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def root(tmp_path):
    return tmp_path


def start_tree(svc, root):
    script(root, "tree.py", TREE)
    job = svc.create({"path": "tree.py"})
    wait_until(lambda: "up" in svc.read_log(job["id"])["text"], message="the job is up")
    pids = [int(p) for p in (root / "pids").read_text().split()]
    wait_until(lambda: (root / "beat-group").exists() and (root / "beat-escaped").exists(), message="beats")
    supervisor = JobDir(svc.jobs_dir, job["id"]).status()["supervisor_pid"]
    return job, pids, supervisor


def last_beat(path) -> float:
    return max(float(line) for line in path.read_text().split())


def test_the_main_process_dies_with_its_supervisor_and_a_reader_ends_the_rest(root):
    svc = make_service(root)
    job, (main, child, escaped), supervisor = start_tree(svc, root)
    os.kill(supervisor, signal.SIGKILL)
    # all of it gone: its lock goes with its last thread, not with its main thread (whose end is what
    # the job's main process dies with)
    wait_until(lambda: not JobDir(svc.jobs_dir, job["id"]).supervised(), timeout=10,
               message="the supervisor's lock to go")
    # no reader yet: the main process goes by itself (PR_SET_PDEATHSIG); the children still run
    wait_until(lambda: not alive(main), timeout=10, message="the main process to end")
    assert alive(child) and alive(escaped)
    lost = svc.get(job["id"])  # the reader: it ends the rest of the tree, then says lost
    assert lost["state"] == "failed" and "lost" in lost["reason"] and lost["ended"] is not None
    assert not alive(child) and not alive(escaped)
    assert not list((svc.jobs_dir / ".active" / "local").iterdir())  # no marker left


def test_a_queued_job_starts_only_once_nothing_of_the_lost_job_runs(root):
    svc = make_service(root, concurrency={"local": 1})
    job, (main, child, escaped), supervisor = start_tree(svc, root)
    script(root, "mark.py", MARK)
    second = svc.create({"path": "mark.py", "args": [str(root / "second-started")]})
    time.sleep(0.3)
    assert JobDir(svc.jobs_dir, second["id"]).status()["state"] == "queued"
    os.kill(supervisor, signal.SIGKILL)
    # all of it gone: its lock goes with its last thread, not with its main thread (whose end is what
    # the job's main process dies with)
    wait_until(lambda: not JobDir(svc.jobs_dir, job["id"]).supervised(), timeout=10,
               message="the supervisor's lock to go")
    # nobody calls the service: the waiting job's own queue check settles the lost one
    wait_until(lambda: (root / "second-started").exists(), timeout=20, message="the second job to start")
    started = float((root / "second-started").read_text())
    assert not alive(child) and not alive(escaped) and not alive(main)
    # every heartbeat of the lost job came before the second job started
    assert last_beat(root / "beat-group") < started and last_beat(root / "beat-escaped") < started
    record = JobDir(svc.jobs_dir, job["id"]).record()
    assert record["state"] == "failed" and "lost" in record["reason"]
    assert svc.wait(second["id"], timeout=20)["state"] == "completed"


def test_stop_of_a_job_whose_supervisor_died_ends_its_tree(root):
    svc = make_service(root)
    job, (main, child, escaped), supervisor = start_tree(svc, root)
    JobDir(svc.jobs_dir, job["id"]).request_stop()  # asked, but the supervisor dies before it acts
    os.kill(supervisor, signal.SIGKILL)
    # all of it gone: its lock goes with its last thread, not with its main thread (whose end is what
    # the job's main process dies with)
    wait_until(lambda: not JobDir(svc.jobs_dir, job["id"]).supervised(), timeout=10,
               message="the supervisor's lock to go")
    wait_until(lambda: not alive(main), timeout=10, message="the main process to end")
    stopped = svc.stop(job["id"])
    assert stopped["state"] == "stopped" and not alive(child) and not alive(escaped)


def victim_groups():
    """Two process groups of this user that have nothing to do with mo_jupyter: one whose leader
    runs (with a child), one whose leader has gone and left a member behind."""
    led = subprocess.Popen(["sh", "-c", "sleep 300 & wait"], start_new_session=True)
    orphaned = subprocess.Popen(["sh", "-c", "sleep 300 & echo $!"], start_new_session=True,
                                stdout=subprocess.PIPE, text=True)
    left = int(orphaned.stdout.readline())
    orphaned.wait(timeout=5)  # the leader is gone; its number stays the group of the sleep
    wait_until(lambda: psutil.Process(led.pid).children(), message="the victim's child")
    members = [led.pid, psutil.Process(led.pid).children()[0].pid, left]
    return [(led.pid, psutil.Process(led.pid).create_time()), (orphaned.pid, None)], members


def plant(svc, model_id: str, job_id: str, status: dict) -> None:
    """A record someone else wrote: a copy of a real job's folder, said to be running under a dead
    supervisor, with process numbers (and a nonce) of its writer's choosing."""
    src, dst = svc.jobs_dir / model_id, svc.jobs_dir / job_id
    shutil.copytree(src, dst)
    (dst / "lock").unlink(missing_ok=True)
    spec = json.loads((dst / "spec.json").read_text())
    (dst / "spec.json").write_text(json.dumps({**spec, "id": job_id}))
    record = {k: v for k, v in json.loads((dst / "status.json").read_text()).items()
              if k not in ("ended", "exit_code", "reason", "nonce")}
    (dst / "status.json").write_text(json.dumps({**record, "state": "running", "supervisor_pid": 1, **status}))


def test_a_planted_record_never_signals_a_process_the_job_did_not_start(root):
    svc = make_service(root)
    script(root, "ok.py", "print('hi')\n")
    model = svc.create({"path": "ok.py"})
    assert svc.wait(model["id"], timeout=30)["state"] == "completed"
    groups, members = victim_groups()
    try:
        planted = []
        for n, (pgid, created) in enumerate(groups):
            for nonce in (None, secrets.token_hex(16)):  # without a nonce, and with a guessed one
                job_id = f"20990101-00000{n}-{'ab' if nonce else 'cd'}cdef"
                plant(svc, model["id"], job_id, {"pid": pgid, "pgid": pgid, "pid_created": created,
                                                 **({"nonce": nonce} if nonce else {})})
                planted.append(job_id)
        jobs = {j["id"]: j for j in svc.list()}  # the first reader settles every planted record
        for job_id in planted:
            assert jobs[job_id]["state"] == "failed" and "lost" in jobs[job_id]["reason"]
        assert all(alive(pid) for pid in members)  # not one of the victims was signalled
    finally:
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_only_processes_that_carry_the_job_id_and_its_nonce_are_ended():
    job_id, nonce = "20240101-000000-aaaaaa", secrets.token_hex(16)
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]

    def start(env):
        return subprocess.Popen(sleep, env={**os.environ, **env}, start_new_session=True)

    ours = start({"MO_JOB_ID": job_id, "MO_JOB_NONCE": nonce})
    others = [start({"MO_JOB_ID": job_id, "MO_JOB_NONCE": secrets.token_hex(16)}),  # another nonce
              start({"MO_JOB_ID": job_id}),  # the id alone: anyone can read it from the record
              start({"MO_JOB_ID": "20240101-000000-bbbbbb", "MO_JOB_NONCE": nonce})]
    try:
        # the record even names the right group and start time of one of the others: not enough
        status = {"pgid": others[0].pid, "pid_created": psutil.Process(others[0].pid).create_time(),
                  "nonce": nonce}
        assert LocalBackend().end_lost({"id": job_id}, status, timeout=5)
        assert ours.wait(timeout=5) == -signal.SIGKILL
        assert all(p.poll() is None and alive(p.pid) for p in others)
        # a malformed or missing nonce matches nothing (not even processes without one)
        for bad in ({}, {"nonce": ""}, {"nonce": 7}, {"nonce": "x" * 32}):
            assert LocalBackend().end_lost({"id": job_id}, {**bad, "pgid": others[1].pid}, timeout=1)
        assert all(p.poll() is None for p in others)
    finally:
        for p in [ours, *others]:
            p.kill()
            p.wait()
