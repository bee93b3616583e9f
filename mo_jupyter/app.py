"""The jupyter_server extension: configuration (traitlets), services, and the handler table."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from jupyter_core.paths import jupyter_data_dir
from traitlets import Dict, Float, Integer, List, Unicode, default, validate

from .catalog.archives import Limits
from .catalog.roots import default_owner
from .catalog.service import CatalogService
from .handle.service import HandleService
from .handlers.catalog import catalog_routes
from .handlers.handle import handle_routes
from .handlers.services import service_routes
from .services.docker import DockerServiceBackend
from .services.local import LocalServiceBackend
from .services.manager import ServiceManager
from .services.swarm import SwarmServiceBackend

from .handlers.export import ExportHandler
from .handlers.jobs import (
    ConfigHandler,
    JobHandler,
    JobLogHandler,
    JobMetricsHandler,
    JobsHandler,
    JobStopHandler,
)
from .handlers.stream import JobStreamHandler
from .jobs.service import JobService

JOB_ID = r"(?P<job_id>[^/]+)"


class MoJupyterApp(ExtensionApp):
    name = "mo_jupyter"
    load_other_extensions = True

    jobs_dir = Unicode(
        ".mo/jobs",
        help="Where job records and output live; relative paths are inside the project root.",
    ).tag(config=True)
    default_backend = Unicode("local", help="The backend a job uses when it names none.").tag(config=True)
    backends = Dict(
        default_value={"local": {}},
        help="Enabled job backends and their settings, e.g. {'local': {'gpus': ['0']}}.",
    ).tag(config=True)
    concurrency = Dict(
        default_value={},
        per_key_traits=None,
        help="Jobs that may run at once, per backend (default 1 each), e.g. {'local': 2}.",
    ).tag(config=True)
    stop_grace_seconds = Float(5.0, help="After SIGTERM, seconds before SIGKILL on stop.").tag(config=True)
    job_python = Unicode(help="The Python that runs .py and .ipynb jobs (default: this one).").tag(config=True)
    root_dir = Unicode("", help="The project root (default: the server's root_dir).").tag(config=True)
    max_log_chunk = Integer(1024 * 1024, help="Largest log slice one request returns, in bytes.").tag(config=True)

    catalogs = List(
        Unicode(),
        help="Catalog folders (modules/ and datasets/ trees). The first writable one is the user's; "
        "others are shared (e.g. on a network file system). The built-in read-only catalog comes last.",
    ).tag(config=True)
    catalog_owner = Unicode(help="Your owner name in the catalogs (default: the OS user name).").tag(config=True)
    catalog_rescan_seconds = Float(10.0, help="How old the catalog index may get before a background rescan.").tag(config=True)
    archive_max_bytes = Integer(4 * 1024**3, help="Largest total size an archive may extract to.").tag(config=True)
    archive_max_entries = Integer(100_000, help="Most entries an archive may hold.").tag(config=True)
    archive_max_ratio = Float(200.0, help="Highest compression ratio accepted (zip bombs exceed it).").tag(config=True)
    upload_max_bytes = Integer(4 * 1024**3, help="Largest file a browser upload may send.").tag(config=True)

    @validate("catalogs")
    def _catalog_list(self, proposal):
        # `--MoJupyterApp.catalogs='["a", "b"]'` reaches an extension as one string: accept it.
        out = []
        for item in proposal["value"]:
            if item.startswith("[") and item.endswith("]"):
                try:
                    out.extend(str(x) for x in json.loads(item))
                    continue
                except ValueError:
                    pass
            out.append(item)
        return out

    @default("catalogs")
    def _default_catalogs(self):
        return [str(Path(jupyter_data_dir()) / "mo_jupyter" / "catalog")]

    @default("catalog_owner")
    def _default_owner(self):
        return default_owner()

    @default("job_python")
    def _default_python(self):
        return sys.executable

    def make_job_service(self) -> JobService:
        root = self.root_dir or self.serverapp.root_dir
        return JobService(
            root,
            jobs_dir=self.jobs_dir,
            backends=self.backends,
            default_backend=self.default_backend,
            concurrency=self.concurrency,
            grace_seconds=self.stop_grace_seconds,
            python=self.job_python,
        )

    def make_catalog_service(self) -> CatalogService:
        root = self.root_dir or self.serverapp.root_dir
        return CatalogService(
            root,
            [os.path.join(root, os.path.expanduser(p)) for p in self.catalogs],  # relative: to the root
            owner=self.catalog_owner,
            rescan_seconds=self.catalog_rescan_seconds,
            limits=Limits(self.archive_max_bytes, self.archive_max_entries, self.archive_max_ratio),
            max_upload_bytes=self.upload_max_bytes,
        )

    def make_service_manager(self, jobs: JobService) -> ServiceManager:
        root = self.root_dir or self.serverapp.root_dir
        backends = {"local": LocalServiceBackend()}  # the server's Python has uvicorn
        if "docker" in self.backends:  # the job machines' images serve apps too
            backends["docker"] = DockerServiceBackend(self.backends["docker"])
        if "swarm" in self.backends:  # N replicas as a swarm service, behind a 127.0.0.1 gateway
            backends["swarm"] = SwarmServiceBackend(self.backends["swarm"])
        return ServiceManager(root, backends, jobs=jobs)

    def initialize_settings(self):
        catalog = self.make_catalog_service()
        catalog.index.warm()
        jobs = self.make_job_service()
        self.settings.update(mo_jobs=jobs, mo_catalog=catalog,
                             mo_handle=HandleService(self.root_dir or self.serverapp.root_dir),
                             mo_services=self.make_service_manager(jobs))
        self.log.info("mo_jupyter: jobs in %s", self.settings["mo_jobs"].jobs_dir)

    def initialize_handlers(self):
        api = "mo/api"
        self.handlers.extend(
            [
                (rf"{api}/config", ConfigHandler),
                (rf"{api}/jobs", JobsHandler),
                (rf"{api}/jobs/{JOB_ID}", JobHandler),
                (rf"{api}/jobs/{JOB_ID}/stop", JobStopHandler),
                (rf"{api}/jobs/{JOB_ID}/log", JobLogHandler),
                (rf"{api}/jobs/{JOB_ID}/metrics", JobMetricsHandler),
                (rf"{api}/jobs/{JOB_ID}/stream", JobStreamHandler),
                (rf"{api}/export", ExportHandler),
                *catalog_routes(api),
                *handle_routes(api),
                *service_routes(api),
            ]
        )


main = launch_new_instance = MoJupyterApp.launch_instance
