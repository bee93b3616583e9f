"""The jupyter_server extension: configuration (traitlets), services, and the handler table."""

from __future__ import annotations

import sys

from jupyter_server.extension.application import ExtensionApp
from traitlets import Dict, Float, Integer, Unicode, default

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

    def initialize_settings(self):
        self.settings.update(mo_jobs=self.make_job_service())
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
            ]
        )


main = launch_new_instance = MoJupyterApp.launch_instance
