"""The extension's settings on the command line: the same traitlets config files the Jupyter server
reads (``jupyter_server_config.{json,py}`` on the Jupyter config path, ``JUPYTER_CONFIG_DIR`` first),
so ``jupyter mo job run --backend docker`` and ``jupyter mo deploy --backend swarm`` find the backends
and machine types the server has, and a job or a service made here is the server's too."""

from __future__ import annotations

import logging


def extension_app(args):
    """The extension's settings, configured like the server's (its `MoJupyterApp` section), for the
    project root of ``args``; jupyter_server itself is not imported."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Application, Config

    from ..settings import CONFIG_SECTION, MoSettings

    # a logger of our own: traitlets' default one configures the process's logging (dictConfig),
    # which closes every handler there is, and the streams some of them hold (absl's)
    loader = Application(log=logging.getLogger("mo_jupyter.cli"))
    loader.load_config_file("jupyter_server_config", path=jupyter_config_path())
    section = loader.config[CONFIG_SECTION] if CONFIG_SECTION in loader.config else {}
    app = MoSettings(config=Config({"MoSettings": section}))
    app.root_dir = str(args.root)
    if getattr(args, "jobs_dir", None):  # the command line wins over the config
        app.jobs_dir = args.jobs_dir
    return app


def job_service(args):
    return extension_app(args).make_job_service()


def service_manager(args):
    app = extension_app(args)
    return app.make_service_manager(app.make_job_service())
