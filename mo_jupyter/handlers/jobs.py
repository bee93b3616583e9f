"""REST handlers for jobs: parse, call the jobs service, reply. Reads run in the fast pool; work that
may take long (engine pings, starting a supervisor, ending a lost job's processes, removing a
folder) in the slow one."""

from __future__ import annotations

from tornado import web

from ..errors import BadRequest, cut
from .base import MoHandler


class ConfigHandler(MoHandler):
    @web.authenticated
    async def get(self):
        self.reply(await self.run_slow(self.jobs.config))  # asks engines (Docker pings)


class JobsHandler(MoHandler):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments()
        self.reply({"jobs": await self.run(self.jobs.list)})

    @web.authenticated
    async def post(self):
        self.reply(await self.run_slow(self.jobs.create, self.json_body()), status=201)


class JobHandler(MoHandler):
    @web.authenticated
    async def get(self, job_id: str):
        self.reply(await self.run(self.jobs.get, job_id))

    @web.authenticated
    async def delete(self, job_id: str):
        await self.run_slow(self.jobs.delete, job_id)
        self.no_content()


class JobStopHandler(MoHandler):
    @web.authenticated
    async def post(self, job_id: str):
        self.reply(await self.run_slow(self.jobs.stop, job_id))


class JobRerunHandler(MoHandler):
    @web.authenticated
    async def post(self, job_id: str):
        self.reply(await self.run_slow(self.jobs.rerun, job_id), status=201)


class JobLogHandler(MoHandler):
    @web.authenticated
    async def get(self, job_id: str):
        self.reject_unknown_arguments("offset", "limit")
        offset = self.int_argument("offset", 0)
        limit = self.int_argument("limit", 1024 * 1024, minimum=1)
        self.reply(await self.run(self.jobs.read_log, job_id, offset, limit))


class JobMetricsHandler(MoHandler):
    @web.authenticated
    async def get(self, job_id: str):
        """``?format=records`` (default): one dict per point; ``?format=columns``: per series, one
        array per field (what the Metrics and Compare tabs load: a million points in well under a
        second), encoded off the event loop."""
        self.reject_unknown_arguments("format")
        fmt = self.get_query_argument("format", "records")
        if fmt == "columns":
            body = await self.run(self.jobs.metric_columns_json, job_id)
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(body)
        elif fmt == "records":
            self.reply({"metrics": await self.run(self.jobs.metrics, job_id)})
        else:
            raise BadRequest(f"'format' must be 'records' or 'columns', got '{cut(fmt, 40)}'")
