"""REST handlers for training tasks (mo/api/tasks): parse, call the tasks service, reply. Reads run
in the fast pool; saving, starting (inserting the module and dataset, starting a job) and deleting
in the slow one."""

from __future__ import annotations

from tornado import web

from ..errors import BadRequest, cut
from ..tasks import TaskService
from .base import MoHandler

TASK_ID = r"(?P<task_id>[^/]+)"


class TaskHandlerBase(MoHandler):
    @property
    def tasks(self) -> TaskService:
        return TaskService(self.project_root, self.jobs, self.settings["mo_catalog"])


class TasksHandler(TaskHandlerBase):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments()
        self.reply({"tasks": await self.run(self.tasks.list)})

    @web.authenticated
    async def post(self):
        body = self.valid_body("task_request#create")
        self.reply(await self.run_slow(self.tasks.create, body), status=201)


class TaskAlgorithmsHandler(TaskHandlerBase):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments("purpose")
        purpose = self.get_query_argument("purpose", None) or None
        self.reply({"algorithms": await self.run(self.tasks.algorithms, purpose)})


class TaskFormHandler(TaskHandlerBase):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments("module")
        module = self.get_query_argument("module", None)
        if not module:
            raise BadRequest("'module' is required: owner/name or owner/name@version")
        if len(module) > 302:
            raise BadRequest(f"'module' is too long: '{cut(module, 60)}'")
        self.reply(await self.run(self.tasks.form, module))


class TaskHandler(TaskHandlerBase):
    @web.authenticated
    async def get(self, task_id: str):
        self.reject_unknown_arguments()
        self.reply(await self.run(self.tasks.get, task_id))

    @web.authenticated
    async def patch(self, task_id: str):
        body = self.valid_body("task_request#patch")
        self.reply(await self.run_slow(self.tasks.update, task_id, body))

    @web.authenticated
    async def delete(self, task_id: str):
        self.reject_unknown_arguments("files")
        files = self.get_query_argument("files", "0")
        if files not in ("0", "1", "true", "false"):
            raise BadRequest("'files' must be 1 (delete the task's folder too) or 0")
        await self.run_slow(self.tasks.delete, task_id, files in ("1", "true"))
        self.no_content()


class TaskStartHandler(TaskHandlerBase):
    @web.authenticated
    async def post(self, task_id: str):
        if self.json_body():
            raise BadRequest("start takes no body (edit a draft with PATCH)")
        self.reply(await self.run_slow(self.tasks.start, task_id))


def task_routes(api: str) -> list:
    return [
        (rf"{api}/tasks", TasksHandler),
        (rf"{api}/tasks/algorithms", TaskAlgorithmsHandler),
        (rf"{api}/tasks/form", TaskFormHandler),
        (rf"{api}/tasks/{TASK_ID}", TaskHandler),
        (rf"{api}/tasks/{TASK_ID}/start", TaskStartHandler),
    ]
