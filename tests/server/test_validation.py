"""Bad requests: 4xx with a readable JSON message, never 500, and nothing runs. Authentication.
A corrupt job folder never breaks the job list."""

from __future__ import annotations

import json
import os

import pytest
from tornado.httpclient import HTTPClientError

from helpers import assert_user_error, job_dirs, write

RUNS_MARKER = "import pathlib\npathlib.Path(__file__).with_name('ran.txt').write_text('ran')\nprint('ran')\n"


@pytest.fixture
def outside(root):
    """Scripts outside the project root, one of them in a sibling folder named like the root."""
    parent = root.parent
    sibling = parent / (root.name + "2")  # root_dir -> root_dir2
    write(sibling, "a.py", RUNS_MARKER)
    write(parent, "evil.py", RUNS_MARKER)
    return {"sibling": sibling / "a.py", "parent": parent / "evil.py"}


def nothing_ran(jobs_dir, outside):
    assert job_dirs(jobs_dir) == []
    for script in outside.values():
        assert not script.with_name("ran.txt").exists()


@pytest.mark.parametrize("which", ["../root_dir2/a.py", "sibling-absolute", "../evil.py", "parent-absolute",
                                   "sub/../../evil.py", "/etc/passwd", "symlink", "symlink-dir"])
async def test_paths_outside_the_root_are_refused_and_nothing_runs(api, root, jobs_dir, outside, which):
    (root / "sub").mkdir(exist_ok=True)
    if which == "sibling-absolute":
        path = str(outside["sibling"])
    elif which == "parent-absolute":
        path = str(outside["parent"])
    elif which == "symlink":
        os.symlink(outside["parent"], root / "link.py")
        path = "link.py"
    elif which == "symlink-dir":
        os.symlink(outside["sibling"].parent, root / "linked")
        path = "linked/a.py"
    else:
        path = which
    reply = await api.post("jobs", {"path": path})
    assert_user_error(reply, 400, 403, 404)
    assert "outside" in reply.json["message"] or reply.code == 404, reply
    nothing_ran(jobs_dir, outside)
    assert (await api.get("jobs")).json == {"jobs": []}


async def test_a_symlink_that_stays_inside_the_root_is_fine(api, root):
    write(root, "real/a.py", "print('ok')\n")
    os.symlink(root / "real" / "a.py", root / "alias.py")
    done = await api.wait_state((await api.create({"path": "alias.py"}))["id"])
    assert done["state"] == "completed"


BAD_BODIES = [
    ({"path": "ok.py", "bogus": 1}, "bogus"),
    ({"path": "ok.py", "args": "--x 1"}, "args"),
    ({"path": "ok.py", "args": [1, 2]}, "args"),
    ({"path": "ok.py", "args": [None]}, "args"),
    ({"path": "ok.py", "env": {"A": 1}}, "env"),
    ({"path": "ok.py", "env": ["A=1"]}, "env"),
    ({"path": "ok.py", "env": {"A": None}}, "env"),
    ({"path": "ok.py", "env": {"1BAD NAME": "x"}}, "env"),
    ({"path": "ok.py", "machine": "tpu"}, "tpu"),
    ({"path": "ok.py", "machine": 3}, "machine"),
    ({"path": "ok.py", "backend": "docker"}, "docker"),
    ({"path": "ok.py", "backend": ""}, "backend"),
    ({"path": "ok.py", "name": ""}, "name"),
    ({"path": 5}, "path"),
    ({"path": ""}, "path"),
    ({}, "path"),
    ({"args": ["x"]}, "path"),
]


@pytest.mark.parametrize("body,mentions", BAD_BODIES, ids=[json.dumps(b[0]) for b in BAD_BODIES])
async def test_bad_job_requests_are_400_and_create_nothing(api, root, jobs_dir, body, mentions):
    write(root, "ok.py", RUNS_MARKER)
    assert_user_error(await api.post("jobs", body), 400, mentions=mentions)
    assert job_dirs(jobs_dir) == [] and not (root / "ran.txt").exists()


@pytest.mark.parametrize("raw", [b"not json", b"{", b"[1, 2]", b"\"ok.py\"", b"3", b"null", b"\xff\xfe"])
async def test_bodies_that_are_not_a_json_object_are_400(api, root, jobs_dir, raw):
    write(root, "ok.py", RUNS_MARKER)
    assert_user_error(await api.call("POST", "jobs", raw=raw), 400)
    assert job_dirs(jobs_dir) == []


