"""The websocket ``mo/api/jobs/<id>/stream?since=<seq>``: every event after ``since``, then live ones.

It only reads what the supervisor wrote: the raw log and its index (``lines`` frames, see
``jobs/replay.py``; older job folders: ``events.jsonl``, one event per frame or a JSON array of
them), in order, so a client that reconnects with the last seq it saw misses nothing and gets
nothing twice. The state of a line that has not ended (a ``\r`` progress bar) comes as transient
``progress`` events, never replayed. When the job has ended and everything is sent: a snapshot, ``{"type": "end"}``,
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
from ..jobs.tail import EventFeed, output_source


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
        self.since = self._int_argument("since")
        # the metrics up to this seq are not sent: the client loaded them (GET .../metrics?format=columns)
        self.metrics_after = self._int_argument("metrics_after")
        try:
            self.job = await asyncio.to_thread(self.jobs.job_dir, job_id)
        except MoError as exc:
            raise web.HTTPError(exc.status, exc.message) from None
        self.task = None
        await super().get(job_id)

    def _int_argument(self, name: str) -> int:
        raw = self.get_query_argument(name, "0")
        try:
            if len(raw) > 20:
                raise ValueError
            return int(raw)
        except ValueError:
            raise web.HTTPError(400, f"'{name}' must be an integer, got '{raw[:40]}'") from None

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

    async def _send_frames(self, frames: list[bytes]) -> None:
        for frame in frames:
            # awaited: back-pressure, a slow client is not buried in frames
            await self.write_message(frame.decode("utf-8", errors="replace"))

    async def _send_progress(self, feed: EventFeed, sent: dict) -> dict:
        """The newest state of unfinished lines, and "" for a stream whose line has ended."""
        now = dict(feed.progress)
        events = [{"type": "progress", "stream": k, "line": v} for k, v in now.items() if sent.get(k) != v]
        events += [{"type": "progress", "stream": k, "line": ""} for k in sent if k not in now]
        if events:
            await self._send(events if len(events) > 1 else events[0])
        return now

    async def _pump(self) -> None:
        job_id = self.job.id
        source, watched = output_source(self.job.path, self.metrics_after)
        feed = EventFeed.follow(watched, lambda: self.jobs.get(job_id))
        try:
            record = await asyncio.to_thread(self.jobs.get, job_id)
            await self._send({"type": "snapshot", "job": record})
            await asyncio.to_thread(source.seek_after, self.since)
            size = -1  # read once at once, whatever the feed has seen so far
            progress_seen, progress = -1, {}
            while True:
                if feed.error is not None:
                    raise feed.error
                frames = await asyncio.to_thread(source.read) if size != feed.size or size < 0 else []
                if frames:
                    await self._send_frames(frames)
                    continue
                size = feed.size
                if progress_seen != feed.progress_version:
                    progress_seen = feed.progress_version
                    progress = await self._send_progress(feed, progress)
                if feed.final is not None:
                    # the final event was on disk before the final state: one more read to the end
                    # of the file has every event (what is left is at most a line that a dead
                    # supervisor never finished)
                    frames = await asyncio.to_thread(source.read)
                    if frames:
                        await self._send_frames(frames)
                        continue
                    if progress:  # the job has ended: no line is unfinished any more
                        await self._send([{"type": "progress", "stream": k, "line": ""} for k in progress])
                    await self._send({"type": "snapshot", "job": feed.final})
                    await self._send({"type": "end"})
                    self.close()
                    return
                await feed.changed(size, progress_seen)
        except (WebSocketClosedError, asyncio.CancelledError):
            return
        except Exception:
            self.log.exception("mo_jupyter: job stream %s failed", job_id)
            self.close(1011, "internal error")
        finally:
            feed.release()
