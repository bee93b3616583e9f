"""Real jobs on the local backend, through the jobs service (no server)."""

import os
import signal
import subprocess
import sys

import nbformat
import orjson
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mo_jupyter.errors import BadRequest, Conflict, NotFound, Unavailable
from mo_jupyter.jobs.records import JobDir

from .jobhelpers import make_service, script, wait_until


@pytest.fixture
def root(tmp_path):
    (tmp_path / "results").mkdir()
    return tmp_path


def test_completed_job_records_everything(root):
    svc = make_service(root)
    script(root, "train.py", "import json, sys\n"
           "for e in range(3):\n"
           "    print(json.dumps({'metric': 'loss', 'value': 1 / (e + 1), 'epoch': e}))\n"
           "print('to stderr', file=sys.stderr)\n"
           "open('results/model.txt', 'w').write('trained')\n")
    job = svc.create({"path": "train.py", "name": "first"})
    assert job["state"] in ("queued", "running") and job["name"] == "first" and job["backend"] == "local"
    done = svc.wait(job["id"], timeout=30)
    assert done["state"] == "completed" and done["exit_code"] == 0 and done["reason"] is None
    assert done["created"] <= done["started"] <= done["ended"]
    assert done["command"][-1] == "train.py" and done["peak_memory"] > 1_000_000
    assert [m["value"] for m in svc.metrics(job["id"])] == [1.0, 0.5, 1 / 3]
    assert [m["epoch"] for m in svc.metrics(job["id"])] == [0, 1, 2]
    log = svc.read_log(job["id"])
    assert "to stderr" in log["text"] and log["complete"] and log["text"].count("\n") == 4
    assert (root / "results" / "model.txt").read_text() == "trained"


def test_log_offsets_resume(root):
    svc = make_service(root)
    script(root, "p.py", "for i in range(1000): print('line', i)\n")
    job = svc.wait(svc.create({"path": "p.py"})["id"])
    first = svc.read_log(job["id"], 0, limit=100)
    assert first["text"].endswith("\n") and first["next_offset"] == len(first["text"].encode())
    rest = svc.read_log(job["id"], first["next_offset"])
    assert (first["text"] + rest["text"]).splitlines() == [f"line {i}" for i in range(1000)]
    with pytest.raises(BadRequest):
        svc.read_log(job["id"], -1)


def test_failed_job_has_exit_code_and_reason(root):
    svc = make_service(root)
    script(root, "bad.py", "import sys\nprint('about to fail')\nsys.exit(3)\n")
    done = svc.wait(svc.create({"path": "bad.py"})["id"], timeout=30)
    assert done["state"] == "failed" and done["exit_code"] == 3 and done["reason"] == "exited with code 3"


def test_args_env_and_working_directory(root):
    svc = make_service(root)
    (root / "sub").mkdir()
    script(root, "sub/show.py", "import os, sys, json\n"
           "print(json.dumps({'argv': sys.argv[1:], 'cwd': os.getcwd(), 'env': os.environ.get('MY_VAR'),"
           " 'cuda': os.environ.get('CUDA_VISIBLE_DEVICES'), 'unbuffered': os.environ.get('PYTHONUNBUFFERED')}))\n")
    job = svc.create({"path": "sub/show.py", "args": ["--epochs", "3", "a b"], "env": {"MY_VAR": "x y"}})
    svc.wait(job["id"])
    out = orjson.loads(svc.read_log(job["id"])["text"])
    assert out == {"argv": ["--epochs", "3", "a b"], "cwd": str(root.resolve()), "env": "x y", "cuda": "",
                   "unbuffered": "1"}


