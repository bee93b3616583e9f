"""What every mo_jupyter handler shares: authentication, JSON bodies, running services off the
event loop, and the one place where errors become HTTP answers."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import orjson
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from .. import schemas
from ..errors import BadRequest, MoError


# Two bounded pools: quick reads (job list, logs, service views) never queue behind slow work
# (archive extraction, deploys and replica stops with their grace period, engine calls).
FAST = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mo-fast")
SLOW = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mo-slow")


class MoHandler(ExtensionHandlerMixin, APIHandler):
    @property
    def jobs(self):
        return self.settings["mo_jobs"]

    @property
    def project_root(self):
        return self.jobs.root

    def json_body(self) -> dict:
        try:
            body = orjson.loads(self.request.body or b"{}")
        except orjson.JSONDecodeError as exc:
            raise BadRequest(f"the request body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        return body

    def valid_body(self, schema: str) -> dict:
        """The JSON body, validated against ``schema/<schema>.schema.json`` (``file#def``: one entry
        of its ``$defs``), every problem listed in the 400."""
        body = self.json_body()
        schemas.validate(schema, body)
        return body

    def no_content(self) -> None:
        self.set_status(204)
        self.finish()

    def int_argument(self, name: str, default: int, minimum: int = 0) -> int:
        raw = self.get_query_argument(name, None)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise BadRequest(f"'{name}' must be an integer, got '{raw[:40]}'") from None
        if value < minimum:
            raise BadRequest(f"'{name}' must be >= {minimum}")
        return value

    def reject_unknown_arguments(self, *known: str) -> None:
        # Always fine: `token` (Jupyter's auth in the URL) and a bare number, the cache buster that
        # JupyterLab's ServerConnection adds to GETs.
        unknown = sorted(k for k in set(self.request.query_arguments) - {*known, "token"} if not k.isdigit())
        if unknown:
            raise BadRequest(f"unknown query argument(s): {', '.join(unknown)}")

    async def run(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Call a quick blocking service function (a read) in the fast pool."""
        return await asyncio.get_running_loop().run_in_executor(FAST, functools.partial(fn, *args, **kwargs))

    async def run_slow(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Call slow work (extraction, deploy, stop, engine calls) in its own bounded pool."""
        return await asyncio.get_running_loop().run_in_executor(SLOW, functools.partial(fn, *args, **kwargs))

    def reply(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(orjson.dumps(data))

    # ---- the one error mapping ------------------------------------------------------------
    def log_exception(self, typ, value, tb):
        if isinstance(value, MoError):
            self.log.info("mo_jupyter: %s %s -> %s: %s", self.request.method, self.request.path,
                          value.status, value.message)
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, MoError):
            self.set_status(exc.status)
            reply = {"message": exc.message}
            if exc.reason:
                reply["reason"] = exc.reason
        elif isinstance(exc, web.HTTPError):
            reply = {"message": exc.log_message or self._reason, "reason": exc.reason}
        else:
            reply = {"message": f"internal error: {exc!r}" if exc else self._reason}
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(orjson.dumps(reply))
