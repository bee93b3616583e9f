"""REST handlers of the deploy wizard: the handle template, scan, generate."""

from __future__ import annotations

from tornado import web

from .base import MoHandler


class HandleHandler(MoHandler):
    @property
    def handle(self):
        return self.settings["mo_handle"]


class HandleTemplateHandler(HandleHandler):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments()
        self.reply(self.handle.template())


class HandleScanHandler(HandleHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("handle_requests#scan")
        self.reply(await self.run(self.handle.scan, body["path"], body.get("cells"), body.get("source")))


class HandleGenerateHandler(HandleHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("handle_requests#generate")
        self.reply(await self.run(self.handle.generate, body["notebook"], body.get("cells"), body.get("handler"),
                                  body.get("spec"), body.get("overwrite", False)))


def handle_routes(api: str) -> list[tuple]:
    return [
        (rf"{api}/handle/template", HandleTemplateHandler),
        (rf"{api}/handle/scan", HandleScanHandler),
        (rf"{api}/handle/generate", HandleGenerateHandler),
    ]
