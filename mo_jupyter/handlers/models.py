"""REST handlers for model records (mo/api/models): parse, call the models service, reply.

The service is built on first use from the jobs service (same root) and kept in the settings as
``mo_models``; building it runs the first reconcile pass (jobs that ended while no server ran are
registered then), and every list runs one too."""

from __future__ import annotations

import os
import threading

from tornado import web

from ..errors import cut
from ..models import actions
from ..models.service import ModelService
from .base import MoHandler

DOWNLOAD_CHUNK = 1024 * 1024
NAME = r"(?P<name>[^/]+)"
VERSION = r"(?P<version>[^/]+)"
_BUILDING = threading.Lock()


def models_service(settings: dict) -> ModelService:
    """The settings' models service, built (with its first reconcile pass) on first use."""
    with _BUILDING:  # one build, one first pass, however many requests come at once
        service = settings.get("mo_models")
        if service is None:
            jobs = settings["mo_jobs"]
            service = ModelService(jobs.root, jobs)
            service.reconcile()
            settings["mo_models"] = service
    return service


class ModelsBase(MoHandler):
    async def models(self) -> ModelService:
        return self.settings.get("mo_models") or await self.run_slow(models_service, self.settings)


class ModelsHandler(ModelsBase):
    @web.authenticated
    async def get(self):
        self.reject_unknown_arguments("q")
        q = cut(self.get_query_argument("q", ""), 500)
        service = await self.models()
        self.reply(await self.run_slow(service.list, q))  # the pass may copy a new model's files

    @web.authenticated
    async def post(self):
        body = self.valid_body("model_request")
        service = await self.models()
        record = await self.run_slow(service.register_path, body["path"], body.get("name"),
                                     body.get("description", ""))
        self.reply(record, status=201)


class ModelHandler(ModelsBase):
    @web.authenticated
    async def get(self, name: str, version: str):
        self.reject_unknown_arguments()
        service = await self.models()
        self.reply(await self.run(service.get, name, version))

    @web.authenticated
    async def delete(self, name: str, version: str):
        self.reject_unknown_arguments()
        service = await self.models()
        await self.run_slow(service.delete, name, version)
        self.no_content()


class ModelDownloadHandler(ModelsBase):
    @web.authenticated
    async def get(self, name: str, version: str):
        self.reject_unknown_arguments()
        service = await self.models()
        filename, archive = await self.run_slow(service.zip, name, version)
        try:
            self.set_header("Content-Type", "application/zip")
            # the name is letters, digits, '_', '-', '.' (a model name) and the version: safe quoted
            self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
            self.set_header("Content-Length", str(os.fstat(archive.fileno()).st_size))
            while True:
                chunk = await self.run(archive.read, DOWNLOAD_CHUNK)
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        finally:
            archive.close()
        self.finish()


class ModelMetricsHandler(ModelsBase):
    @web.authenticated
    async def get(self, name: str, version: str):
        self.reject_unknown_arguments()
        service = await self.models()
        self.reply({"metrics": await self.run(service.metrics, name, version)})


class ModelDeployHandler(ModelsBase):
    @web.authenticated
    async def post(self, name: str, version: str):
        body = self.valid_body("model_request#deploy")
        service = await self.models()
        view = await self.run_slow(actions.deploy, service, self.settings["mo_catalog"], self.settings["mo_services"],
                                   name, version, body.get("name"), body.get("backend", "local"),
                                   body.get("machine", "cpu"))
        self.reply(view, status=201)


class ModelPublishHandler(ModelsBase):
    @web.authenticated
    async def post(self, name: str, version: str):
        body = self.valid_body("model_request#publish")
        service = await self.models()
        self.reply(await self.run_slow(actions.publish, service, self.settings["mo_catalog"], name, version,
                                       body.get("permission", "private")), status=201)


def model_routes(api: str) -> list:
    base = f"{api}/models"
    return [
        (rf"{base}", ModelsHandler),
        (rf"{base}/{NAME}/{VERSION}/download", ModelDownloadHandler),
        (rf"{base}/{NAME}/{VERSION}/metrics", ModelMetricsHandler),
        (rf"{base}/{NAME}/{VERSION}/deploy", ModelDeployHandler),
        (rf"{base}/{NAME}/{VERSION}/publish", ModelPublishHandler),
        (rf"{base}/{NAME}/{VERSION}", ModelHandler),
    ]
