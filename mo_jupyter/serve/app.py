"""The app server: a plain ASGI application (no framework) that uvicorn serves.

    POST /api/run        {"app": {"input": {...}}} -> 200 {"output": {...}}
                         400 non-JSON body, 413 body over the limit, 422 {"errors": [{field, message}]},
                         500 {"error": "<type>: <message>"} when handle raises (SystemExit and
                         KeyboardInterrupt too), 503 when every handle thread is busy and the queue is
                         full, 504 past the timeout
    GET  /api/spec       the app spec as JSON
    GET  /openapi.json   an OpenAPI 3.1 document of POST /api/run
    GET  /healthz        {"ok": true}
    GET  /               the test page, in English or Chinese: ``?lang=`` (zh_CN, en), else the
                         browser's Accept-Language (see page.page_language)

Access key. When the service has one (``key``; see cli.py), /api/run, /api/spec and /openapi.json
want it in the header ``X-Mo-Key`` and answer 401 without it; /, /healthz and /favicon.ico stay open
(the page holds no data, health probes carry no key). The test page reads the key from its URL's
fragment (``#key=...``, never sent to a server) and sends it with its calls.

Every message that repeats input (a field name, a path, handle's exception) is cut to a few hundred
characters, in answers and in the log. Everything but /api/run is rendered once at start. A request's
path to handle is: read the body, ``orjson.loads``, one compiled fastjsonschema check, defaults filled
in, then the bounded thread pool (see runner.py)."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from pathlib import Path
from urllib.parse import unquote

import orjson

from ..handle.spec import load_app_spec
from .openapi import openapi
from .page import LANGUAGES, page_language, test_page
from ..errors import cut
from .runner import Busy, HandleExit, HandleTimeout, InputError, Runner, describe, load_handle, short_traceback
from .validate import Invalid, RequestValidator

log = logging.getLogger("mo.serve")

DEFAULT_TIMEOUT = 60.0
MAX_BODY = 32 * 1024 * 1024
JSON = b"application/json"
KEY_HEADER = b"x-mo-key"
NEEDS_KEY = ("/api/run", "/api/spec", "/openapi.json")
UNAUTHORIZED = {"error": "this service needs its access key (header X-Mo-Key)"}


class Disconnected(Exception):
    pass


class TooLarge(Exception):
    pass


def _headers(ctype: bytes, length: int, extra=()) -> list:
    return [(b"content-type", ctype), (b"content-length", str(length).encode()), *extra]


class ServeApp:
    def __init__(self, directory, *, timeout: float | None = None, threads: int | None = None,
                 queue: int | None = None, max_body: int = MAX_BODY, key: str | None = None):
        self.directory = Path(directory).resolve()
        self.spec = load_app_spec(self.directory / "app_spec.yml")
        self.timeout = float(timeout or self.spec.get("timeout") or DEFAULT_TIMEOUT)
        self.threads = threads or min(32, (os.cpu_count() or 1) + 4)
        self.max_body = max_body
        self.key = key.encode() if key else None
        self.validator = RequestValidator(self.spec)
        handle = load_handle(self.directory, self.spec.get("handler"))
        self.runner = Runner(handle, self.spec, self.timeout, self.threads, queue)
        self.queue = self.runner.queue_size
        self.pages = {
            "/api/spec": (JSON, orjson.dumps(self.spec, default=str)),
            "/openapi.json": (JSON, orjson.dumps(openapi(self.spec, self.validator.schema, self.key is not None))),
            "/healthz": (JSON, b'{"ok":true}'),
        }
        self.test_pages = {lang: test_page(self.spec, lang).encode() for lang in LANGUAGES}

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            path, method = scope["path"], scope["method"]
            if self.key is not None and path in NEEDS_KEY and not self.authorized(scope):
                return await self.reply(send, 401, UNAUTHORIZED)
            if path == "/api/run":
                if method == "POST":
                    return await self.run(scope, receive, send)
                return await self.reply(send, 405, {"error": "use POST"}, [(b"allow", b"POST")])
            page = self.pages.get(path)
            if path == "/":
                page = (b"text/html; charset=utf-8", self.test_pages[self.language(scope)])
            if page is None and path == "/favicon.ico":
                await send({"type": "http.response.start", "status": 204, "headers": []})
                return await send({"type": "http.response.body", "body": b""})
            if page is None:
                return await self.reply(send, 404, {"error": f"no such path: {cut(path, 200)}"})
            if method not in ("GET", "HEAD"):
                return await self.reply(send, 405, {"error": "use GET"}, [(b"allow", b"GET, HEAD")])
            ctype, body = page
            await send({"type": "http.response.start", "status": 200, "headers": _headers(ctype, len(body))})
            await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.runner.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def busy(self, send) -> None:
        await self.reply(send, 503, {"error": f"the app is busy: its {self.threads} handle threads and its queue "
                                              f"of {self.queue} are taken; try again later"}, [(b"retry-after", b"1")])

    @staticmethod
    def language(scope) -> str:
        """The test page's language: ``?lang=`` first, then the Accept-Language header."""
        query = scope.get("query_string", b"")[:2000].decode("latin-1")
        lang = next((v for k, _, v in (part.partition("=") for part in query.split("&")) if k == "lang"), None)
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), None)
        return page_language(unquote(lang) if lang else None, accept)

    def authorized(self, scope) -> bool:
        for name, value in scope["headers"]:
            if name == KEY_HEADER:
                return hmac.compare_digest(value, self.key)
        return False

    @staticmethod
    async def reply(send, status: int, payload, extra=()) -> None:
        body = orjson.dumps(payload)
        await send({"type": "http.response.start", "status": status, "headers": _headers(JSON, len(body), extra)})
        await send({"type": "http.response.body", "body": body})

    async def read_body(self, scope, receive) -> bytes:
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    if int(value) > self.max_body:
                        raise TooLarge()
                except ValueError:
                    pass
                break
        message = await receive()
        body = message.get("body", b"")
        if not message.get("more_body"):
            if message["type"] == "http.disconnect":
                raise Disconnected()
            return body
        chunks, size = [body], len(body)
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Disconnected()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise TooLarge()
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    async def run(self, scope, receive, send) -> None:
        arrival = asyncio.get_running_loop().time()
        try:
            if self.runner.full():
                raise Busy()  # before the body is read: a flood costs no memory
            raw = await self.read_body(scope, receive)
        except TooLarge:
            return await self.reply(send, 413, {"error": f"the body is larger than {self.max_body} bytes"})
        except Disconnected:
            return
        except Busy:
            return await self.busy(send)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return await self.reply(send, 400, {"error": f"the body is not JSON: {cut(str(exc), 200)}"})
        del raw
        try:
            conf, given = self.validator(body)
            del body
            left = self.timeout - (asyncio.get_running_loop().time() - arrival)
            out = await self.runner.run(conf, given, left)
        except Invalid as exc:
            return await self.reply(send, 422, {"errors": exc.errors})
        except InputError as exc:
            return await self.reply(send, 422, {"errors": [{"field": exc.field, "message": cut(exc.message, 200)}]})
        except Busy:
            return await self.busy(send)
        except HandleTimeout:
            log.warning("handle took longer than %g s (a started one runs on to its end; a queued one never runs)",
                        self.timeout)
            return await self.reply(send, 504, {"error": f"handle took longer than {self.timeout:g} s"})
        except Exception as exc:
            error = exc.original if isinstance(exc, HandleExit) else exc
            log.error("handle failed: %s", short_traceback(error))
            return await self.reply(send, 500, {"error": describe(error)})
        await send({"type": "http.response.start", "status": 200, "headers": _headers(JSON, len(out))})
        await send({"type": "http.response.body", "body": out})