@pytest.mark.parametrize("rel,content,codes", [
    ("missing.py", None, (404,)),
    ("folder", "dir", (400,)),
    ("notes.txt", "print(1)\n", (400,)),
])
async def test_paths_that_are_not_runnable_are_refused(api, root, jobs_dir, rel, content, codes):
    if content == "dir":
        (root / rel).mkdir()
    elif content is not None:
        write(root, rel, content)
    assert_user_error(await api.post("jobs", {"path": rel}), *codes, mentions=rel)
    assert job_dirs(jobs_dir) == []


async def test_gpu_machine_without_a_gpu_is_refused_clearly(api, root, jobs_dir):
    config = (await api.get("config")).json
    if any(m["name"] == "gpu" and m["available"] for m in config["machines"]):
        pytest.skip("this machine has a GPU")
    write(root, "ok.py", RUNS_MARKER)
    message = assert_user_error(await api.post("jobs", {"path": "ok.py", "machine": "gpu"}), mentions="gpu")
    assert "no gpu" in message.lower()
    assert job_dirs(jobs_dir) == [] and not (root / "ran.txt").exists()
    assert (await api.get("jobs")).json == {"jobs": []}


@pytest.mark.parametrize("method,path", [
    ("GET", "jobs/{id}"), ("POST", "jobs/{id}/stop"), ("DELETE", "jobs/{id}"),
    ("GET", "jobs/{id}/log"), ("GET", "jobs/{id}/metrics"),
])
@pytest.mark.parametrize("job_id", ["20990101-000000-abcdef", "nope", "..", "a.b", "-x"])
async def test_unknown_job_ids_are_404(api, method, path, job_id):
    assert_user_error(await api.call(method, path.format(id=job_id)), 404)


ENDPOINTS = [
    ("GET", "config"), ("GET", "jobs"), ("POST", "jobs"), ("GET", "jobs/{id}"), ("DELETE", "jobs/{id}"),
    ("POST", "jobs/{id}/stop"), ("GET", "jobs/{id}/log"), ("GET", "jobs/{id}/metrics"), ("POST", "export"),
]


