"""The app server of a deployed handle(conf): ``jupyter mo serve DIR`` (see app.py for the endpoints,
runner.py for the thread pool, its bounded queue and timeouts, media.py for how img/file/audio/video
values travel, cli.py for the command line and the access key)."""

__all__ = ["ServeApp", "serve"]


def __getattr__(name):
    # Lazy: `jupyter mo --help` and the CLI's parser import serve.cli, not the server and its imports.
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
