"""Container tests run a real Docker engine and the offline-built `mo-jupyter/base` image.
`.ci/test` installs docker.io, starts dockerd and builds the image; here we only check."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGE = "mo-jupyter/base:latest"


@pytest.fixture(scope="session")
def docker_client():
    import docker

    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except Exception as exc:  # not a skip: these tests exist to run against a real engine
        pytest.fail(f"no Docker engine: {exc}. Run `bash .ci/test` (it installs and starts dockerd).")
    try:
        client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        subprocess.run(["bash", str(REPO / "jobs/images/build_offline.sh"), "base"], check=True)
    return client


@pytest.fixture
def machines():
    return {
        "cpu": {"image": IMAGE, "cpus": 1.0, "memory": "256m"},
        "small": {"image": IMAGE, "cpus": 1.0, "memory": "64m"},
        "missing": {"image": "mo-jupyter/not-built:latest"},
        "gpu": {"image": IMAGE, "gpus": 1},
    }


@pytest.fixture
def project(tmp_path):
    """A project root with a small read-only dataset (test_mnist.py brings its own)."""
    root = tmp_path / "proj"
    (root / "datasets").mkdir(parents=True)
    (root / "datasets" / "data.txt").write_text("42\n")
    return root


GWBRIDGE = "docker_gwbridge"


@pytest.fixture(scope="session")
def swarm(docker_client):
    """A single-node swarm on 127.0.0.1, created here when the engine is not in one (and left
    afterwards, with the networks it made)."""
    had_bridge = bool(docker_client.networks.list(names=[GWBRIDGE]))
    created = docker_client.info()["Swarm"]["LocalNodeState"] != "active"
    if created:
        docker_client.swarm.init(advertise_addr="127.0.0.1")
    assert docker_client.info()["Swarm"]["ControlAvailable"], "the engine is a swarm worker: these tests need a manager"
    yield docker_client
    if created:
        docker_client.swarm.leave(force=True)
        if not had_bridge:
            for net in docker_client.networks.list(names=[GWBRIDGE]):
                _remove_when_unused(net)


def _remove_when_unused(net, within: float = 60.0):
    """Remove ``net`` once the engine has let go of it: after ``swarm leave`` the ingress sandbox's
    endpoint on docker_gwbridge goes away a moment later ("has active endpoints" until then)."""
    import docker

    deadline = time.monotonic() + within
    while True:
        try:
            net.remove()
            return
        except docker.errors.NotFound:
            return
        except docker.errors.APIError as exc:
            if "active endpoints" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.2)
