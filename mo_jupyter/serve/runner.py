"""Loading the deployed ``handle(conf)`` and calling it: in a thread pool, with a timeout.

``handle`` is plain synchronous user code (a model's predict, PIL, numpy), so it runs in a
``ThreadPoolExecutor`` of ``threads`` workers and the event loop stays free to answer other requests,
/healthz included. A request waits at most ``timeout`` seconds, counted from its arrival (time queued
for a free worker included), then gets 504. Python cannot kill a thread: a timed-out ``handle`` runs on
to its end in its worker, which is busy meanwhile; if every worker is stuck, later requests time out
too until one returns. Decoding media inputs, the call, encoding media outputs and serialising the
answer with orjson all happen in the worker; the temporary input files are removed when it ends."""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import os
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson

from ..errors import BadRequest
from ..handle.spec import MEDIA
from . import media

DUMP_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class HandleTimeout(Exception):
    pass


class InputError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field} {message}")
        self.field, self.message = field, message


def load_handle(directory: Path, filename: str = "handler.py"):
    """Import the deployed handler file (this runs the user's code: that is the point of serving it)
    with ``directory`` as the working directory and first on ``sys.path``; returns its ``handle``."""
    directory = Path(directory).resolve()
    path = (directory / filename).resolve()
    if not path.is_file():
        raise BadRequest(f"{filename} is missing in {directory}")
    os.chdir(directory)
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    name = path.stem if path.stem.isidentifier() else "handler"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit from a script-style handler too
        traceback.print_exc()
        raise BadRequest(f"importing {filename} failed: {type(exc).__name__}: {exc}") from None
    handle = getattr(module, "handle", None)
    if not callable(handle):
        raise BadRequest(f"{filename} has no function handle(conf)")
    return handle


def _default(obj):
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    item = getattr(obj, "item", None)  # numpy scalars orjson does not take (float16, ...)
    if callable(item):
        return item()
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return tolist()
    return str(obj)


def _settle(waiter: asyncio.Future, done) -> None:
    if waiter.done():
        return
    exc = done.exception()
    if exc is not None:
        waiter.set_exception(exc)
    else:
        waiter.set_result(done.result())


def _notify(loop, waiter: asyncio.Future, done) -> None:
    try:
        loop.call_soon_threadsafe(_settle, waiter, done)
    except RuntimeError:  # the loop closed while a timed-out handle ran on
        pass


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(HandleTimeout())


class Runner:
    def __init__(self, handle, spec: dict, timeout: float, threads: int):
        self.handle = handle
        self.timeout = float(timeout)
        self.media_in = [k for k, p in spec["input"].items() if p["value_type"] in MEDIA]
        self.media_out = {k: p["value_type"] for k, p in spec["output"].items() if p["value_type"] in MEDIA}
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mo-handle")
        self.tmp = tempfile.mkdtemp(prefix="mo-serve-")

    def call(self, conf: dict, given: dict) -> bytes:
        """In a worker: media in -> handle -> media out -> JSON bytes ``{"output": {...}}``."""
        paths = []
        try:
            for key in self.media_in:
                value = given.get(key)
                if isinstance(value, str):
                    try:
                        conf[key] = media.to_file(value, self.tmp)
                    except media.MediaError as exc:
                        raise InputError(f"input.{key}", str(exc)) from None
                    paths.append(conf[key])
            out = self.handle(conf)
            if not isinstance(out, dict):
                raise TypeError(f"handle returned a {type(out).__name__}, not a dict of outputs")
            for key, value_type in self.media_out.items():
                if out.get(key) is not None:
                    out[key] = media.output_data_url(out[key], value_type)
            return orjson.dumps({"output": out}, default=_default, option=DUMP_OPTIONS)
        finally:
            for path in paths:
                try:
                    os.unlink(path)
                except OSError:
                    pass

    async def run(self, conf: dict, given: dict) -> bytes:
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        job = self.executor.submit(self.call, conf, given)
        job.add_done_callback(lambda done: _notify(loop, waiter, done))
        timer = loop.call_later(self.timeout, _expire, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        import shutil

        shutil.rmtree(self.tmp, ignore_errors=True)
