"""mo_jupyter: the Mo platform's path (datasets, modules, jobs with live metrics, deploy) in JupyterLab."""



def __getattr__(name):
    # Lazy: job supervisors import this package and should start fast.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("mo_jupyter")
        except PackageNotFoundError:  # a source checkout that was never installed
            return "0.0.0.dev0"
    raise AttributeError(name)


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "mo_jupyter"}]


def _jupyter_server_extension_points():
    from .app import MoJupyterApp

    return [{"module": "mo_jupyter", "app": MoJupyterApp}]
