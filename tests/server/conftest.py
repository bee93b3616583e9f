"""Fixtures of the server suite: the extension enabled in pytest-jupyter's in-process server."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from traitlets.config import Config  # noqa: E402

from helpers import Api, ServerProcess, kill_processes_under  # noqa: E402

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def mo_config() -> dict:
    """MoJupyterApp settings; a module overrides this fixture to change them."""
    return {}


@pytest.fixture
def jp_server_config(mo_config):
    return Config({"ServerApp": {"jpserver_extensions": {"mo_jupyter": True}}, "MoJupyterApp": mo_config})


@pytest.fixture
def root(jp_root_dir) -> Path:
    return Path(jp_root_dir)


@pytest.fixture
def jobs_dir(root) -> Path:
    return root / ".mo" / "jobs"


@pytest.fixture
def api(jp_fetch, jp_serverapp, root):
    yield Api(jp_fetch)
    # Jobs are detached processes: whatever a test left running goes with the test.
    kill_processes_under(root)


@pytest.fixture
def project(tmp_path):
    """A project folder and a real ``jupyter server`` process on it (not started: the restart tests
    start, kill and start it again), stopped and its jobs ended afterwards."""
    root = tmp_path / "proj"
    root.mkdir()
    server = ServerProcess(root)
    yield root, server
    server.stop(signal.SIGKILL)
    kill_processes_under(root)

