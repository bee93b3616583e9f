"""Hostile names, records and folders around jobs: files named like options, planted or oversized
records, stale queue markers, a jobs folder that cannot be written, and bounded requests."""

from __future__ import annotations

import os
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mo_jupyter.errors import BadRequest, MoError

from .jobhelpers import make_service, script, wait_until


@pytest.fixture
def root(tmp_path):
    return tmp_path


def markers(svc) -> list[str]:
    active = svc.jobs_dir / ".active"
    return sorted(p.name for p in active.glob("*/*")) if active.is_dir() else []


# ---- a file whose name starts with '-' runs that file -------------------------------------------
@pytest.mark.parametrize("name", ["-x.py", "--version.py", "-c.py"])
def test_a_script_named_like_an_option_runs(root, name):
    script(root, name, "import sys\nprint('ran', sys.argv[1:])\n")
    svc = make_service(root)
    job = svc.wait(svc.create({"path": name, "args": ["-a", "--b"]})["id"], timeout=30)
    assert job["state"] == "completed", svc.read_log(job["id"])["text"]
    assert svc.read_log(job["id"])["text"] == "ran ['-a', '--b']\n"
    assert job["path"] == name


def test_a_notebook_named_like_an_option_runs(root):
    nbformat.write(new_notebook(cells=[new_code_cell("print('cell ran')")]), root / "-n.ipynb")
    svc = make_service(root)
    job = svc.wait(svc.create({"path": "-n.ipynb"})["id"], timeout=60)
    assert job["state"] == "completed" and "cell ran" in svc.read_log(job["id"])["text"]


# ---- bounded requests and records -------------------------------------------------------------
@pytest.mark.parametrize("request_body", [
    {"args": ["a" * 60_000]},                    # one huge argument
    {"args": ["a" * 16_000] * 5},                # each allowed, together too large
    {"env": {f"K{i}": "v" * 16_000 for i in range(5)}},
    {"args": ["x"] * 5000},
    {"name": "n" * 100_000},
])
def test_huge_requests_are_refused_with_a_short_message_and_nothing_runs(root, request_body):
    script(root, "hi.py", "print('hi')\n")
    svc = make_service(root)
    with pytest.raises(BadRequest) as info:
        svc.create({"path": "hi.py", **request_body})
    assert len(info.value.message) <= 1100
    assert svc.list() == [] and markers(svc) == []


