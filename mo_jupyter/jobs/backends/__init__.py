"""Job backends by name. The ExtensionApp's traitlets choose which are enabled and their config."""

from __future__ import annotations

from typing import Optional

from ...errors import BadRequest
from .base import JobBackend, Runner

BACKEND_CLASSES = {
    "local": "mo_jupyter.jobs.backends.local:LocalBackend",
    "docker": "mo_jupyter.jobs.backends.docker:DockerBackend",
    "swarm": "mo_jupyter.jobs.backends.swarm:SwarmBackend",
}


def backend_for(name: str, config: Optional[dict] = None) -> JobBackend:
    target = BACKEND_CLASSES.get(name)
    if target is None:
        raise BadRequest(f"unknown backend '{name}' (known: {', '.join(sorted(BACKEND_CLASSES))})")
    module_name, _, cls_name = target.partition(":")
    module = __import__(module_name, fromlist=[cls_name])
    return getattr(module, cls_name)(config)


__all__ = ["BACKEND_CLASSES", "JobBackend", "Runner", "backend_for"]