def test_gpu_refused_without_gpu_and_set_with_one(root):
    script(root, "g.py", "import os; print(os.environ['CUDA_VISIBLE_DEVICES'])\n")
    svc = make_service(root, backends={"local": {"gpus": []}})
    with pytest.raises(Unavailable, match="no GPU"):
        svc.create({"path": "g.py", "machine": "gpu"})
    assert not any(svc.jobs_dir.glob("2*"))  # nothing was created
    gpu_svc = make_service(root, backends={"local": {"gpus": ["0", "1"]}})
    job = gpu_svc.wait(gpu_svc.create({"path": "g.py", "machine": "gpu"})["id"])
    assert gpu_svc.read_log(job["id"])["text"].strip() == "0,1"
    assert {m["name"]: m["available"] for m in svc.config()["machines"]} == {"cpu": True, "gpu": False}


@pytest.mark.parametrize("request_body,error", [
    ({"path": "x.py", "machine": "tpu"}, "unknown machine"),
    ({"path": "x.py", "backend": "docker"}, "not enabled"),
    ({"path": "x.py", "args": [1]}, "args/0"),
    ({"path": "x.py", "env": {"A": 1}}, "env/A"),
    ({"path": "x.py", "env": {"1A": "x"}}, "env"),
    ({"path": "x.py", "what": 1}, "'what' was unexpected"),
    ({"path": "data.csv"}, "neither a .py"),
    ({"path": "folder"}, "not a file"),
    ({}, "'path' is a required property"),
])
def test_bad_requests_are_refused_and_nothing_runs(root, request_body, error):
    script(root, "x.py", "print(1)\n")
    (root / "data.csv").write_text("a,b\n")
    (root / "folder").mkdir()
    svc = make_service(root)
    with pytest.raises(BadRequest, match=error):
        svc.create(request_body)
    assert svc.list() == []


def test_unknown_ids(root):
    svc = make_service(root)
    for bad in ("nope", "../etc", "", "a/b"):
        with pytest.raises(NotFound):
            svc.get(bad)


def test_stop_ends_the_whole_process_tree(root):
    svc = make_service(root)
    script(root, "tree.py", "import subprocess, sys, time\n"
           "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
           "grand = subprocess.Popen([sys.executable, '-c', 'import os, time; os.setsid(); time.sleep(300)'])\n"
           "print('pids', child.pid, grand.pid, flush=True)\n"
           "time.sleep(300)\n")
    job = svc.create({"path": "tree.py"})
    text = wait_until(lambda: "pids" in svc.read_log(job["id"])["text"] and svc.read_log(job["id"])["text"],
                      message="pids printed")
    pids = [int(p) for p in text.split()[1:3]]
    assert all(psutil.pid_exists(p) for p in pids)
    svc.stop(job["id"])
    done = svc.wait(job["id"], timeout=30)
    assert done["state"] == "stopped" and done["reason"] == "stopped by the user"
    for pid in pids:
        wait_until(lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE,
                   timeout=10, message=f"pid {pid} gone")


def test_stop_kills_a_job_that_ignores_sigterm(root):
    svc = make_service(root, grace_seconds=0.5)
    script(root, "stubborn.py", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
           "print('ready', flush=True)\ntime.sleep(300)\n")
    job = svc.create({"path": "stubborn.py"})
    wait_until(lambda: "ready" in svc.read_log(job["id"])["text"], message="ready")
    svc.stop(job["id"])
    done = svc.wait(job["id"], timeout=30)
    assert done["state"] == "stopped" and done["exit_code"] == -signal.SIGKILL


def test_queue_runs_in_order_and_stop_while_queued(root):
    svc = make_service(root)  # concurrency 1
    script(root, "gate.py", "import os, time\nprint('started', flush=True)\n"
           "while not os.path.exists('open-gate'): time.sleep(0.02)\n")
    a = svc.create({"path": "gate.py", "name": "a"})
    b = svc.create({"path": "gate.py", "name": "b"})
    c = svc.create({"path": "gate.py", "name": "c"})
    wait_until(lambda: svc.get(a["id"])["state"] == "running", message="a running")
    wait_until(lambda: "started" in svc.read_log(a["id"])["text"], message="a printed")
    assert svc.get(b["id"])["state"] == "queued" and svc.get(c["id"])["state"] == "queued"
    stopped = svc.stop(b["id"])
    assert stopped["state"] in ("queued", "stopped")
    assert svc.wait(b["id"], timeout=10)["state"] == "stopped"
    (root / "open-gate").touch()
    assert svc.wait(a["id"])["state"] == "completed"
    done_c = svc.wait(c["id"])
    assert done_c["state"] == "completed" and done_c["started"] >= svc.get(a["id"])["ended"]
    never = svc.get(b["id"])
    assert never["started"] is None and svc.read_log(b["id"])["text"] == ""
    assert never["reason"] == "stopped before it started"


