"""Every route of the extension's handler table, attacked with a hostile corpus: long, deep, huge,
wrong-typed, unicode, NUL, links. Each answer is a 4xx with a short JSON ``message`` (or a 2xx/3xx
that the route documents: a job that runs, a redirect to the proxy's slash), never a 5xx, and no line
the server logs is longer than LOG_BOUND.

The routes come from the running extension (``MoJupyterApp.handlers``): a new route is attacked
without a change here, and the test fails when a route's path group, or a route that takes a body,
has no corpus below."""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.parse
from pathlib import Path

import pytest
from tornado import web
from tornado.websocket import WebSocketHandler

from helpers import write

REPLY_BOUND = 4096
LOG_BOUND = 4096

# ---- the corpus ---------------------------------------------------------------------------------
SEGMENTS = ["a" * 300, "é" * 200, "x" * 3000, "..", ".", "-rf", "a b", "\x00", "a\x00b", "😀" * 70, "\u202e",
            "20990101-000000-abcdef", "a" * 63 + "-dev", "x-prod", "0" * 24, "CON", "9" * 40, "%", "?x", "#"]
"""Path-group values (quoted in the URL, '/' as %2F)."""
RAW_SEGMENTS = ["%ff%fe", "..%2F..%2Fetc%2Fpasswd", "%00", "%2e%2e", "%ed%a0%80"]
"""Sent as they are: invalid UTF-8, an encoded slash, a lone surrogate."""
BENIGN = {"job_id": "20990101-000000-abcdef", "service_id": "nosuch-dev", "owner": "mo", "name": "nosuch",
          "version": "1.0.0", "upload_id": "0" * 24, "path": "api/run", "task_id": "task-20990101-000000-abcd"}
"""Each route's other groups, while one group is attacked."""

QUERY = {name: ["9" * 30, "-1", "1e9", "", "x" * 5000, "a\x00b", "😀", str(2**63)]
         for name in ("offset", "tail", "limit", "q", "since", "status", "lang")}
QUERY["unknown" * 100] = ["1"]

STRINGS = ["a" * 300, "x/" * 2500, "a\x00b", "ünï/😀.py", "../../etc/passwd", "/etc/passwd", "link_out/x.py",
           "link_etc", "loop/x.py", "file.txt/x.py", "dangling/x.py", "-rf", " ", "x" * 200_000, "nb.ipynb",
           "ok.py", "\u202e.py", "a" * 255 + "/" + "b" * 256 + ".py", "~/x.py", "$HOME/x.py"]
OTHERS = [12345, -1, 2**70, 1.5e308, True, None, [], {}, ["a" * 300], {"k" * 300: 1}, [[[[]]]], [None],
          ["../../etc/passwd"], [2**70], {"A": "x" * 100_000}]
VALUES = STRINGS + OTHERS


def deep(n: int) -> bytes:
    return b'{"a": ' + b"[" * n + b"]" * n + b"}"


RAW_BODIES = {
    "2 MiB": json.dumps({"path": "x" * (2 * 1024 * 1024)}).encode(),
    "1000 deep": deep(1000),
    "100 deep": deep(100),
    "array": b"[1, 2]", "number": b"3", "null": b"null", "string": b'"x"', "cut off": b"{",
    "not UTF-8": b"\xff\xfe", "empty": b"", "lone surrogate": b'{"path": "\\ud800"}',
    "huge number": b'{"path": 1' + b"0" * 5000 + b"}", "NaN": b'{"path": NaN}',
    "duplicate keys": b'{"path": "a", "path": "b"}',
}

