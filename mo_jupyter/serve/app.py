"""The app server: a plain ASGI application (no framework) that uvicorn serves.

    POST /api/run        {"app": {"input": {...}}} -> 200 {"output": {...}}
                         400 non-JSON body, 413 body over the limit, 422 {"errors": [{field, message}]},
                         500 {"error": "<type>: <message>"} when handle raises, 504 past the timeout
    GET  /api/spec       the app spec as JSON
    GET  /openapi.json   an OpenAPI 3.1 document of POST /api/run
    GET  /healthz        {"ok": true}
    GET  /               the test page

Everything but /api/run is rendered once at start. A request's path to handle is: read the body,
``orjson.loads``, one compiled fastjsonschema check, defaults filled in, then the thread pool
(see runner.py)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import orjson

from ..handle.spec import load_app_spec
from .openapi import openapi
from .page import test_page
from .runner import HandleTimeout, InputError, Runner, load_handle
from .validate import Invalid, RequestValidator

log = logging.getLogger("mo.serve")

DEFAULT_TIMEOUT = 60.0
MAX_BODY = 32 * 1024 * 1024
JSON = b"application/json"


class Disconnected(Exception):
    pass


class TooLarge(Exception):
    pass


def _headers(ctype: bytes, length: int, extra=()) -> list:
    return [(b"content-type", ctype), (b"content-length", str(length).encode()), *extra]


class ServeApp:
    def __init__(self, directory, *, timeout: float | None = None, threads: int | None = None,
                 max_body: int = MAX_BODY):
        self.directory = Path(directory).resolve()
        self.spec = load_app_spec(self.directory / "app_spec.yml")
        self.timeout = float(timeout or self.spec.get("timeout") or DEFAULT_TIMEOUT)
        self.threads = threads or min(32, (os.cpu_count() or 1) + 4)
        self.max_body = max_body
        self.validator = RequestValidator(self.spec)
        handle = load_handle(self.directory, self.spec.get("handler") or "handler.py")
        self.runner = Runner(handle, self.spec, self.timeout, self.threads)
        self.pages = {
            "/api/spec": (JSON, orjson.dumps(self.spec, default=str)),
            "/openapi.json": (JSON, orjson.dumps(openapi(self.spec, self.validator.schema))),
            "/healthz": (JSON, b'{"ok":true}'),
            "/": (b"text/html; charset=utf-8", test_page(self.spec).encode()),
        }

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            path, method = scope["path"], scope["method"]
            if path == "/api/run":
                if method == "POST":
                    return await self.run(scope, receive, send)
                return await self.reply(send, 405, {"error": "use POST"}, [(b"allow", b"POST")])
            page = self.pages.get(path)
            if page is None and path == "/favicon.ico":
                await send({"type": "http.response.start", "status": 204, "headers": []})
                return await send({"type": "http.response.body", "body": b""})
            if page is None:
                return await self.reply(send, 404, {"error": f"no such path: {path}"})
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
        try:
            raw = await self.read_body(scope, receive)
        except TooLarge:
            return await self.reply(send, 413, {"error": f"the body is larger than {self.max_body} bytes"})
        except Disconnected:
            return
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return await self.reply(send, 400, {"error": f"the body is not JSON: {exc}"})
        try:
            conf, given = self.validator(body)
            out = await self.runner.run(conf, given)
        except Invalid as exc:
            return await self.reply(send, 422, {"errors": exc.errors})
        except InputError as exc:
            return await self.reply(send, 422, {"errors": [{"field": exc.field, "message": exc.message}]})
        except HandleTimeout:
            log.warning("handle took longer than %g s (its thread runs on to its end)", self.timeout)
            return await self.reply(send, 504, {"error": f"handle took longer than {self.timeout:g} s"})
        except Exception as exc:
            log.error("handle failed", exc_info=exc)
            return await self.reply(send, 500, {"error": f"{type(exc).__name__}: {exc}"})
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
          threads: int | None = None, max_body: int = MAX_BODY, access_log: bool = False,
          reuse_port: bool = False) -> None:
    """Import the app in ``directory`` and serve it until interrupted."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = ServeApp(directory, timeout=timeout, threads=threads, max_body=max_body)
    log.info("serving %s from %s: timeout %g s, %d handle threads; test page http://%s:%d/",
             app.spec.get("name") or "the app", app.directory, app.timeout, app.threads, host, port)
    if not reuse_port:
        uvicorn.run(app, host=host, port=port, access_log=access_log, lifespan="on", log_level="info",
                    timeout_graceful_shutdown=5)
        return
    config = uvicorn.Config(app, access_log=access_log, lifespan="on", log_level="info",
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[reuse_port_socket(host, port)])
