"""A project folder holding a deployable app (handler.py + app_spec.yml), for the services tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from mo_jupyter.services.local import LocalServiceBackend
from mo_jupyter.services.manager import ServiceManager

HANDLE = "def handle(conf):\n    return {'y': 1}  # value_type: int\n"
SPEC = "input: {}\noutput:\n  y: {value_type: int}\n"


def app_project(tmp_path: Path, handle: str = HANDLE, spec: str = SPEC) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "handler.py").write_text(handle)
    (root / "app_spec.yml").write_text(spec)
    return root


@pytest.fixture
def project(tmp_path):
    """(root, manager): an app project, and a factory of ServiceManagers on the local backend
    (``manager(restarts=5, grace=5.0)``) whose services are deleted at the end."""
    root = app_project(tmp_path)
    made = []

    def manager(restarts: int = 5, grace: float = 5.0) -> ServiceManager:
        mgr = ServiceManager(root, {"local": LocalServiceBackend(grace_seconds=grace, restarts=restarts)})
        made.append(mgr)
        return mgr

    yield root, manager
    for mgr in made:
        for view in mgr.list():
            mgr.delete(view["id"])
