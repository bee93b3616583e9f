"""What every mo_jupyter handler shares: authentication and authorization, bounded JSON bodies,
running services off the event loop, bounded log lines, and the one place where errors become HTTP
answers."""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import orjson
from jupyter_core.utils import ensure_async
from jupyter_server.auth.utils import HTTP_METHOD_TO_AUTH_ACTION
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from .. import schemas
from ..errors import BadRequest, Forbidden, MoError, TooLarge, cut, user_error
from ..loaders import json_depth_ok, orjson_too_deep


# Two bounded pools: quick reads (job list, logs, service views) never queue behind slow work
# (archive extraction, deploys and replica stops with their grace period, engine calls).
FAST = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mo-fast")
SLOW = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mo-slow")

MAX_JSON_BYTES = 1024 * 1024
"""The largest JSON body a route parses (routes that take raw bytes, like upload chunks, do not)."""
MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects a JSON body may have."""
MAX_LOG_LINE = 2048
"""The longest line a handler writes to the server log, in characters."""
MAX_LOG_LINES = 200
INT_MAX = 2**63 - 1


def bounded_text(text: str) -> str:
    """``text`` with every line cut to MAX_LOG_LINE characters and at most MAX_LOG_LINES lines."""
    lines = text.splitlines() or [""]
    if len(lines) <= MAX_LOG_LINES and all(len(line) <= MAX_LOG_LINE for line in lines):
        return text
    kept = [cut(line, MAX_LOG_LINE) for line in lines[:MAX_LOG_LINES]]
    if len(lines) > MAX_LOG_LINES:
        kept.append(f"…[{len(lines) - MAX_LOG_LINES} more lines cut]")
    return "\n".join(kept)


class BoundedLines(logging.Filter):
    """Cuts every line of a record, its traceback's included, to MAX_LOG_LINE characters: a request
    that repeats 50 MB of input makes a short log line, whoever logs it (our handlers, the job
    stream, jupyter_server's access log: all log through the extension's logger, which carries this
    filter; see ``install_bounded_log``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a bad format string: keep what there is, cut
            text = f"{cut(record.msg, 200)} {cut(repr(record.args), 400)}"
        bounded = bounded_text(text)
        if bounded is not text:
            record.msg, record.args = bounded, ()
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = bounded_text("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return True


def install_bounded_log(*loggers: logging.Logger) -> None:
    """Put BoundedLines on each logger once (a filter applies to what is logged on that logger)."""
    for logger in loggers:
        if not any(isinstance(f, BoundedLines) for f in logger.filters):
            logger.addFilter(BoundedLines())


def _http_error_text(exc: web.HTTPError) -> str:
    try:
        return exc.log_message % exc.args if exc.args else (exc.log_message or "")
    except (TypeError, ValueError):
        return exc.log_message or ""


class MoHandler(ExtensionHandlerMixin, APIHandler):
    auth_resource = "mo_jupyter"
    """What jupyter_server's Authorizer is asked about, for every route of the extension (as
    jupyter_server's own handlers name theirs: "contents", "kernels", ...)."""
    max_json_bytes = MAX_JSON_BYTES
    max_json_depth = MAX_JSON_DEPTH

    @property
    def jobs(self):
        return self.settings["mo_jobs"]

    @property
    def project_root(self):
        return self.jobs.root

    # ---- authentication and authorization -------------------------------------------------
    async def prepare(self):
        await super().prepare()
        if not self._finished:
            await self.authorize_request()

    async def authorize_request(self) -> None:
        """Jupyter's authentication, then its Authorizer, for every request of every route, as
        jupyter_server's ``@authorized`` does: the action is read (GET, HEAD, OPTIONS) or write
        (POST, PUT, PATCH, DELETE) on ``auth_resource``. A handler that admits requests on another
        credential (the services proxy, with a service's key) overrides this."""
        user = self.current_user
        if not user:
            raise web.HTTPError(403, "authentication required")
        action = HTTP_METHOD_TO_AUTH_ACTION.get((self.request.method or "").upper(), "write")
        if not await ensure_async(self.authorizer.is_authorized(self, user, action, self.auth_resource)):
            raise Forbidden(f"you are not authorized to {action} {self.auth_resource}")

    # ---- request parsing ------------------------------------------------------------------
    def json_body(self) -> dict:
        """The body as a JSON object, refused when larger than ``max_json_bytes`` (413) or nested
        deeper than ``max_json_depth`` (400), before anything walks it."""
        raw = self.request.body or b"{}"
        if len(raw) > self.max_json_bytes:
            raise TooLarge(f"the request body is {len(raw)} bytes; at most {self.max_json_bytes} are accepted")
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            if orjson_too_deep(exc):
                raise BadRequest(f"the request body nests deeper than {self.max_json_depth} levels") from None
            raise BadRequest(f"the request body is not valid JSON: {cut(exc, 200)}") from None
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        # cheap first: fewer brackets than the limit cannot nest deeper than it
        if raw.count(b"[") + raw.count(b"{") > self.max_json_depth and not json_depth_ok(body, self.max_json_depth):
            raise BadRequest(f"the request body nests deeper than {self.max_json_depth} levels")
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

    def int_argument(self, name: str, default: int, minimum: int = 0, maximum: int = INT_MAX) -> int:
        raw = self.get_query_argument(name, None)
        if raw is None:
            return default
        try:
            if len(raw) > 24:  # int() of a long string is slow, and no offset has 24 digits
                raise ValueError
            value = int(raw)
        except ValueError:
            raise BadRequest(f"'{name}' must be an integer from {minimum} to {maximum}, got '{cut(raw, 40)}'") from None
        if value < minimum:
            raise BadRequest(f"'{name}' must be >= {minimum}")
        if value > maximum:
            raise BadRequest(f"'{name}' must be <= {maximum}")
        return value

    def reject_unknown_arguments(self, *known: str) -> None:
        # Always fine: `token` (Jupyter's auth in the URL) and a bare number, the cache buster that
        # JupyterLab's ServerConnection adds to GETs.
        unknown = sorted(k for k in set(self.request.query_arguments) - {*known, "token"} if not k.isdigit())
        if unknown:
            raise BadRequest(f"unknown query argument(s): {cut(', '.join(unknown), 200)}")

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
    def _request_summary(self) -> str:
        return f"{self.request.method} {cut(self.request.uri, 300)} ({self.request.remote_ip})"

    def log_exception(self, typ, value, tb):
        """One bounded line for what the user can fix; a traceback under a short id (the id is in
        the 500's message) for what is a bug."""
        error = user_error(value) if value is not None else None
        if isinstance(value, MoError):
            self.log.info("mo_jupyter: %s -> %s: %s", self._request_summary(), value.status, value.message)
        elif error is not None:  # an environment fault: its errno and file name are for the log only
            self.log.warning("mo_jupyter: %s -> %s: %s: %s", self._request_summary(), error.status,
                             error.message, cut(value, 500))
        elif isinstance(value, web.HTTPError):
            self.log.warning("%d %s: %s", value.status_code, self._request_summary(),
                             cut(_http_error_text(value) or value.reason or "", 500))
        else:
            self._mo_error_id = secrets.token_hex(4)
            self.log.error("mo_jupyter: internal error %s on %s", self._mo_error_id, self._request_summary(),
                           exc_info=(typ, value, tb))

    def write_error(self, status_code: int, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        error = user_error(exc) if exc is not None else None
        if error is not None:
            self.set_status(error.status)
            reply = {"message": error.message}
            if error.reason:
                reply["reason"] = error.reason
        elif isinstance(exc, web.HTTPError):
            reply = {"message": cut(_http_error_text(exc) or self._reason),
                     "reason": cut(exc.reason, 200) if exc.reason else None}
        elif status_code >= 500:
            # never repr() of an exception or a path: those stay in the server log, under this id
            error_id = getattr(self, "_mo_error_id", None)
            reply = {"message": "internal error; see the server log"
                                + (f" (error id {error_id})" if error_id else "")}
        else:
            reply = {"message": cut(self._reason, 200)}
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(orjson.dumps(reply))