# (handler class, method) -> (a body whose other fields pass, the fields to attack one at a time).
# "raw": the route takes bytes, not JSON (only the raw bodies are sent).
BODIES = {
    ("JobsHandler", "post"): ({"path": "ok.py"}, ["path", "args", "env", "name", "machine", "backend",
                                                  "description", "max_run_seconds"]),
    ("JobStopHandler", "post"): ({}, []),
    ("JobRerunHandler", "post"): ({}, []),
    ("ExportHandler", "post"): ({"path": "nb.ipynb"}, ["path", "out", "overwrite"]),
    ("ModulePublishHandler", "post"): ({"path": "nosuch"}, ["path", "permission"]),
    ("ModuleInsertHandler", "post"): ({"notebook": "nb.ipynb"}, ["notebook", "action", "replace"]),
    ("ModuleNewHandler", "post"): ({"name": "fz_new", "actions": ["predict"]},
                                   ["name", "folder", "actions", "inputs", "outputs", "description", "tags",
                                    "category", "version"]),
    ("ModuleHandler", "patch"): ({"description": "d"}, ["description", "tags", "category", "readme", "status",
                                                        "permission"]),
    ("DatasetsHandler", "post"): ({"name": "fz", "purpose": "other", "format": "dir"},
                                  ["name", "owner", "version", "description", "tags", "permission", "test_set"]),
    ("DatasetHandler", "patch"): ({}, ["description", "tags", "name", "owner", "permission", "version"]),
    ("DatasetInsertHandler", "post"): ({"notebook": "nb.ipynb"}, ["notebook", "replace"]),
    ("DatasetImportHandler", "post"): ({"path": "nosuch.zip"}, ["path", "upload", "part"]),
    ("UploadsHandler", "post"): ({"name": "a.zip", "size": 10}, ["name", "size"]),
    ("UploadHandler", "put"): ("raw", []),
    ("ExtractHandler", "post"): ({"archive": "nosuch.zip"}, ["archive", "dest"]),
    ("HandleScanHandler", "post"): ({"path": "ok.py"}, ["path", "cells", "source"]),
    ("HandleGenerateHandler", "post"): ({"notebook": "nb.ipynb"}, ["notebook", "cells", "handler", "spec", "overwrite"]),
    ("ServicesHandler", "post"): ({"folder": "nosuch"},
                                  ["folder", "name", "version", "files", "backend", "replicas", "machine"]),
    ("ServiceScaleHandler", "post"): ({"replicas": 1}, ["replicas"]),
    ("ServiceKeyHandler", "post"): ({}, ["protected", "rotate"]),
    ("ServiceProxyHandler", "post"): ("raw", []),
    ("ProjectsHandler", "post"): ({"template": "mnist", "path": "fz_project"}, ["template", "path"]),
    ("TasksHandler", "post"): ({"name": "fz", "module": "mo/text_classifier_bayes", "dataset": "mo/text_zh_en"},
                               ["name", "description", "folder", "purpose", "module", "dataset", "split", "params",
                                "backend", "machine", "max_run_seconds", "start"]),
    ("TaskHandler", "patch"): ({}, ["name", "description", "folder", "module", "dataset", "split", "params", "backend",
                                    "machine", "max_run_seconds", "start"]),
    ("TaskStartHandler", "post"): ({}, []),
    ("ModelsHandler", "post"): ({"path": "ok.py"}, ["path", "name", "description"]),
    ("ModelDeployHandler", "post"): ({}, ["name", "backend", "machine"]),
    ("ModelPublishHandler", "post"): ({}, ["permission"]),
}
BODY_METHODS = ("post", "put", "patch")
METHODS = ("get", "post", "put", "patch", "delete")


# ---- the route table --------------------------------------------------------------------------
def routes(serverapp) -> list[tuple[str, type]]:
    apps = serverapp.extension_manager.extension_apps["mo_jupyter"]
    app = next(iter(apps))
    return [(pattern, handler) for pattern, handler, *_ in app.handlers]


def methods_of(handler: type) -> list[str]:
    return [m for m in METHODS if getattr(handler, m) is not getattr(web.RequestHandler, m)]


def _close(pattern: str, start: int) -> int:
    """The index of the ')' that closes the '(' at ``start``."""
    depth, i = 0, start
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        depth += c == "("
        depth -= c == ")"
        if depth == 0:
            return i
        i += 1
    raise ValueError(pattern)


def templates(pattern: str) -> list[str]:
    """URL templates ``.../{job_id}/...`` of a route pattern; an optional ``(?:...)?`` gives both."""
    i = 0
    while i < len(pattern):
        if pattern.startswith("(?P<", i):
            end = _close(pattern, i)
            name = pattern[i + 4 : pattern.index(">", i)]
            return [pattern[:i] + "{" + name + "}" + rest for rest in templates(pattern[end + 1 :])]
        if pattern.startswith("(?:", i):
            end = _close(pattern, i)
            inner = templates(pattern[i + 3 : end])
            tails = templates(pattern[end + 2 :]) if pattern[end + 1 : end + 2] == "?" else None
            if tails is None:
                return [pattern[:i] + a + b for a in inner for b in templates(pattern[end + 1 :])]
            return [pattern[:i] + a + b for a in [*inner, ""] for b in tails]
        if pattern[i] == "\\":
            i += 2
            continue
        i += 1
    return [pattern]


