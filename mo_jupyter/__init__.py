"""mo_jupyter: the Mo platform's path (datasets, modules, jobs with live metrics, deploy) in JupyterLab."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mo_jupyter")
except PackageNotFoundError:  # a source checkout that was never installed
    __version__ = "0.0.0.dev0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "mo_jupyter"}]


def _jupyter_server_extension_points():
    from .app import MoJupyterApp

    return [{"module": "mo_jupyter", "app": MoJupyterApp}]
