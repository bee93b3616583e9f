"""The extension's settings on the command line: the same traitlets config files the Jupyter server
reads (``jupyter_server_config.{json,py}`` on the Jupyter config path, ``JUPYTER_CONFIG_DIR`` first),
so ``jupyter mo job run --backend docker`` and ``jupyter mo deploy --backend swarm`` find the backends
and machine types the server has, and a job or a service made here is the server's too."""

from __future__ import annotations


def extension_app(args):
    """A MoJupyterApp configured like the server's, for the project root of ``args``."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Application

    from ..app import MoJupyterApp

    loader = Application()
    loader.load_config_file("jupyter_server_config", path=jupyter_config_path())
    app = MoJupyterApp(config=loader.config)
    app.root_dir = str(args.root)
    if getattr(args, "jobs_dir", None):  # the command line wins over the config
        app.jobs_dir = args.jobs_dir
    return app


def job_service(args):
    return extension_app(args).make_job_service()


def service_manager(args):
    app = extension_app(args)
    return app.make_service_manager(app.make_job_service())