async def test_every_endpoint_is_403_without_a_token(api, root, jobs_dir, jp_ws_fetch):
    write(root, "ok.py", RUNS_MARKER)
    write(root, "nb.ipynb", json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    done = await api.wait_state((await api.create({"path": "ok.py"}))["id"])
    (root / "ran.txt").unlink()
    bodies = {("POST", "jobs"): {"path": "ok.py"}, ("POST", "export"): {"path": "nb.ipynb"}}
    for method, path in ENDPOINTS:
        for headers in ({"Authorization": ""}, {"Authorization": "token wrong"}):
            reply = await api.call(method, path.format(id=done["id"]), body=bodies.get((method, path)), headers=headers)
            assert reply.code == 403, (method, path, headers, reply)
    assert job_dirs(jobs_dir) == [done["id"]] and not (root / "ran.txt").exists()
    assert not (root / "nb.py").exists()
    assert (await api.job(done["id"]))["state"] == "completed"
    for headers in ({"Authorization": ""}, {"Authorization": "token wrong"}):
        with pytest.raises(HTTPClientError) as caught:
            ws = await jp_ws_fetch("mo", "api", "jobs", done["id"], "stream", headers=headers)
            ws.close()
        assert caught.value.code == 403


CORRUPT = {
    "spec-garbage": {"spec.json": b"{garbage"},
    "spec-empty": {"spec.json": b""},
    "spec-list": {"spec.json": b"[1, 2]"},
    "spec-null": {"spec.json": b"null"},
    "spec-missing-keys": {"spec.json": b"{}"},
    "spec-binary": {"spec.json": b"\xff\xfe\x00garbage"},
    "status-garbage": {"status.json": b"{not json"},
    "status-list": {"status.json": b"[\"running\"]"},
    "status-string": {"status.json": b"\"running\""},
    "status-bad-state": {"status.json": b"{\"state\": 42, \"started\": \"yesterday\"}"},
}


async def make_corrupt_job(api, root, jobs_dir, kind):
    write(root, "ok.py", "print('ok')\n")
    good = await api.wait_state((await api.create({"path": "ok.py"}))["id"])
    bad_id = "20200101-000000-bad001"
    folder = jobs_dir / bad_id
    folder.mkdir()
    spec = json.loads((jobs_dir / good["id"] / "spec.json").read_text())
    spec.update(id=bad_id)
    (folder / "spec.json").write_text(json.dumps(spec))
    for name, content in CORRUPT[kind].items():
        (folder / name).write_bytes(content)
    return good, bad_id


@pytest.mark.parametrize("kind", sorted(CORRUPT))
async def test_a_corrupt_job_folder_never_breaks_the_list(api, root, jobs_dir, kind):
    good, bad_id = await make_corrupt_job(api, root, jobs_dir, kind)

    for _ in range(2):  # a second read sees whatever the first one may have written
        reply = await api.get("jobs")
        assert reply.code == 200, reply
        jobs = {j["id"]: j for j in reply.json["jobs"]}
        assert jobs[good["id"]]["state"] == "completed"
        assert set(jobs) <= {good["id"], bad_id}
    assert (await api.get(f"jobs/{good['id']}")).code == 200


@pytest.mark.parametrize("kind", sorted(CORRUPT))
async def test_a_corrupt_job_is_an_answer_not_a_server_error(api, root, jobs_dir, kind):
    good, bad_id = await make_corrupt_job(api, root, jobs_dir, kind)
    for path in (f"jobs/{bad_id}", f"jobs/{bad_id}/log", f"jobs/{bad_id}/metrics"):
        reply = await api.get(path)
        assert reply.code < 500, (path, reply)
    assert (await api.get(f"jobs/{good['id']}")).code == 200


# ---- the one error contract (handlers/base.py) ------------------------------------------------
@pytest.mark.parametrize("query", [{"offset": "9" * 30}, {"offset": str(2**63)}, {"limit": "1" * 5000},
                                   {"offset": "-1"}])
async def test_integer_arguments_out_of_range_are_400(api, root, query):
    write(root, "ok.py", "print('ok')\n")
    done = await api.wait_state((await api.create({"path": "ok.py"}))["id"])
    reply = await api.get(f"jobs/{done['id']}/log", params=query)
    assert_user_error(reply, 400)
    assert len(reply.body) < 300


@pytest.mark.parametrize("body", [{"path": "a" * 300 + ".py"}, {"path": "sub/" + "b" * 256}])
async def test_a_path_with_a_name_over_255_bytes_is_400(api, jobs_dir, body):
    message = assert_user_error(await api.post("jobs", body), 400, mentions="too long")
    assert len(message) < 300 and job_dirs(jobs_dir) == []


async def test_export_into_a_missing_folder_or_under_a_file_is_a_short_4xx_without_paths(api, root):
    write(root, "nb.ipynb", json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    write(root, "file.txt", "x")
    for out in ("missing/dir/nb.py", "file.txt/nb.py"):
        reply = await api.post("export", {"path": "nb.ipynb", "out": out})
        message = assert_user_error(reply, 400, 404)
        assert str(root) not in reply.body.decode() and "Error(" not in message, reply


async def test_huge_values_come_back_cut_and_are_logged_cut(api, jp_serverapp):
    huge = "x" * 900_000
    reply = await api.post("jobs", {"path": "ok.py", "machine": huge})
    assert_user_error(reply, 400, mentions="machine")
    assert len(reply.body) < 2048 and "characters cut" in reply.json["message"]


class Boom(Exception):
    pass


async def test_a_500_carries_an_error_id_never_a_repr_or_a_path(api, jp_serverapp, jp_base_url, jp_fetch):
    from tornado import web

    from mo_jupyter.handlers.base import MoHandler

    class Broken(MoHandler):
        @web.authenticated
        async def get(self):
            raise Boom(f"secret {self.project_root} {'z' * 100_000}")

    jp_serverapp.web_app.add_handlers(".*$", [(jp_base_url.rstrip("/") + "/mo/api/test-broken", Broken,
                                                    {"name": "mo_jupyter"})])
    reply = await api.get("test-broken")
    assert reply.code == 500
    message = reply.json["message"]
    assert message.startswith("internal error; see the server log (error id ") and len(reply.body) < 200
    assert "secret" not in reply.body.decode() and "Boom" not in reply.body.decode()
