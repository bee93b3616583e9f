"""REST jobs API: create, list, read, log paging, metrics, states and recorded fields, delete."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from helpers import ACTIVE, GATED, assert_user_error, counting_script, job_dirs, read_events, write


async def test_create_run_and_read_a_job(api, root, jobs_dir):
    write(root, "train.py", counting_script(5))
    r = await api.post("jobs", {"path": "train.py", "name": "my run"})
    assert r.code == 201, r
    job = r.json
    assert job["state"] in ACTIVE + ("completed",)
    assert job["path"] == "train.py" and job["name"] == "my run"
    assert job["backend"] == "local" and job["machine"] == "cpu"
    assert job["args"] == [] and job["env"] == {}
    assert any(part.endswith("train.py") for part in job["command"]), job["command"]
    assert isinstance(job["created"], (int, float))
    assert job_dirs(jobs_dir) == [job["id"]]

    listed = (await api.get("jobs")).json["jobs"]
    assert [j["id"] for j in listed] == [job["id"]]

    done = await api.wait_state(job["id"])
    assert done["state"] == "completed", done
    assert done["exit_code"] == 0 and done["reason"] is None
    assert done["created"] <= done["started"] <= done["ended"]
    assert isinstance(done["peak_memory"], int) and done["peak_memory"] > 0
    assert done["command"] == job["command"]

    expected = []
    for i in range(5):
        expected += [f"line {i}", json.dumps({"metric": "loss", "value": 1.0 / (i + 1), "step": i})]
    assert (await api.full_log(job["id"])).splitlines() == expected

    metrics = (await api.get(f"jobs/{job['id']}/metrics")).json["metrics"]
    assert [(m["metric"], m["value"], m["step"]) for m in metrics] == [
        ("loss", 1.0 / (i + 1), i) for i in range(5)
    ]
    seqs = [m["seq"] for m in metrics]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert all(isinstance(m["time"], (int, float)) for m in metrics)
    # each metric's seq is the seq of its metric event in the stream
    events = {e["seq"]: e for e in read_events(jobs_dir, job["id"])}
    for m in metrics:
        assert events[m["seq"]]["type"] == "metric" and events[m["seq"]]["value"] == m["value"]


async def test_name_defaults_to_the_file_stem_and_args_env_reach_the_job(api, root):
    write(root, "sub/show.py", (
        "import os, sys\n"
        "print('ARGS', sys.argv[1:])\n"
        "print('FOO', os.environ.get('FOO'))\n"
        "print('ID', os.environ.get('MO_JOB_ID'))\n"
    ))
    job = await api.create({"path": "sub/show.py", "args": ["a b", "--x=1", ""], "env": {"FOO": "bar baz"}})
    assert job["name"] == "show" and job["args"] == ["a b", "--x=1", ""] and job["env"] == {"FOO": "bar baz"}
    done = await api.wait_state(job["id"])
    assert done["state"] == "completed", done
    log = (await api.full_log(job["id"])).splitlines()
    assert log == ["ARGS ['a b', '--x=1', '']", "FOO bar baz", f"ID {job['id']}"]


async def test_a_failing_job_records_exit_code_and_reason(api, root):
    write(root, "bad.py", counting_script(1, exit_code=3))
    done = await api.wait_state((await api.create({"path": "bad.py"}))["id"])
    assert done["state"] == "failed" and done["exit_code"] == 3, done
    assert "3" in done["reason"]
    assert done["ended"] is not None and done["started"] is not None


async def test_a_job_killed_by_a_signal_is_failed_with_the_signal_named(api, root):
    write(root, "die.py", "import os, signal\nprint('bye', flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n")
    done = await api.wait_state((await api.create({"path": "die.py"}))["id"])
    assert done["state"] == "failed" and done["exit_code"] == -9, done
    assert "SIGKILL" in done["reason"]
    assert await api.full_log(done["id"]) == "bye\n"


async def test_an_uncaught_exception_is_in_the_log_and_fails_the_job(api, root):
    write(root, "boom.py", "raise RuntimeError('kaboom')\n")
    done = await api.wait_state((await api.create({"path": "boom.py"}))["id"])
    assert done["state"] == "failed" and done["exit_code"] == 1
    assert "RuntimeError: kaboom" in await api.full_log(done["id"])


async def test_a_notebook_runs_as_a_job(api, root):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("import json\nx = 41"),
        nbformat.v4.new_code_cell("%matplotlib inline\nprint(json.dumps({'metric': 'acc', 'value': x + 1}))"),
        nbformat.v4.new_code_cell("!echo from-shell"),
    ]
    nbformat.write(nb, str(root / "nb.ipynb"))
    done = await api.wait_state((await api.create({"path": "nb.ipynb"}))["id"])
    assert done["state"] == "completed", (done, await api.full_log(done["id"]))
    log = await api.full_log(done["id"])
    assert "from-shell" in log
    metrics = (await api.get(f"jobs/{done['id']}/metrics")).json["metrics"]
    assert [(m["metric"], m["value"]) for m in metrics] == [("acc", 42)]


async def test_log_paging_by_offset(api, root):
    write(root, "p.py", counting_script(20))
    done = await api.wait_state((await api.create({"path": "p.py"}))["id"])
    full = (await api.get(f"jobs/{done['id']}/log")).json
    assert full["offset"] == 0 and full["complete"] is True
    size = len(full["text"].encode())
    assert full["next_offset"] == size
    middle = (await api.get(f"jobs/{done['id']}/log", params={"offset": "10"})).json
    assert middle["offset"] == 10 and middle["text"] == full["text"].encode()[10:].decode()
    assert middle["next_offset"] == size and middle["complete"] is True
    end = (await api.get(f"jobs/{done['id']}/log", params={"offset": str(size)})).json
    assert end == {"offset": size, "next_offset": size, "text": "", "complete": True}


@pytest.mark.parametrize("limit", [1, 3, 7, 64])
async def test_log_pages_of_any_limit_reassemble_the_exact_log(api, root, limit):
    write(root, "u.py", "print('héllo wörld ✓ 训练')\nprint('second line ü')\n" + "print('x' * 50)\n")
    done = await api.wait_state((await api.create({"path": "u.py"}))["id"])
    full = (await api.get(f"jobs/{done['id']}/log")).json["text"]
    pages, offset = [], 0
    for _ in range(1000):
        page = (await api.get(f"jobs/{done['id']}/log", params={"offset": str(offset), "limit": str(limit)})).json
        assert page["next_offset"] >= offset
        if page["next_offset"] == offset:
            break
        pages.append(page["text"])
        offset = page["next_offset"]
    assert "".join(pages) == full
    assert "\ufffd" not in "".join(pages)


async def test_log_of_a_running_job_is_not_complete(api, root, tmp_path):
    write(root, "g.py", GATED)
    gate = tmp_path / "gate"
    job = await api.create({"path": "g.py", "args": [str(gate)]})
    await api.wait_state(job["id"], ("running",))

    async def started():
        page = (await api.get(f"jobs/{job['id']}/log")).json
        return page if page["text"] == "started\n" else None

    from helpers import await_until
    page = await await_until(started)
    assert page["complete"] is False
    gate.touch()
    await api.wait_state(job["id"])
    final = (await api.get(f"jobs/{job['id']}/log", params={"offset": str(page["next_offset"])})).json
    assert final["text"] == "released\n" and final["complete"] is True


@pytest.mark.parametrize("params", [{"offset": "-1"}, {"offset": "abc"}, {"limit": "0"}, {"bogus": "1"}])
async def test_bad_log_queries_are_400(api, root, params):
    write(root, "q.py", "print(1)\n")
    done = await api.wait_state((await api.create({"path": "q.py"}))["id"])
    assert_user_error(await api.get(f"jobs/{done['id']}/log", params=params), 400)


async def test_delete_refused_while_active_then_removes_everything(api, root, jobs_dir, tmp_path):
    write(root, "g.py", GATED)
    job = await api.create({"path": "g.py", "args": [str(tmp_path / "never")]})
    await api.wait_state(job["id"], ("running",))
    assert_user_error(await api.delete(f"jobs/{job['id']}"), 409)
    assert (jobs_dir / job["id"]).is_dir()
    assert (await api.job(job["id"]))["state"] == "running"

    stopped = (await api.post(f"jobs/{job['id']}/stop")).json
    assert stopped["id"] == job["id"]
    await api.wait_state(job["id"])
    r = await api.delete(f"jobs/{job['id']}")
    assert r.code == 204 and not r.body
    assert not (jobs_dir / job["id"]).exists()
    assert_user_error(await api.get(f"jobs/{job['id']}"), 404)
    assert (await api.get("jobs")).json["jobs"] == []
    assert_user_error(await api.delete(f"jobs/{job['id']}"), 404)


async def test_list_holds_every_job(api, root):
    write(root, "a.py", "print('a')\n")
    ids = [(await api.create({"path": "a.py"}))["id"] for _ in range(3)]
    assert len(set(ids)) == 3
    for job_id in ids:
        await api.wait_state(job_id)
    listed = (await api.get("jobs")).json["jobs"]
    assert sorted(j["id"] for j in listed) == sorted(ids)
    assert all(j["state"] == "completed" for j in listed)
    assert_user_error(await api.get("jobs", params={"x": "1"}), 400)


async def test_config_lists_machines_and_backends(api, root):
    r = await api.get("config")
    assert r.code == 200
    config = r.json
    assert config["backends"] == ["local"] and config["default_backend"] == "local"
    machines = {m["name"]: m for m in config["machines"]}
    assert machines["cpu"]["available"] is True
    assert "gpu" in machines
    assert os.path.realpath(config["root"]) == os.path.realpath(root)


async def test_token_and_cache_buster_query_arguments_are_accepted(api, root, jp_serverapp):
    write(root, "q.py", "print(1)\n")
    done = await api.wait_state((await api.create({"path": "q.py"}))["id"])
    # `?token=` is Jupyter's own way to authenticate; a bare number is ServerConnection's cache buster
    for params in ({"token": jp_serverapp.identity_provider.token}, {"1795470000000": ""}):
        assert (await api.get("jobs", params=params)).code == 200
        assert (await api.get(f"jobs/{done['id']}/metrics", params=params)).code == 200
    assert_user_error(await api.get("jobs", params={"bogus": "1"}), 400, mentions="bogus")
