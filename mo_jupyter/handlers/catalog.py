"""REST handlers for the catalogs: modules, datasets, uploads, archive extraction. Parse, call the
catalog service in a thread, reply; errors are mapped in base.MoHandler. Reads run in the fast pool
(``run``); work that copies, extracts, checks or deletes files runs in the slow one (``run_slow``),
so searches and the job list never wait behind an import."""

from __future__ import annotations

from tornado import web

from .base import MoHandler

OWNER_NAME = r"(?P<owner>[^/]+)/(?P<name>[^/]+)"


class CatalogHandler(MoHandler):
    @property
    def catalog(self):
        return self.settings["mo_catalog"]

    def search_args(self) -> tuple[str, int]:
        return self.get_query_argument("q", ""), self.int_argument("limit", 50, minimum=1)


class CatalogInfoHandler(CatalogHandler):
    @web.authenticated
    async def get(self):
        self.reply(self.catalog.info())


class ModulesHandler(CatalogHandler):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments("q", "limit")
        self.reply(await self.run(self.catalog.modules.list, *self.search_args()))


class ModuleHandler(CatalogHandler):
    @web.authenticated
    async def get(self, owner: str, name: str, version: str | None = None):
        self.reply(await self.run(self.catalog.modules.get, owner, name, version))

    @web.authenticated
    async def patch(self, owner: str, name: str, version: str | None = None):
        body = self.valid_body("catalog_requests#module_edit")
        self.reply(await self.run_slow(self.catalog.modules.update, owner, name, version, body))

    @web.authenticated
    async def delete(self, owner: str, name: str, version: str | None = None):
        self.reply(await self.run_slow(self.catalog.modules.withdraw, owner, name, version or ""))


class ModuleInsertHandler(CatalogHandler):
    @web.authenticated
    async def post(self, owner: str, name: str, version: str | None = None):
        body = self.valid_body("catalog_requests#module_insert")
        self.reply(await self.run_slow(self.catalog.modules.insert, owner, name, version, body["notebook"],
                                       body.get("action", "predict"), body.get("replace", False)))


class ModulePublishHandler(CatalogHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("catalog_requests#publish")
        detail = await self.run_slow(self.catalog.modules.publish, body["path"], body.get("permission", "private"))
        self.reply(detail, status=201)


class ModuleNewHandler(CatalogHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("catalog_requests#module_new")
        self.reply(await self.run_slow(self.catalog.modules.new, body), status=201)


class DatasetsHandler(CatalogHandler):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments("q", "limit", "status")
        q, limit = self.search_args()
        self.reply(await self.run(self.catalog.datasets.list, q, limit, self.get_query_argument("status", None)))

    @web.authenticated
    async def post(self):
        self.reply(await self.run(self.catalog.datasets.create, self.json_body()), status=201)


class DatasetHandler(CatalogHandler):
    @web.authenticated
    async def get(self, owner: str, name: str):
        self.reply(await self.run(self.catalog.datasets.get, owner, name))

    @web.authenticated
    async def patch(self, owner: str, name: str):
        self.reply(await self.run_slow(self.catalog.datasets.update, owner, name, self.json_body()))

    @web.authenticated
    async def delete(self, owner: str, name: str):
        await self.run_slow(self.catalog.datasets.delete, owner, name)
        self.no_content()


class DatasetInsertHandler(CatalogHandler):
    @web.authenticated
    async def post(self, owner: str, name: str):
        body = self.valid_body("catalog_requests#dataset_insert")
        self.reply(await self.run_slow(self.catalog.datasets.insert, owner, name, body["notebook"],
                                       body.get("replace", False)))


class DatasetImportHandler(CatalogHandler):
    @web.authenticated
    async def post(self, owner: str, name: str):
        body = self.valid_body("catalog_requests#import")
        self.reply(await self.run_slow(self.catalog.import_into, owner, name, body))


class UploadsHandler(CatalogHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("catalog_requests#upload")
        self.reply(await self.run(self.catalog.uploads.create, body["name"], body["size"]), status=201)


class UploadHandler(CatalogHandler):
    @web.authenticated
    async def put(self, upload_id: str):
        self.reject_unknown_arguments("offset")
        offset = self.int_argument("offset", 0)
        self.reply(await self.run(self.catalog.uploads.append, upload_id, offset, self.request.body))

    @web.authenticated
    async def delete(self, upload_id: str):
        await self.run(self.catalog.uploads.delete, upload_id)
        self.no_content()


class ExtractHandler(CatalogHandler):
    @web.authenticated
    async def post(self):
        body = self.valid_body("catalog_requests#extract")
        self.reply(await self.run_slow(self.catalog.datasets.extract, body["archive"], body.get("dest")))


def catalog_routes(api: str) -> list[tuple]:
    """The routes, most specific first (a version is never called 'insert')."""
    mod, ds = f"{api}/modules/{OWNER_NAME}", f"{api}/datasets/{OWNER_NAME}"
    return [
        (rf"{api}/catalog", CatalogInfoHandler),
        (rf"{api}/modules", ModulesHandler),
        (rf"{api}/modules/publish", ModulePublishHandler),
        (rf"{api}/modules/new", ModuleNewHandler),
        (rf"{mod}/insert", ModuleInsertHandler),
        (rf"{mod}/(?P<version>[^/]+)/insert", ModuleInsertHandler),
        (rf"{mod}", ModuleHandler),
        (rf"{mod}/(?P<version>[^/]+)", ModuleHandler),
        (rf"{api}/datasets", DatasetsHandler),
        (rf"{ds}/insert", DatasetInsertHandler),
        (rf"{ds}/import", DatasetImportHandler),
        (rf"{ds}", DatasetHandler),
        (rf"{api}/uploads", UploadsHandler),
        (rf"{api}/uploads/(?P<upload_id>[^/]+)", UploadHandler),
        (rf"{api}/archives/extract", ExtractHandler),
    ]