def reuse_port_socket(host: str, port: int):
    """A listening socket with SO_REUSEPORT: several replica processes bind the same address and
    the kernel spreads the connections between them (a service's replicas on one machine)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(directory, *, host: str = "127.0.0.1", port: int = 8080, timeout: float | None = None,
          threads: int | None = None, queue: int | None = None, max_body: int = MAX_BODY,
          access_log: bool = False, reuse_port: bool = False, key: str | None = None) -> None:
    """Import the app in ``directory`` and serve it until interrupted. ``key``: the access key that
    /api/run, /api/spec and /openapi.json want in ``X-Mo-Key`` (None: open to whoever reaches the port)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = ServeApp(directory, timeout=timeout, threads=threads, queue=queue, max_body=max_body, key=key)
    log.info("serving %s from %s: timeout %g s, %d handle threads, a queue of %d, %s; test page http://%s:%d/",
             cut(str(app.spec.get("name") or "the app"), 100), app.directory, app.timeout, app.threads, app.queue,
             "an access key" if key else "no access key", host, port)
    if not reuse_port:
        uvicorn.run(app, host=host, port=port, access_log=access_log, lifespan="on", log_level="info",
                    timeout_graceful_shutdown=5)
        return
    config = uvicorn.Config(app, access_log=access_log, lifespan="on", log_level="info",
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[reuse_port_socket(host, port)])
