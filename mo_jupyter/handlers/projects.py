"""REST handlers for project templates (the seeds' 新建项目): list them, make a project folder."""

from __future__ import annotations

from tornado import web

from ..projects import ProjectService, templates
from .base import MoHandler


class ProjectTemplatesHandler(MoHandler):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments()
        self.reply({"templates": await self.run(templates)})


class ProjectsHandler(MoHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("project_request")
        service = ProjectService(self.project_root, self.settings["mo_catalog"])
        self.reply(await self.run_slow(service.create, body["template"], body.get("path")), status=201)


def project_routes(api: str) -> list:
    return [
        (rf"{api}/projects/templates", ProjectTemplatesHandler),
        (rf"{api}/projects", ProjectsHandler),
    ]
