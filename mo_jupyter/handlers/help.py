"""GET mo/api/help/<name>?lang=: a help document of the Help menu, as Markdown (see mo_jupyter/help)."""

from __future__ import annotations

from tornado import web

from ..help import document
from .base import MoHandler


class HelpHandler(MoHandler):
    @web.authenticated
    async def get(self, name: str):
        self.reject_unknown_arguments("lang")
        self.reply(await self.run(document, name, self.get_query_argument("lang", None)))


def help_routes(api: str) -> list:
    return [(rf"{api}/help/(?P<name>[^/]+)", HelpHandler)]