def urls(pattern: str) -> list[tuple[str, str]]:
    """(description, raw URL path) for each hostile value of each group of the route; only URLs
    that the route itself matches (a group's regex may refuse a value: then another route or
    jupyter_server's own 404 answers, which is not this route's)."""
    out = []
    for template in templates(pattern):
        groups = re.findall(r"\{(\w+)\}", template)
        missing = [g for g in groups if g not in BENIGN]
        assert not missing, f"route {pattern}: no corpus for path group(s) {missing}: add them to BENIGN"
        if not groups:
            out.append(("", template))
        for group in groups:
            values = [(v, urllib.parse.quote(v, safe="")) for v in SEGMENTS] + [
                (urllib.parse.unquote(v), v) for v in RAW_SEGMENTS]
            if group == "path":  # the proxy's path: any number of segments
                values += [("/".join(["a"] * 500), "/".join(["a"] * 500)), ("../../x", "../../x")]
            kept = 0
            for plain, quoted in values:
                filled = {g: urllib.parse.quote(BENIGN[g], safe="/") for g in groups} | {group: quoted}
                plain_filled = {g: BENIGN[g] for g in groups} | {group: plain}
                if re.fullmatch(pattern, template.format(**plain_filled)) is None:
                    continue
                kept += 1
                out.append((f"{group}={plain[:40]!r}", template.format(**filled)))
            assert kept, f"route {pattern}: no hostile value of '{group}' matches it"
    return out


def benign_url(pattern: str) -> str:
    template = templates(pattern)[0]
    return template.format(**{g: BENIGN[g] for g in re.findall(r"\{(\w+)\}", template)})


# ---- the server, its log ------------------------------------------------------------------------
class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record):
        self.records.append(record)

    def long_lines(self) -> list[str]:
        out = []
        for record in self.records:
            for line in self.format(record).splitlines():
                if len(line) > LOG_BOUND:
                    out.append(f"{record.name}: {len(line)} chars: {line[:200]}")
        return out

    def traceback_of(self, error_id: str) -> str:
        for record in self.records:
            text = self.format(record)
            if error_id in text:
                return " | ".join(text.splitlines()[-3:])[:600]
        return "(no log record)"


@pytest.fixture
def server_log(jp_serverapp):
    handler = Lines()
    apps = jp_serverapp.extension_manager.extension_apps["mo_jupyter"]
    loggers = {id(lg): lg for lg in [jp_serverapp.log, *(a.log for a in apps), logging.getLogger(),
                                     *(logging.getLogger(n) for n in ("tornado.access", "tornado.application",
                                                                      "tornado.general"))]}
    levels = {}
    for logger in loggers.values():
        levels[id(logger)] = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler
    for logger in loggers.values():
        logger.removeHandler(handler)
        logger.setLevel(levels[id(logger)])


