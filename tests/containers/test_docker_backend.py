"""The docker backend against a real engine: states, exit codes, stop, OOM, mounts, ownership."""

from __future__ import annotations

import os
import time

import pytest

from mo_jupyter.errors import BadRequest, Unavailable
from mo_jupyter.jobs.service import JobService

from ..unit.jobhelpers import script, wait_until


@pytest.fixture
def svc(project, docker_client, machines):
    return JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker",
                      grace_seconds=3.0)


def containers_of(client, job_id):
    return client.containers.list(all=True, ignore_removed=True, filters={"label": f"mo.job={job_id}"})


def test_a_job_runs_in_a_container_and_leaves_nothing_behind(svc, project, docker_client):
    script(project, "train.py", "import json, os, sys\n"
           "print(json.dumps({'metric': 'acc', 'value': 0.5, 'epoch': 1}))\n"
           "print('cwd', os.getcwd(), 'data', open('datasets/data.txt').read().strip(), file=sys.stderr)\n"
           "print('unbuffered', os.environ.get('PYTHONUNBUFFERED'), 'job', os.environ.get('MO_JOB_ID'))\n"
           "open('results/model.txt', 'w').write('ok')\n")
    job = svc.create({"path": "train.py"})
    assert job["backend"] == "docker" and job["command"][0] == "python3"
    done = svc.wait(job["id"], timeout=60)
    assert done["state"] == "completed" and done["exit_code"] == 0, done
    text = svc.read_log(job["id"])["text"]
    assert "cwd /workspace data 42" in text and f"unbuffered 1 job {job['id']}" in text
    assert svc.metrics(job["id"])[0]["value"] == 0.5
    assert (project / "results" / "model.txt").read_text() == "ok"
    wait_until(lambda: containers_of(docker_client, job["id"]) == [], timeout=10, message="container removed")


def test_exit_code_and_reason(svc, project):
    script(project, "bad.py", "import sys\nprint('failing')\nsys.exit(3)\n")
    done = svc.wait(svc.create({"path": "bad.py"})["id"], timeout=60)
    assert done["state"] == "failed" and done["exit_code"] == 3 and done["reason"] == "exited with code 3"


def test_stop_a_running_container(svc, project, docker_client):
    script(project, "long.py", "import time\nprint('up', flush=True)\ntime.sleep(300)\n")
    job = svc.create({"path": "long.py"})
    wait_until(lambda: "up" in svc.read_log(job["id"])["text"], timeout=60, message="container up")
    live = wait_until(lambda: svc.get(job["id"]).get("memory"), timeout=30, message="live memory from stats")
    assert live > 1_000_000 and svc.get(job["id"])["cpu_percent"] >= 0
    (running,) = containers_of(docker_client, job["id"])
    running.reload()
    assert running.attrs["HostConfig"]["Init"] is True
    assert running.labels["mo.job.name"] == "long"
    t0 = time.monotonic()
    svc.stop(job["id"])
    done = svc.wait(job["id"], timeout=30)
    assert done["state"] == "stopped" and done["reason"] == "stopped by the user"
    assert time.monotonic() - t0 < svc.grace_seconds + 5  # ended by SIGTERM through the init, not a timeout
    assert done["exit_code"] == 143 and done["peak_memory"] >= live  # the peak is kept after the end
    wait_until(lambda: containers_of(docker_client, job["id"]) == [], timeout=10, message="container removed")


def test_out_of_memory_is_reported_with_the_limit(svc, project):
    script(project, "hog.py", "blocks = []\nfor _ in range(512):\n    blocks.append(bytearray(1024 * 1024))\n"
           "print('survived')\n")
    done = svc.wait(svc.create({"path": "hog.py", "machine": "small"})["id"], timeout=60)
    assert done["state"] == "failed" and done["exit_code"] == 137
    assert done["reason"] == "out of memory (limit 64 MiB)"
    assert "survived" not in svc.read_log(done["id"])["text"]


def test_results_belong_to_the_project_owner_and_the_rest_is_read_only(svc, project):
    os.chown(project, 4321, 4321)
    (project / "results").mkdir()
    os.chown(project / "results", 4321, 4321)
    script(project, "own.py", "import os\nopen('results/out.txt', 'w').write(str(os.getuid()))\n"
           "try:\n    open('elsewhere.txt', 'w')\nexcept OSError as e:\n    print('refused', e.errno)\n")
    done = svc.wait(svc.create({"path": "own.py"})["id"], timeout=60)
    assert done["state"] == "completed", svc.read_log(done["id"])["text"]
    out = project / "results" / "out.txt"
    assert out.read_text() == "4321" and out.stat().st_uid == 4321
    assert "refused 30" in svc.read_log(done["id"])["text"]  # EROFS
    assert not (project / "elsewhere.txt").exists()


def test_notebook_job_in_a_container(svc, project):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nbformat.write(new_notebook(cells=[new_code_cell("import json\nx = 3"),
                                       new_code_cell("print(json.dumps({'metric': 'x', 'value': x}))")]),
                   project / "nb.ipynb")
    done = svc.wait(svc.create({"path": "nb.ipynb"})["id"], timeout=60)
    assert done["state"] == "completed", svc.read_log(done["id"])["text"]
    assert svc.metrics(done["id"])[0]["value"] == 3


def test_refusals_are_clear(svc, project):
    script(project, "x.py", "print(1)\n")
    with pytest.raises(Unavailable, match="not built here; build it with 'jupyter mo image build missing"):
        svc.create({"path": "x.py", "machine": "missing"})
    with pytest.raises(Unavailable, match="no GPU runtime"):
        svc.create({"path": "x.py", "machine": "gpu"})
    with pytest.raises(BadRequest, match="unknown machine type 'tpu'"):
        svc.create({"path": "x.py", "machine": "tpu"})
    machines = {m["name"]: m for m in svc.config()["machines"]}
    assert machines["cpu"]["available"] and not machines["gpu"]["available"]