def test_concurrency_limit_is_respected(root):
    svc = make_service(root, concurrency={"local": 2})
    script(root, "span.py", "import time, sys\nt0 = time.time()\ntime.sleep(0.4)\nprint(t0, time.time())\n")
    ids = [svc.create({"path": "span.py", "name": f"j{i}"})["id"] for i in range(6)]
    spans = []
    for job_id in ids:
        assert svc.wait(job_id, timeout=60)["state"] == "completed"
        spans.append(tuple(map(float, svc.read_log(job_id)["text"].split())))
    for t, _ in spans:  # at any start, at most 2 jobs were running
        assert sum(1 for s, e in spans if s <= t < e) <= 2
    starts = [svc.get(i)["started"] for i in ids]
    # first come, first served: only jobs within one window of free slots may swap their starts
    assert all(starts[i] <= starts[j] for i in range(len(ids)) for j in range(i + 2, len(ids)))


def test_notebook_job_runs_cell_by_cell(root):
    nb = new_notebook(cells=[
        new_code_cell("import json\nx = 2"),
        new_code_cell("print(json.dumps({'metric': 'acc', 'value': 0.25 * x, 'step': 1}))"),
        new_code_cell("!echo from-shell"),
    ])
    nbformat.write(nb, root / "nb.ipynb")
    svc = make_service(root)
    job = svc.create({"path": "nb.ipynb"})
    assert job["kind"] == "notebook"
    assert svc.wait(job["id"])["state"] == "completed"
    assert svc.metrics(job["id"])[0]["value"] == 0.5
    assert "from-shell" in svc.read_log(job["id"])["text"]
    nbformat.write(new_notebook(cells=[new_code_cell("print('one')"), new_code_cell("1/0"),
                                       new_code_cell("print('never')")]), root / "bad.ipynb")
    bad = svc.wait(svc.create({"path": "bad.ipynb"})["id"])
    text = svc.read_log(bad["id"])["text"]
    assert bad["state"] == "failed" and "ZeroDivisionError" in text and "never" not in text


def test_dead_supervisor_is_reported_not_left_running(root):
    svc = make_service(root)
    script(root, "long.py", "import time\nprint('up', flush=True)\ntime.sleep(300)\n")
    job = svc.create({"path": "long.py"})
    wait_until(lambda: "up" in svc.read_log(job["id"])["text"], message="running")
    status = JobDir(svc.jobs_dir, job["id"]).status()
    os.kill(status["supervisor_pid"], signal.SIGKILL)
    lost = wait_until(lambda: svc.get(job["id"])["state"] != "running" and svc.get(job["id"]), timeout=10)
    assert lost["state"] == "failed" and "lost" in lost["reason"]
    assert "up" in svc.read_log(job["id"])["text"]  # its output is kept
    # and it does not run on untracked (tests/unit/test_jobs_lost.py covers whole trees)
    pid = JobDir(svc.jobs_dir, job["id"]).status()["pid"]
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_job_outlives_the_process_that_created_it(root):
    script(root, "slow.py", "import time\ntime.sleep(1)\nprint('finished')\n")
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from mo_jupyter.jobs.service import JobService\n"
            "print(JobService(%r).create({'path': 'slow.py'})['id'])\n") % (os.getcwd(), str(root))
    creator = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    job_id = creator.stdout.strip()
    assert creator.returncode == 0 and job_id
    svc = make_service(root)
    assert svc.get(job_id)["state"] in ("queued", "running")  # the creator is gone, the job is not
    done = svc.wait(job_id, timeout=30)
    assert done["state"] == "completed" and "finished" in svc.read_log(job_id)["text"]


