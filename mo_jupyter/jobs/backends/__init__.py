"""Job backends by name. The ExtensionApp's traitlets choose the class of each name
(``job_backend_classes``: the built-ins below, or a third party's), which are enabled and their
settings (``backends``). Each enabled backend's settings carry its class's import path
(``backend_class``), and a job's spec carries those settings, so the supervisor process, which
has no traitlets, builds the same class."""

from __future__ import annotations

import importlib
from typing import Optional

from ...errors import BadRequest
from .base import JobBackend, Runner

BUILTIN_BACKENDS = {
    "local": "mo_jupyter.jobs.backends.local:LocalBackend",
    "docker": "mo_jupyter.jobs.backends.docker:DockerBackend",
    "swarm": "mo_jupyter.jobs.backends.swarm:SwarmBackend",
}
BACKEND_CLASSES = BUILTIN_BACKENDS  # the old name
CLASS_KEY = "backend_class"


def class_path(cls: type) -> str:
    """``module:Class`` of a class, as ``backend_for`` reads it."""
    return f"{cls.__module__}:{cls.__qualname__}"


def load_class(target: str) -> type[JobBackend]:
    """The JobBackend subclass at ``module:Class`` (or ``module.Class``)."""
    module_name, sep, cls_name = target.partition(":")
    if not sep:
        module_name, _, cls_name = target.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise BadRequest(f"job backend class '{target[:200]}' cannot be loaded: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, JobBackend)):
        raise BadRequest(f"'{target[:200]}' is not a JobBackend class")
    return cls


def backend_for(name: str, config: Optional[dict] = None) -> JobBackend:
    """The backend ``name`` with its settings; ``config['backend_class']`` names its class (the
    app's ``job_backend_classes`` puts it there), else the built-in of that name."""
    config = dict(config or {})
    target = config.pop(CLASS_KEY, None) or BUILTIN_BACKENDS.get(name)
    if not isinstance(target, str):
        raise BadRequest(f"unknown backend '{str(name)[:100]}' (known: {', '.join(sorted(BUILTIN_BACKENDS))})")
    return load_class(target)(config)


__all__ = ["BACKEND_CLASSES", "BUILTIN_BACKENDS", "JobBackend", "Runner", "backend_for", "class_path", "load_class"]
