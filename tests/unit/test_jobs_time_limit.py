"""A job's max run time: enforced by its detached supervisor (no server involved), counted from the
job's start, ending the job as a user stop does, in state ``stopped`` with the reason ``time limit``."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from mo_jupyter.errors import BadRequest
from mo_jupyter.jobs.records import JobDir

from .jobhelpers import make_service, script


@pytest.fixture
def root(tmp_path):
    return tmp_path


def test_a_job_past_its_max_run_time_is_stopped_with_the_reason(root):
    svc = make_service(root)
    script(root, "slow.py", "import os, time\nprint('pid', os.getpid(), flush=True)\ntime.sleep(60)\n")
    job = svc.create({"path": "slow.py", "max_run_seconds": 2, "description": "sleeps too long"})
    assert job["max_run_seconds"] == 2 and job["description"] == "sleeps too long"
    begun = time.monotonic()
    done = svc.wait(job["id"], timeout=20)
    took = time.monotonic() - begun
    assert done["state"] == "stopped", done
    assert done["reason"] == "time limit: ran longer than 2 s"
    assert 1.5 < done["ended"] - done["started"] < 8 and took < 15
    pid = int(svc.read_log(job["id"])["text"].split()[1])
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert svc.get(job["id"])["max_run_seconds"] == 2  # kept in the record


def test_a_job_that_ends_before_its_limit_completes(root):
    svc = make_service(root)
    script(root, "quick.py", "print('done')\n")
    done = svc.wait(svc.create({"path": "quick.py", "max_run_seconds": 30})["id"], timeout=20)
    assert done["state"] == "completed" and done["reason"] is None and done["max_run_seconds"] == 30


def test_queued_time_does_not_count(root):
    svc = make_service(root)  # one slot on the local backend: the second job waits for the first
    script(root, "hold.py", "import time\ntime.sleep(3)\n")
    script(root, "short.py", "import time\ntime.sleep(0.5)\n")
    first = svc.create({"path": "hold.py"})
    second = svc.create({"path": "short.py", "max_run_seconds": 2})
    done = svc.wait(second["id"], timeout=30)
    assert svc.get(first["id"])["state"] == "completed"
    assert done["started"] - done["created"] > 2  # it waited longer than its limit, then ran
    assert done["state"] == "completed", done


def test_the_fields_are_optional_and_validated(root):
    svc = make_service(root)
    script(root, "quick.py", "pass\n")
    plain = svc.create({"path": "quick.py"})
    assert "max_run_seconds" not in plain and "description" not in plain
    assert "max_run_seconds" not in JobDir(svc.jobs_dir, plain["id"]).spec()
    for bad in ({"max_run_seconds": 0}, {"max_run_seconds": 2592001}, {"max_run_seconds": 1.5},
                {"max_run_seconds": True}, {"max_run_seconds": "5"}, {"description": "x" * 2001},
                {"description": 3}):
        with pytest.raises(BadRequest):
            svc.create({"path": "quick.py", **bad})
    svc.wait(plain["id"], timeout=20)


def test_cli_run_with_description_and_max_run_time_then_rerun(root):
    repo = Path(__file__).resolve().parents[2]

    def mo(*args):
        env = dict(os.environ, PYTHONPATH=str(repo))
        return subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=60)

    script(root, "slow.py", "import time\ntime.sleep(60)\n")
    ran = mo("job", "run", "slow.py", "--description", "too slow", "--max-run-time", "1", "--wait")
    assert ran.returncode != 0 and "stopped: time limit: ran longer than 1 s" in ran.stderr, ran.stderr
    first = ran.stdout.split()[0]
    again = mo("job", "rerun", first[:17], "--wait")
    assert again.returncode != 0 and "time limit" in again.stderr, again.stderr
    second = again.stdout.split()[0]
    record = make_service(root).get(second)
    assert second != first and record["description"] == "too slow" and record["max_run_seconds"] == 1
    assert mo("job", "run", "slow.py", "--max-run-time", "0").returncode != 0
    assert mo("job", "rerun", "nosuch").returncode != 0