def test_the_cli_refuses_huge_args_in_one_line(root, capsys):
    from mo_jupyter.cli.main import main as cli

    script(root, "hi.py", "print('hi')\n")
    code = cli(["--root", str(root), "job", "run", str(root / "hi.py"), "--", *(["a" * 16_000] * 5)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and len(err) < 1200


@pytest.mark.parametrize("name", ["spec.json", "status.json"])
def test_a_planted_huge_record_reads_as_unreadable_and_keeps_the_list_small(root, name):
    script(root, "hi.py", "print('hi')\n")
    svc = make_service(root)
    good = svc.wait(svc.create({"path": "hi.py"})["id"])
    planted = svc.jobs_dir / "20200101-000000-abcdef"
    planted.mkdir()
    (planted / "spec.json").write_text((svc.jobs_dir / good["id"] / "spec.json").read_text())
    with open(planted / name, "wb") as f:  # 50 MB of valid JSON: loaded whole it would be listed
        f.write(b'{"state": "completed", "args": ["' + b"a" * 50_000_000 + b'"]}')
    started = time.monotonic()
    listed = svc.list()
    assert time.monotonic() - started < 1.0
    bad = next(j for j in listed if j["id"] == planted.name)
    assert bad["state"] == "failed" and f"{name} is over" in bad["reason"] and len(bad["reason"]) < 250
    assert len(repr(listed)) < 10_000
    assert next(j for j in listed if j["id"] == good["id"])["state"] == "completed"


def test_records_that_are_fifos_or_links_never_block_or_lead_out(root, tmp_path_factory):
    script(root, "hi.py", "print('hi')\n")
    svc = make_service(root)
    good = svc.wait(svc.create({"path": "hi.py"})["id"])
    spec = (svc.jobs_dir / good["id"] / "spec.json").read_text()
    fifo = svc.jobs_dir / "20200101-000000-aaaaaa"
    fifo.mkdir()
    (fifo / "spec.json").write_text(spec)
    for name in ("status.json", "output.log", "output.idx", "metrics", "lock"):
        os.mkfifo(fifo / name)  # opened plainly, a FIFO blocks its reader for ever
    linked = svc.jobs_dir / "20200101-000000-bbbbbb"
    linked.mkdir()
    outside = tmp_path_factory.mktemp("outside") / "spec.json"
    outside.write_text(spec.replace('"hi"', '"secret"'))
    (linked / "spec.json").symlink_to(outside)
    listed = {j["id"]: j for j in svc.list()}
    for job_id in (fifo.name, linked.name):
        assert listed[job_id]["state"] == "failed" and "unreadable" in listed[job_id]["reason"]
    assert "secret" not in repr(listed)
    for read in (svc.read_log, svc.metrics, svc.metric_columns):
        with pytest.raises(MoError) as info:
            read(fifo.name)
        assert info.value.status == 409 and ("not a regular file" in info.value.message
                                             or "not a folder" in info.value.message)


# ---- queue markers ----------------------------------------------------------------------------
def test_deleting_a_job_leaves_no_queue_marker_even_with_a_broken_spec(root):
    script(root, "hi.py", "print('hi')\n")
    svc = make_service(root)
    job = svc.wait(svc.create({"path": "hi.py"})["id"])
    marker = svc.jobs_dir / ".active" / "local" / f"{int(job['created'] * 1e9):020d}-{job['id']}"
    marker.touch()  # e.g. a supervisor killed between its final state and the marker's removal
    (svc.jobs_dir / job["id"] / "spec.json").write_text("{broken")
    svc.delete(job["id"])
    assert markers(svc) == []


def test_a_marker_of_a_folder_removed_by_hand_is_removed_and_holds_no_slot(root):
    svc = make_service(root, concurrency={"local": 1})
    script(root, "hi.py", "print('hi')\n")
    active = svc.jobs_dir / ".active" / "local"
    active.mkdir(parents=True)
    (active / "00000000000000000001-20200101-000000-abcdef").touch()  # its folder is gone
    (active / "junk").touch()  # not a marker at all: ignored, never a crash
    job = svc.wait(svc.create({"path": "hi.py"})["id"], timeout=20)
    assert job["state"] == "completed"
    wait_until(lambda: markers(svc) == ["junk"], timeout=5, message="only the junk left")


# ---- a jobs folder that cannot be written -------------------------------------------------------
@pytest.mark.parametrize("blocker", [".mo/jobs", ".mo"])
def test_a_jobs_folder_that_cannot_be_written_is_a_clear_4xx_and_no_ghost(root, blocker):
    script(root, "hi.py", "print('hi')\n")
    (root / blocker).parent.mkdir(parents=True, exist_ok=True)
    (root / blocker).write_text("a file where a folder should be")
    svc = make_service(root)
    with pytest.raises(MoError) as info:
        svc.create({"path": "hi.py"})
    assert 400 <= info.value.status < 500
    assert "cannot create a job in '.mo/jobs'" in info.value.message and str(root) not in info.value.message
    assert svc.list() == []


def test_a_job_whose_folder_cannot_take_its_files_leaves_nothing(root):
    script(root, "hi.py", "print('hi')\n")
    svc = make_service(root)
    svc.jobs_dir.mkdir(parents=True)
    (svc.jobs_dir / ".active").write_text("not a folder")  # the marker cannot be made
    with pytest.raises(MoError) as info:
        svc.create({"path": "hi.py"})
    assert 400 <= info.value.status < 500
    assert [p.name for p in svc.jobs_dir.iterdir()] == [".active"]  # no half-created job folder
    wait_until(lambda: svc.list() == [], message="nothing listed")
