"""The websocket ``mo/api/jobs/<id>/stream?since=<seq>``: every event after ``since``, then live ones.

It only reads the job's ``events.jsonl`` (written by the supervisor) and forwards its complete lines
in order, one event per frame or, when several are ready at once, a JSON array of them (a replay of
100k lines is then a few hundred frames), so a client that reconnects with the last seq it saw misses nothing and
gets nothing twice. When the job has ended and everything is sent: a snapshot, ``{"type": "end"}``,
close.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..errors import MoError
from ..jobs.records import ACTIVE, EVENTS
from ..jobs.tail import EventTail

POLL_SECONDS = 0.01
STATE_CHECK_SECONDS = 0.5
BATCH_EVENTS = 500


class JobStreamHandler(WebSocketMixin, WebSocketHandler, ExtensionHandlerMixin, JupyterHandler):
    def set_default_headers(self):
        """Websockets take no default API headers."""

    @property
    def jobs(self):
        return self.settings["mo_jobs"]

    @ws_authenticated
    async def get(self, job_id: str):
        raw = self.get_query_argument("since", "0")
        try:
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

    async def _pump(self) -> None:
        try:
            record = await asyncio.to_thread(self.jobs.get, self.job.id)
            await self._send({"type": "snapshot", "job": record})
            tail = EventTail(self.job.file(EVENTS))
            await asyncio.to_thread(tail.seek_after, self.since)
            next_check = 0.0
            while True:
                if tail.size() > tail.offset:
                    lines = await asyncio.to_thread(tail.read)
                    for start in range(0, len(lines), BATCH_EVENTS):
                        batch = lines[start : start + BATCH_EVENTS]
                        frame = batch[0] if len(batch) == 1 else b"[" + b",".join(batch) + b"]"
                        # awaited: back-pressure, a slow client is not buried in frames
                        await self.write_message(frame.decode("utf-8", errors="replace"))
                    if lines:
                        continue
                now = time.monotonic()
                if now >= next_check:
                    next_check = now + STATE_CHECK_SECONDS
                    record = await asyncio.to_thread(self.jobs.get, self.job.id)
                    if record["state"] not in ACTIVE and tail.size() <= tail.offset:
                        await self._send({"type": "snapshot", "job": record})
                        await self._send({"type": "end"})
                        self.close()
                        return
                await asyncio.sleep(POLL_SECONDS)
        except (WebSocketClosedError, asyncio.CancelledError):
            return
        except Exception:
            self.log.exception("mo_jupyter: job stream %s failed", self.job.id)
            self.close(1011, "internal error")
