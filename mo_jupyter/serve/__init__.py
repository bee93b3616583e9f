"""The app server of a deployed handle(conf): ``jupyter mo serve DIR`` (see app.py for the endpoints,
runner.py for the thread pool and timeouts, media.py for how img/file/audio/video values travel)."""

from .app import ServeApp, serve

__all__ = ["ServeApp", "serve"]
