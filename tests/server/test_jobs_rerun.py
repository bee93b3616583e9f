"""POST mo/api/jobs/<id>/rerun: a new job with the old one's request (path, name, args, env,
machine, backend, description, max run time), validated as a create is; and the two new request
fields through REST."""

from __future__ import annotations

from helpers import assert_user_error, job_dirs, write

SHOW = "import os, sys\nprint('ARGS', sys.argv[1:], 'FOO', os.environ.get('FOO'))\n"
SAME = ("path", "name", "args", "env", "machine", "backend", "description", "max_run_seconds")


async def test_rerun_repeats_the_request_as_a_new_job(api, root):
    write(root, "show.py", SHOW)
    first = await api.create({"path": "show.py", "name": "show it", "args": ["--lr", "0.1"], "env": {"FOO": "bar"},
                              "description": "a first try", "max_run_seconds": 600})
    assert first["description"] == "a first try" and first["max_run_seconds"] == 600
    assert first["env"] == {"FOO": "bar"} and first["args"] == ["--lr", "0.1"]
    await api.wait_state(first["id"])
    r = await api.post(f"jobs/{first['id']}/rerun")
    assert r.code == 201, r
    again = r.json
    assert again["id"] != first["id"] and again["created"] > first["created"]
    assert {k: again[k] for k in SAME} == {k: first[k] for k in SAME}
    done = await api.wait_state(again["id"])
    assert done["state"] == "completed", done
    assert "ARGS ['--lr', '0.1'] FOO bar" in await api.full_log(again["id"])
    listed = (await api.get("jobs")).json["jobs"]
    assert [j["id"] for j in listed] == [again["id"], first["id"]]
    assert (await api.job(first["id"]))["state"] == "completed"  # the old one is untouched


async def test_rerun_of_a_job_without_the_optional_fields_has_none(api, root):
    write(root, "show.py", SHOW)
    first = await api.create({"path": "show.py"})
    assert "description" not in first and "max_run_seconds" not in first
    again = (await api.post(f"jobs/{first['id']}/rerun")).json
    assert "description" not in again and "max_run_seconds" not in again and again["name"] == "show"


async def test_rerun_of_an_unknown_job_is_404(api, jobs_dir):
    assert_user_error(await api.post("jobs/20990101-000000-abcdef/rerun"), 404)
    assert job_dirs(jobs_dir) == []


async def test_rerun_is_validated_like_a_create(api, root, jobs_dir):
    write(root, "train.py", "print('ok')\n")
    first = await api.create({"path": "train.py"})
    await api.wait_state(first["id"])
    write(root, "train.py", "import not_a_real_module_xyz\n")  # the code changed since
    assert_user_error(await api.post(f"jobs/{first['id']}/rerun"), 422, mentions="not_a_real_module_xyz")
    (root / "train.py").unlink()
    as_create = await api.post("jobs", {"path": "train.py"})
    assert_user_error(await api.post(f"jobs/{first['id']}/rerun"), as_create.code, mentions="train.py")
    assert job_dirs(jobs_dir) == [first["id"]]


async def test_bad_description_or_max_run_time_is_400(api, root, jobs_dir):
    write(root, "train.py", "print('ok')\n")
    for bad in ({"max_run_seconds": 0}, {"max_run_seconds": "60"}, {"max_run_seconds": 2592001},
                {"description": "x" * 2001}):
        assert_user_error(await api.post("jobs", {"path": "train.py", **bad}), 400)
    assert job_dirs(jobs_dir) == []
