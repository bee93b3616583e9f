"""A job whose supervisor is killed (-9) does not run on untracked: its main process dies with the
supervisor, the first reader (the service, or a waiting job's queue check) ends the rest of its
tree before it calls the job lost, and the queue gives its slot away only once nothing of it runs.
Real processes throughout."""

from __future__ import annotations

import os
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
    wait_until(lambda: not alive(main), timeout=10, message="the main process to end")
    stopped = svc.stop(job["id"])
    assert stopped["state"] == "stopped" and not alive(child) and not alive(escaped)


def test_a_recorded_group_whose_number_now_leads_another_process_is_not_signalled(root):
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        created = psutil.Process(stranger.pid).create_time()
        # a record that says the job's group was this number, led by a process started earlier
        ended = LocalBackend().end_lost({"id": "20240101-000000-aaaaaa"},
                                        {"pgid": stranger.pid, "pid_created": created - 100}, timeout=1)
        assert ended and stranger.poll() is None and alive(stranger.pid)
        # the same record with the right start time: that group is the job's, and it ends
        assert LocalBackend().end_lost({"id": "20240101-000000-aaaaaa"},
                                       {"pgid": stranger.pid, "pid_created": created}, timeout=5)
        assert stranger.wait(timeout=5) == -signal.SIGKILL
    finally:
        stranger.kill()
        stranger.wait()
