"""POST mo/api/export: a notebook becomes a .py beside it."""

from __future__ import annotations

from tornado import web

from ..export import export_notebook
from .base import MoHandler


class ExportHandler(MoHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("export_request")
        path = await self.run(
            export_notebook, self.project_root, body["path"], body.get("out"), body.get("overwrite", False)
        )
        self.reply({"path": path})
