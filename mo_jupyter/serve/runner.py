"""Loading the deployed ``handle(conf)`` and calling it: in a bounded thread pool, with a timeout.

``handle`` is plain synchronous user code (a model's predict, PIL, numpy), so it runs on ``threads``
worker threads and the event loop stays free to answer other requests, /healthz included.

Bounds. At most ``threads + queue`` requests are in the pool at once (running or waiting for a
worker); one more gets ``Busy`` at once (the app answers 503), so a flood costs no memory and no
waiting. A request waits at most ``timeout`` seconds, counted from its arrival (time queued for a free
worker included), then gets 504; if it had not started by then it never runs (its inputs are dropped
at once; the worker skips it). Python cannot kill a thread: a timed-out ``handle`` that did start runs
on to its end in its worker, which stays busy and counted meanwhile; if every worker is stuck, new
requests get 503 at once rather than waiting to time out.

Errors. Whatever ``handle`` raises becomes that request's error, ``SystemExit`` and
``KeyboardInterrupt`` included (a 500; the server goes on serving). ``os._exit`` ends the process: the
replica dies and its service backend starts a new one, nothing here can stop that. Decoding media
inputs, the call, encoding media outputs and serialising the answer with orjson all happen in the
worker; the temporary input files are removed when it ends."""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import os
import queue
import sys
import tempfile
import threading
import traceback
from pathlib import Path

import orjson

from ..errors import BadRequest, cut
from ..handle.spec import MEDIA, handler_file
from . import media

DUMP_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class HandleTimeout(Exception):
    pass


class Busy(Exception):
    """Every handle thread is busy and the queue is full."""


class HandleExit(Exception):
    """``handle`` raised SystemExit or KeyboardInterrupt: one request's error, never the server's end."""

    def __init__(self, exc: BaseException):
        super().__init__(*exc.args)
        self.original = exc
        self.__cause__ = exc


class InputError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field} {message}")
        self.field, self.message = field, message


def load_handle(directory: Path, filename: str | None = None):
    """Import the deployed handler file (this runs the user's code: that is the point of serving it)
    with ``directory`` as the working directory and first on ``sys.path``; returns its ``handle``.
    A ``filename`` that leads out of ``directory`` (``..``, absolute, a link) is refused before any
    import; so is a handler that exits (``sys.exit``) while it is imported."""
    directory = Path(directory).resolve()
    path = handler_file(directory, filename)
    shown = path.relative_to(directory)
    if not path.is_file():
        raise BadRequest(f"{shown} is missing in {directory}")
    os.chdir(directory)
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    name = path.stem if path.stem.isidentifier() else "handler"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit / KeyboardInterrupt from a script-style handler too
        print(short_traceback(exc), file=sys.stderr)
        raise BadRequest(f"importing {shown} failed: {describe(exc)}") from None
    handle = getattr(module, "handle", None)
    if not callable(handle):
        raise BadRequest(f"{shown} has no function handle(conf)")
    return handle


def describe(exc: BaseException, limit: int = 300) -> str:
    """``<type>: <message>`` of an exception, the message cut to ``limit`` characters."""
    if isinstance(exc, HandleExit):
        exc = exc.original
    try:
        message = str(exc)
    except Exception:  # a __str__ that raises
        message = "(its message cannot be shown)"
    return f"{type(exc).__name__}: {cut(message, limit)}" if message else type(exc).__name__


def short_traceback(exc: BaseException, line: int = 300, total: int = 8000) -> str:
    """A traceback for the log with every line cut to ``line`` characters and at most ``total`` in
    all (its head and tail kept): an exception whose message holds a 50 MB input logs a few KiB."""
    lines = []
    for chunk in traceback.format_exception(type(exc), exc, exc.__traceback__):
        lines += [cut(text, line) for text in chunk.rstrip("\n").split("\n")]
    return cut("\n".join(lines), total)


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


QUEUED, RUNNING, CANCELLED = 0, 1, 2


def default_queue(threads: int) -> int:
    """Requests that may wait for a handle thread by default: enough for a client with 50 connections
    to a fast handle, bounded all the same."""
    return max(64, 4 * threads)