def test_delete_only_when_finished_and_broken_records_do_not_break_the_list(root):
    svc = make_service(root)
    script(root, "w.py", "import os, time\nwhile not os.path.exists('go'): time.sleep(0.02)\n")
    job = svc.create({"path": "w.py"})
    with pytest.raises(Conflict):
        svc.delete(job["id"])
    (root / "go").touch()
    svc.wait(job["id"])
    broken = svc.jobs_dir / "20200101-000000-abcdef"
    broken.mkdir()
    (broken / "spec.json").write_text("{not json")
    listed = svc.list()
    assert {j["id"] for j in listed} == {job["id"], broken.name}
    bad = next(j for j in listed if j["id"] == broken.name)
    assert bad["state"] == "failed" and "unreadable" in bad["reason"]
    svc.delete(job["id"])
    with pytest.raises(NotFound):
        svc.get(job["id"])


def test_random_output_never_breaks_the_job_and_charts_exactly_the_metric_lines(root):
    import random

    from mo_jupyter.jobs.metrics import parse_line

    rng = random.Random(1234)
    pieces = ['{"metric": "m", "value": %s}', '{"metric": "m", "value": 1, "step": %s}', "%s", '{"metric": %s}']
    atoms = ["1", "1.5", "NaN", "-Infinity", '"x"', "[1]", "true", "null", "{", "}", '"', "\\", "\u00e9", "3.0"]
    lines = []
    for _ in range(10_000):
        line = rng.choice(pieces) % "".join(rng.choice(atoms) for _ in range(rng.randint(1, 3)))
        lines.append(line)
    (root / "lines.txt").write_text("\n".join(lines) + "\n")
    script(root, "emit.py", "import sys\nsys.stdout.write(open('lines.txt').read())\n")
    svc = make_service(root)
    job = svc.wait(svc.create({"path": "emit.py"})["id"], timeout=60)
    assert job["state"] == "completed"
    expected = [parse_line(l.encode()).metric for l in lines]
    expected = [m for m in expected if m is not None]
    got = [{k: v for k, v in m.items() if k not in ("time", "seq", "source")} for m in svc.metrics(job["id"])]
    assert got == expected and len(got) > 500
    assert svc.read_log(job["id"])["text"].splitlines() == lines


def test_jobs_dir_is_configurable_inside_or_outside_the_project(root, tmp_path_factory):
    script(root, "hi.py", "print('hi')\n")
    inside = make_service(root, jobs_dir="custom/jobs")
    job = inside.wait(inside.create({"path": "hi.py"})["id"])
    assert (root / "custom" / "jobs" / job["id"] / "output.log").read_text() == "hi\n"
    elsewhere = tmp_path_factory.mktemp("records")
    outside = make_service(root, jobs_dir=str(elsewhere))
    job = outside.wait(outside.create({"path": "hi.py"})["id"])
    assert (elsewhere / job["id"] / "output.log").read_text() == "hi\n"
    assert [j["id"] for j in outside.list()] == [job["id"]]


def test_a_job_that_closes_its_output_can_still_be_stopped(root):
    svc = make_service(root)
    script(root, "quiet.py", "import os, sys, time\nprint('closing', flush=True)\n"
           "os.close(1)\nos.close(2)\ntime.sleep(300)\n")
    job = svc.create({"path": "quiet.py"})
    wait_until(lambda: "closing" in svc.read_log(job["id"])["text"], message="printed")
    svc.stop(job["id"])
    done = svc.wait(job["id"], timeout=30)
    assert done["state"] == "stopped" and done["exit_code"] == -signal.SIGTERM