@pytest.fixture
def hostile_root(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    write(outside, "x.py", "print('outside')\n")
    write(root, "ok.py", "print('ok')\n")
    write(root, "nb.ipynb", json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    write(root, "file.txt", "a file\n")
    os.symlink(outside, root / "link_out")
    os.symlink("/etc/passwd", root / "link_etc")
    os.symlink("loop", root / "loop")
    os.symlink(root / "nowhere", root / "dangling")
    return root


class Attack:
    def __init__(self, client, base_url, auth, log: Lines):
        self.client, self.base_url, self.auth, self.log = client, base_url, auth, log
        self.failures: list[str] = []
        self.count = 0

    async def send(self, method: str, path: str, what: str, body: bytes | None = None, params: dict | None = None):
        url = self.base_url.rstrip("/") + "/" + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b"{}"
        self.count += 1
        r = await self.client.fetch(url, method=method, headers=dict(self.auth), body=body, raise_error=False,
                                    allow_nonstandard_methods=True, follow_redirects=False, request_timeout=60)
        where = f"{method} {path[:100]} [{what}]"
        if r.code >= 500 or r.code == 599:
            text = (r.body or b"")[:300].decode("utf-8", "replace")
            found = re.search(r"error id (\w+)", text)
            self.failures.append(f"{where} -> {r.code} {text} :: "
                                 + (self.log.traceback_of(found.group(1)) if found else ""))
            return
        if r.code < 400:
            return  # a documented success (a job that runs) or the proxy's redirect
        body_ok = r.body is not None and len(r.body) <= REPLY_BOUND
        try:
            reply = json.loads(r.body)
            body_ok = body_ok and isinstance(reply, dict) and isinstance(reply.get("message"), str) and reply["message"]
        except ValueError:
            body_ok = False
        if not body_ok:
            self.failures.append(f"{where} -> {r.code} with {len(r.body or b'')} bytes: {(r.body or b'')[:200]!r}")

    def check(self, at_least: int):
        assert self.count >= at_least, f"only {self.count} requests were sent"
        long_lines = self.log.long_lines()
        problems = self.failures + [f"log line over {LOG_BOUND}: {line}" for line in long_lines[:20]]
        assert not problems, f"{len(problems)} of {self.count} requests:\n" + "\n".join(problems[:60])


@pytest.fixture
def attack(api, hostile_root, http_server_client, jp_base_url, jp_auth_header, server_log):
    return Attack(http_server_client, jp_base_url, jp_auth_header, server_log)


def http_routes(serverapp):
    return [(p, h) for p, h in routes(serverapp) if not issubclass(h, WebSocketHandler)]


# ---- the tests ----------------------------------------------------------------------------------
def test_every_route_that_takes_a_body_has_a_corpus(jp_serverapp):
    """A new route that takes a body fails here until BODIES says what to send it."""
    missing = sorted({f"{h.__name__}.{m}" for _, h in http_routes(jp_serverapp) for m in methods_of(h)
                      if m in BODY_METHODS and (h.__name__, m) not in BODIES})
    assert not missing, f"add these to BODIES: {missing}"
    for pattern, _ in routes(jp_serverapp):
        urls(pattern)  # every path group has a corpus, every group a value the route accepts


async def test_hostile_path_groups_on_every_route_and_method(attack, jp_serverapp):
    for pattern, handler in http_routes(jp_serverapp):
        for what, path in urls(pattern):
            for method in [*methods_of(handler), "patch" if "patch" not in methods_of(handler) else "put"]:
                await attack.send(method.upper(), path, what)
    attack.check(at_least=300)


async def test_hostile_query_arguments_on_every_route(attack, jp_serverapp):
    for pattern, handler in http_routes(jp_serverapp):
        path = benign_url(pattern)
        for method in methods_of(handler):
            if method in BODY_METHODS and BODIES.get((handler.__name__, method), ("",))[0] != "raw":
                continue  # bodies are attacked below; their query is the same parser
            for name, values in QUERY.items():
                for value in values:
                    await attack.send(method.upper(), path, f"?{name[:10]}={value[:20]!r}", params={name: value})
    attack.check(at_least=300)


async def test_hostile_bodies_on_every_route(attack, jp_serverapp):
    for pattern, handler in http_routes(jp_serverapp):
        path = benign_url(pattern)
        for method in methods_of(handler):
            if method not in BODY_METHODS:
                continue
            base, fields = BODIES[(handler.__name__, method)]
            for what, raw in RAW_BODIES.items():
                await attack.send(method.upper(), path, what, body=raw)
            for field in fields:
                for value in VALUES:
                    body = json.dumps({**base, field: value}).encode()
                    await attack.send(method.upper(), path, f"{field}={str(value)[:30]!r}", body=body)
    attack.check(at_least=1000)


async def test_huge_and_deep_json_are_short_4xx(attack, api):
    big = await api.call("POST", "jobs", raw=RAW_BODIES["2 MiB"])
    assert big.code == 413 and len(big.body) < 1024 and "bytes" in big.json["message"], big
    for n in (65, 1000, 100_000):
        reply = await api.call("POST", "jobs", raw=deep(n))
        assert reply.code == 400 and len(reply.body) < 1024 and "deeper" in reply.json["message"], (n, reply)
    fine = await api.call("POST", "jobs", raw=b'{"path": "nosuch.py", "env": {"A": "' + b"[" * 70 + b'"}}')
    assert fine.code == 404, fine  # brackets inside a string are no nesting


async def test_websocket_route_with_hostile_ids_is_refused(api, jp_ws_fetch, jp_serverapp, server_log):
    from tornado.httpclient import HTTPClientError

    ws_routes = [p for p, h in routes(jp_serverapp) if issubclass(h, WebSocketHandler)]
    assert ws_routes, "the job stream is a websocket route"
    for pattern in ws_routes:
        for what, path in urls(pattern):
            for since in ("0", "9" * 30, "x" * 3000):
                with pytest.raises(HTTPClientError) as caught:
                    ws = await jp_ws_fetch(*[urllib.parse.unquote(p) for p in path.split("/")],
                                           params={"since": since})
                    ws.close()
                assert 400 <= caught.value.code < 500, (what, since, caught.value)
    assert not server_log.long_lines()
