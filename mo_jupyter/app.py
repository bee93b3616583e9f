"""The jupyter_server extension: its settings (settings.py), services, and the handler table."""

from __future__ import annotations

import logging

from jupyter_server.extension.application import ExtensionApp

from .settings import MoSettings

# The services and handlers are imported where they are made (initialize_settings, initialize_handlers).


class MoJupyterApp(ExtensionApp, MoSettings):
    name = "mo_jupyter"
    load_other_extensions = True

    def project_root(self) -> str:
        return self.root_dir or self.serverapp.root_dir

    def initialize_settings(self):
        from . import schemas
        from .handle.service import HandleService
        from .handlers.base import install_bounded_log

        # every line the handlers, the job stream and jupyter_server's access log write for us is cut
        install_bounded_log(self.log, logging.getLogger("tornado.application"), logging.getLogger("tornado.general"),
                            logging.getLogger("tornado.access"))
        schemas.warm("job_request")  # jsonschema's import (~1 s) at start, not in the first job's create
        catalog = self.make_catalog_service()
        catalog.index.warm()
        jobs = self.make_job_service()
        self.settings.update(mo_jobs=jobs, mo_catalog=catalog,
                             mo_handle=HandleService(self.project_root()),
                             mo_services=self.make_service_manager(jobs))
        self.log.info("mo_jupyter: jobs in %s", self.settings["mo_jobs"].jobs_dir)

    def initialize_handlers(self):
        from .handlers.routes import routes

        self.handlers.extend(routes("mo/api"))


main = launch_new_instance = MoJupyterApp.launch_instance
