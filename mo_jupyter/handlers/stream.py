"""The websocket ``mo/api/jobs/<id>/stream?since=<seq>``: every event after ``since``, then live ones.

It only reads the job's ``events.jsonl`` (written by the supervisor) and forwards its complete lines
in order, one event per frame or, when several are ready at once, a JSON array of them (a replay of
100k lines is then a few hundred frames), so a client that reconnects with the last seq it saw misses nothing and
gets nothing twice. When the job has ended and everything is sent: a snapshot, ``{"type": "end"}``,
close.

The handler only reads: one shared ``EventFeed`` per job watches the file for every open stream of
that job (backing off while nothing changes), and each stream reads its new lines from its own
offset. Authenticated as jupyter_server's websockets are, and authorized for ``mo_jupyter``
(read) by the server's authorizer, as the REST handlers are.
"""

from __future__ import annotations

import asyncio

import orjson
from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..errors import MoError
from ..jobs.records import EVENTS
from ..jobs.tail import EventFeed, EventTail

BATCH_EVENTS = 500


class JobStreamHandler(WebSocketMixin, WebSocketHandler, ExtensionHandlerMixin, JupyterHandler):
    auth_resource = "mo_jupyter"

    def set_default_headers(self):
        """Websockets take no default API headers."""

    @property
    def jobs(self):
        return self.settings["mo_jobs"]

    @ws_authenticated
    async def get(self, job_id: str):
        if not await ensure_async(self.authorizer.is_authorized(self, self.current_user, "read", self.auth_resource)):
            raise web.HTTPError(403, "not authorized to read mo_jupyter jobs")
        raw = self.get_query_argument("since", "0")
        try:
            if len(raw) > 20:
                raise ValueError
            self.since = int(raw)
        except ValueError:
            raise web.HTTPError(400, f"'since' must be an integer, got '{raw[:40]}'") from None
        try:
            self.job = await asyncio.to_thread(self.jobs.job_dir, job_id)
        except MoError as exc:
            raise web.HTTPError(exc.status, exc.message) from None
        self.task = None
        await super().get(job_id)

    async def open(self, job_id: str):
        super().open()
        self.task = asyncio.create_task(self._pump())

    def on_message(self, message):
        """Clients only listen."""

    def on_close(self):
        if self.task is not None:
            self.task.cancel()

    async def _send(self, payload) -> None:
        await self.write_message(payload if isinstance(payload, str) else orjson.dumps(payload).decode())

    async def _send_lines(self, lines: list[bytes]) -> None:
        for start in range(0, len(lines), BATCH_EVENTS):
            batch = lines[start : start + BATCH_EVENTS]
            frame = batch[0] if len(batch) == 1 else b"[" + b",".join(batch) + b"]"
            # awaited: back-pressure, a slow client is not buried in frames
            await self.write_message(frame.decode("utf-8", errors="replace"))

    async def _pump(self) -> None:
        job_id = self.job.id
        feed = EventFeed.follow(self.job.file(EVENTS), lambda: self.jobs.get(job_id))
        try:
            record = await asyncio.to_thread(self.jobs.get, job_id)
            await self._send({"type": "snapshot", "job": record})
            tail = EventTail(self.job.file(EVENTS))
            await asyncio.to_thread(tail.seek_after, self.since)
            size = -1  # read once at once, whatever the feed has seen so far
            while True:
                if feed.error is not None:
                    raise feed.error
                lines = await asyncio.to_thread(tail.read) if size != feed.size or size < 0 else []
                if lines:
                    await self._send_lines(lines)
                    continue
                size = feed.size
                if feed.final is not None:
                    # the final event was on disk before the final state: one more read to the end
                    # of the file has every event (what is left is at most a line that a dead
                    # supervisor never finished)
                    lines = await asyncio.to_thread(tail.read)
                    if lines:
                        await self._send_lines(lines)
                        continue
                    await self._send({"type": "snapshot", "job": feed.final})
                    await self._send({"type": "end"})
                    self.close()
                    return
                await feed.changed(size)
        except (WebSocketClosedError, asyncio.CancelledError):
            return
        except Exception:
            self.log.exception("mo_jupyter: job stream %s failed", job_id)
            self.close(1011, "internal error")
        finally:
            feed.release()