def test_queue_with_concurrency_two_runs_everything_in_order(project, docker_client, machines):
    svc = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker",
                     concurrency={"docker": 2})
    script(project, "span.py", "import time\nt0 = time.time()\ntime.sleep(0.5)\nprint(t0, time.time())\n")
    ids = [svc.create({"path": "span.py"})["id"] for _ in range(6)]
    spans = []
    for job_id in ids:
        done = svc.wait(job_id, timeout=120)
        assert done["state"] == "completed", done
        spans.append(tuple(map(float, svc.read_log(job_id)["text"].split())))
    for t, _ in spans:
        assert sum(1 for s, e in spans if s <= t < e) <= 2
    starts = [svc.get(i)["started"] for i in ids]
    assert all(starts[i] <= starts[j] for i in range(len(ids)) for j in range(i + 2, len(ids)))


def test_fifty_jobs_concurrency_two_none_lost_none_early(project, docker_client, machines):
    svc = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker",
                     concurrency={"docker": 2})
    script(project, "tick.py", "import sys, time\nt0 = time.time()\ntime.sleep(0.05)\nprint(sys.argv[1], t0, time.time())\n")
    ids = [svc.create({"path": "tick.py", "args": [str(i)]})["id"] for i in range(50)]
    records = [svc.wait(job_id, timeout=300) for job_id in ids]
    assert [r["state"] for r in records] == ["completed"] * 50  # none lost
    spans = []
    for i, job_id in enumerate(ids):
        n, start, end = svc.read_log(job_id)["text"].split()
        assert int(n) == i
        spans.append((float(start), float(end)))
    for t, _ in spans:  # none ran early: never more than 2 at once
        assert sum(1 for s, e in spans if s <= t < e) <= 2
    starts = [r["started"] for r in records]
    # first come, first served: only jobs within one window of free slots may swap their starts
    assert all(starts[i] <= starts[j] for i in range(50) for j in range(i + 2, 50))
    label = f"mo.project={os.path.realpath(project)}"
    wait_until(lambda: docker_client.containers.list(all=True, ignore_removed=True, filters={"label": label}) == [], timeout=30,
               message="every container removed")


def test_a_results_link_out_of_the_project_is_never_mounted(svc, project, tmp_path, docker_client):
    """`results -> /somewhere/else`: the job is refused with a 400 before it is made, and a link
    planted after the job was accepted (while it waits for its slot) fails it at the start; the
    folder outside is never written."""
    outside = tmp_path / "other-user"
    outside.mkdir()
    script(project, "escape.py", "open('results/pwned.txt', 'w').write('x')\n")
    (project / "results").symlink_to(outside)
    with pytest.raises(BadRequest, match="'results' is a link"):
        svc.create({"path": "escape.py"})
    (project / "results").unlink()
    (project / "inside").mkdir()
    (project / "results").symlink_to(project / "inside")  # a link, even one that stays inside
    with pytest.raises(BadRequest, match="'results' is a link"):
        svc.create({"path": "escape.py"})
    (project / "results").unlink()

    script(project, "hold.py", "import time\nprint('up', flush=True)\ntime.sleep(300)\n")
    first = svc.create({"path": "hold.py"})  # concurrency 1: the next job waits for its slot
    wait_until(lambda: "up" in svc.read_log(first["id"])["text"], timeout=60, message="first job up")
    queued = svc.create({"path": "escape.py"})
    os.rmdir(project / "results")
    (project / "results").symlink_to(outside)
    svc.stop(first["id"])
    done = svc.wait(queued["id"], timeout=60)
    assert done["state"] == "failed" and "'results' is a link" in done["reason"], done
    assert list(outside.iterdir()) == [] and containers_of(docker_client, queued["id"]) == []


def test_inserted_dataset_files_are_read_only_in_a_job(project, tmp_path, docker_client, machines):
    """A job cannot change the catalog's original through an inserted dataset (a hard link when
    the catalog is on the project's file system): the project is mounted read-only."""
    from mo_jupyter.catalog.service import CatalogService

    catalog = CatalogService(project, [str(tmp_path / "catalog")], owner="alice")
    (project / "coding_here.ipynb").write_text("{}")
    catalog.datasets.insert("mo", "text_zh_en", "coding_here.ipynb")
    files = sorted(p for p in (project / "datasets").rglob("*") if p.is_file() and p.name != "data.txt")
    assert files
    before = {p: p.read_bytes() for p in files}
    rels = [str(p.relative_to(project)) for p in files]
    script(project, "tamper.py", "import os, sys\n"
           f"for rel in {rels!r}:\n"
           "    for how in ('a', 'r+'):\n"
           "        try:\n            open(rel, how).write('corrupt')\n            print('wrote', rel)\n"
           "        except OSError as e:\n            print('refused', e.errno)\n"
           "    for act in (lambda: os.chmod(rel, 0o666), lambda: os.remove(rel), lambda: os.truncate(rel, 0)):\n"
           "        try:\n            act()\n            print('changed', rel)\n"
           "        except OSError as e:\n            print('refused', e.errno)\n")
    svc = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker")
    done = svc.wait(svc.create({"path": "tamper.py"})["id"], timeout=90)
    log = svc.read_log(done["id"])["text"]
    assert done["state"] == "completed", log
    assert "wrote" not in log and "changed" not in log and log.count("refused 30") == 5 * len(files)  # EROFS
    assert {p: p.read_bytes() for p in files} == before
    originals = [p for p in (tmp_path / "catalog").rglob("*") if p.is_file()]
    assert all(b"corrupt" not in p.read_bytes() for p in originals)
