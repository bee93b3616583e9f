"""The extension's handler table: every REST and websocket route under ``mo/api``."""

from __future__ import annotations

from .catalog import catalog_routes
from .export import ExportHandler
from .handle import handle_routes
from .help import help_routes
from .jobs import (
    ConfigHandler,
    JobHandler,
    JobLogHandler,
    JobMetricsHandler,
    JobRerunHandler,
    JobsHandler,
    JobStopHandler,
)
from .models import model_routes
from .projects import project_routes
from .services import service_routes
from .stream import JobStreamHandler
from .tasks import task_routes

JOB_ID = r"(?P<job_id>[^/]+)"


def routes(api: str) -> list:
    return [
        (rf"{api}/config", ConfigHandler),
        (rf"{api}/jobs", JobsHandler),
        (rf"{api}/jobs/{JOB_ID}", JobHandler),
        (rf"{api}/jobs/{JOB_ID}/stop", JobStopHandler),
        (rf"{api}/jobs/{JOB_ID}/rerun", JobRerunHandler),
        (rf"{api}/jobs/{JOB_ID}/log", JobLogHandler),
        (rf"{api}/jobs/{JOB_ID}/metrics", JobMetricsHandler),
        (rf"{api}/jobs/{JOB_ID}/stream", JobStreamHandler),
        (rf"{api}/export", ExportHandler),
        *catalog_routes(api),
        *handle_routes(api),
        *service_routes(api),
        *help_routes(api),
        *project_routes(api),
        *task_routes(api),
        *model_routes(api),
    ]
