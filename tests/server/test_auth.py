"""jupyter_server's Authorizer decides on every route of the extension: a server whose authorizer
denies answers 403 everywhere (and runs nothing); a read-only one lets reads through only."""

from __future__ import annotations

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketHandler

from helpers import job_dirs, write
from test_fuzz_routes import benign_url, methods_of, routes

ASKED: list[tuple[str, str]] = []


class DenyAll(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        ASKED.append((action, resource))
        return False


class ReadOnly(Authorizer):
    async def is_authorized(self, handler, user, action, resource):  # an async authorizer is awaited
        ASKED.append((action, resource))
        return action == "read"


@pytest.fixture
def authorizer():
    return DenyAll


@pytest.fixture
def jp_server_config(mo_config, authorizer):
    from traitlets.config import Config

    return Config({"ServerApp": {"jpserver_extensions": {"mo_jupyter": True}, "authorizer_class": authorizer},
                   "MoJupyterApp": mo_config})


@pytest.fixture(autouse=True)
def _asked():
    ASKED.clear()
    yield


async def test_a_denying_authorizer_is_403_on_every_route_and_method(api, root, jobs_dir, jp_serverapp, jp_ws_fetch):
    write(root, "ok.py", "print('ran')\n")
    table = routes(jp_serverapp)
    seen = 0
    for pattern, handler in table:
        path = benign_url(pattern).removeprefix("mo/api/")
        if issubclass(handler, WebSocketHandler):
            with pytest.raises(HTTPClientError) as caught:
                ws = await jp_ws_fetch("mo", "api", *path.split("/"))
                ws.close()
            assert caught.value.code == 403, pattern
            continue
        for method in methods_of(handler):
            body = {"path": "ok.py"} if method in ("post", "put", "patch") else None
            reply = await api.call(method.upper(), path, body=body)
            assert reply.code == 403, (method, pattern, reply)
            assert "not authorized" in reply.json["message"] or "authoriz" in reply.json["message"].lower(), reply
            seen += 1
    assert seen >= 25
    assert {resource for _, resource in ASKED} == {"mo_jupyter"}
    assert {action for action, _ in ASKED} >= {"read", "write"}
    assert job_dirs(jobs_dir) == []


@pytest.mark.parametrize("authorizer", [ReadOnly])
async def test_a_read_only_authorizer_lets_reads_through_and_refuses_writes(api, root, jobs_dir):
    write(root, "ok.py", "print('ran')\n")
    assert (await api.get("jobs")).code == 200
    assert (await api.get("config")).code == 200
    refused = await api.post("jobs", {"path": "ok.py"})
    assert refused.code == 403 and "write" in refused.json["message"], refused
    assert (await api.delete("jobs/20990101-000000-abcdef")).code == 403
    assert job_dirs(jobs_dir) == []
    assert ("read", "mo_jupyter") in ASKED and ("write", "mo_jupyter") in ASKED