class Job:
    """One request in the pool. The event loop and the worker settle its state under the pool's lock:
    a job cancelled while QUEUED never runs and drops its inputs at once."""

    __slots__ = ("conf", "given", "state", "loop", "waiter")

    def __init__(self, conf: dict, given: dict, loop, waiter):
        self.conf, self.given, self.state, self.loop, self.waiter = conf, given, QUEUED, loop, waiter


def _settle(waiter: asyncio.Future, result, error) -> None:
    if waiter.done():
        return
    if error is not None:
        waiter.set_exception(error)
    else:
        waiter.set_result(result)


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(HandleTimeout())


STOP = None


class Runner:
    def __init__(self, handle, spec: dict, timeout: float, threads: int, queue_size: int | None = None):
        self.handle = handle
        self.timeout = float(timeout)
        self.threads = int(threads)
        self.queue_size = default_queue(self.threads) if queue_size is None else int(queue_size)
        self.capacity = self.threads + self.queue_size
        self.media_in = [k for k, p in spec["input"].items() if p["value_type"] in MEDIA]
        self.media_out = {k: p["value_type"] for k, p in spec["output"].items() if p["value_type"] in MEDIA}
        self.tmp = tempfile.mkdtemp(prefix="mo-serve-")
        self.lock = threading.Lock()
        self.load = 0  # jobs in the pool: queued (cancelled ones too, until a worker drops them) or running
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        # daemon threads: a handle stuck for ever must not keep a stopped replica from exiting
        self.workers = [threading.Thread(target=self._work, name=f"mo-handle-{i}", daemon=True)
                        for i in range(self.threads)]
        for worker in self.workers:
            worker.start()

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

    def _work(self) -> None:
        lock, jobs = self.lock, self.jobs
        while True:
            job = jobs.get()
            if job is STOP:
                return
            with lock:
                if job.state == CANCELLED:
                    self.load -= 1
                    continue
                job.state = RUNNING
            result = error = None
            try:
                result = self.call(job.conf, job.given)
            except Exception as exc:
                error = exc
            except BaseException as exc:  # sys.exit / KeyboardInterrupt in handle: this request's error
                error = HandleExit(exc)
            finally:
                with lock:
                    self.load -= 1
            job.conf = job.given = None
            try:
                job.loop.call_soon_threadsafe(_settle, job.waiter, result, error)
            except RuntimeError:  # the loop closed while a timed-out handle ran on
                pass
            del job, result, error

    def full(self) -> bool:
        """A hint, without the lock (``run`` decides): answer 503 before reading a body at all."""
        return self.load >= self.capacity

    def _cancel(self, job: Job) -> None:
        with self.lock:
            if job.state == QUEUED:
                job.state = CANCELLED
                job.conf = job.given = None

    async def run(self, conf: dict, given: dict, timeout: float | None = None) -> bytes:
        """Run handle on ``conf`` in the pool; Busy at once when the pool is full, HandleTimeout after
        ``timeout`` seconds (default: the runner's), whatever handle raised otherwise."""
        with self.lock:
            if self.load >= self.capacity:
                raise Busy()
            self.load += 1
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        job = Job(conf, given, loop, waiter)
        self.jobs.put(job)
        timer = loop.call_later(self.timeout if timeout is None else max(0.0, timeout), _expire, waiter)
        try:
            return await waiter
        except BaseException:  # timed out, or the client's task cancelled: a queued job never runs
            self._cancel(job)
            raise
        finally:
            timer.cancel()

    def close(self) -> None:
        """Stop the workers (those in a handle end with it); queued requests get Busy. On the loop."""
        waiting = []
        with self.lock:
            while True:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is STOP:
                    continue
                self.load -= 1
                if job.state == QUEUED:
                    waiting.append(job)
                job.state = CANCELLED
                job.conf = job.given = None
        for job in waiting:
            _settle(job.waiter, None, Busy())
        for _ in self.workers:
            self.jobs.put(STOP)
        import shutil

        shutil.rmtree(self.tmp, ignore_errors=True)
