"""The jobs REST API and stream against hostile input and a hostile environment: bounded requests
and records, a jobs folder that cannot be written, and the stream authorized like the REST API."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from helpers import assert_user_error, write


async def test_a_request_with_huge_args_is_a_short_400(api, root, jobs_dir):
    write(root, "hi.py", "print('hi')\n")
    for body in ({"args": ["a" * 16_000] * 5}, {"args": ["a" * 60_000]}, {"env": {"A": "b" * 60_000}}):
        reply = await api.post("jobs", {"path": "hi.py", **body})
        assert reply.code == 400 and len(reply.body) < 1500, (reply.code, len(reply.body))
    assert (await api.get("jobs")).json["jobs"] == []


async def test_a_planted_50_mb_record_keeps_the_list_small_and_fast(api, root, jobs_dir):
    write(root, "hi.py", "print('hi')\n")
    good = await api.wait_state((await api.create({"path": "hi.py"}))["id"])
    planted = jobs_dir / "20200101-000000-abcdef"
    planted.mkdir()
    with open(planted / "spec.json", "wb") as f:
        f.write(b'{"id": "x", "name": "x", "created": 1, "backend": "local", "args": ["'
                + b"a" * 50_000_000 + b'"]}')
    started = time.monotonic()
    reply = await api.get("jobs")
    assert time.monotonic() - started < 2.0
    assert reply.code == 200 and len(reply.body) < 10_000
    jobs = {j["id"]: j for j in reply.json["jobs"]}
    assert jobs[planted.name]["state"] == "failed" and "spec.json is over" in jobs[planted.name]["reason"]
    assert jobs[good["id"]]["state"] == "completed"
    one = await api.get(f"jobs/{planted.name}")
    assert one.code == 200 and len(one.body) < 2000
    assert (await api.delete(f"jobs/{planted.name}")).code == 204


@pytest.mark.parametrize("blocker", [".mo/jobs", ".mo"])
async def test_a_jobs_folder_that_cannot_be_written_is_a_4xx_and_leaves_no_ghost(api, root, jobs_dir, blocker):
    write(root, "hi.py", "print('hi')\n")
    (root / blocker).parent.mkdir(parents=True, exist_ok=True)
    (root / blocker).write_text("a file in the folder's place")
    reply = await api.post("jobs", {"path": "hi.py"})
    message = assert_user_error(reply, 409, mentions="cannot create a job")
    assert str(root) not in message
    assert (await api.get("jobs")).json == {"jobs": []}


async def test_since_of_thirty_digits_is_a_400(api, root, jp_ws_fetch):
    write(root, "c.py", "print(1)\n")
    done = await api.wait_state((await api.create({"path": "c.py"}))["id"])
    with pytest.raises(HTTPClientError) as caught:
        await jp_ws_fetch("mo", "api", "jobs", done["id"], "stream", params={"since": "9" * 30})
    assert caught.value.code == 400


class NoMoJupyter(Authorizer):
    """Lets everything through but mo_jupyter: what an admin's authorizer may say."""

    def is_authorized(self, handler, user, action, resource):
        return resource != "mo_jupyter"


class ReadOnlyMoJupyter(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return resource != "mo_jupyter" or action == "read"


@pytest.fixture
def jp_server_config(mo_config, request):
    from traitlets.config import Config

    authorizer = getattr(request, "param", None)
    config = {"ServerApp": {"jpserver_extensions": {"mo_jupyter": True}}, "MoJupyterApp": mo_config}
    if authorizer is not None:
        config["ServerApp"]["authorizer_class"] = authorizer
    return Config(config)


def planted_job(jobs_dir: Path) -> Path:
    """A job folder with a bare spec.json, as a reader finds one."""
    jobs_dir.mkdir(parents=True)
    job = jobs_dir / "20200101-000000-abcdef"
    job.mkdir()
    (job / "spec.json").write_text(json.dumps({"id": job.name, "name": "x", "created": 1, "backend": "local"}))
    return job


@pytest.mark.parametrize("jp_server_config", [NoMoJupyter], indirect=True)
async def test_the_stream_asks_the_authorizer(root, jobs_dir, jp_ws_fetch):
    job = planted_job(jobs_dir)
    with pytest.raises(HTTPClientError) as caught:
        await jp_ws_fetch("mo", "api", "jobs", job.name, "stream")
    assert caught.value.code == 403


@pytest.mark.parametrize("jp_server_config", [ReadOnlyMoJupyter], indirect=True)
async def test_a_reader_may_stream(root, jobs_dir, jp_ws_fetch):
    job = planted_job(jobs_dir)
    (job / "status.json").write_text(json.dumps({"state": "completed"}))
    ws = await jp_ws_fetch("mo", "api", "jobs", job.name, "stream")
    frames = []
    while (message := await asyncio.wait_for(ws.read_message(), 10)) is not None:
        frames.append(json.loads(message))
    assert frames[0]["type"] == "snapshot" and frames[-1] == {"type": "end"}
