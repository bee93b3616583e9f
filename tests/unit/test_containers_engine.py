"""A missing or hung Docker engine fails fast: the ping is bounded and its answer is kept a few
seconds, so the config's machine list, the service views and the proxy's check never wait for the
engine's default 60 s. The hung engine is a real unix socket that accepts and never answers."""

from __future__ import annotations

import socket
import time

import pytest

from mo_jupyter import containers
from mo_jupyter.errors import Unavailable
from mo_jupyter.jobs.backends.docker import DockerBackend
from mo_jupyter.services.docker import DockerServiceBackend


@pytest.fixture
def hung_engine(tmp_path):
    path = tmp_path / "docker.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(64)  # connections complete in the kernel; nothing ever answers
    yield f"unix://{path}"
    server.close()


def timed(call):
    t0 = time.monotonic()
    result = call()
    return result, time.monotonic() - t0


def test_a_hung_engine_is_unavailable_within_the_ping_timeout_and_then_at_once(hung_engine):
    backend = DockerBackend({"base_url": hung_engine})
    machines, first = timed(backend.machines)
    assert first < containers.PING_TIMEOUT * 2 + 2, first  # one bounded ping, not 60 s per machine
    assert machines and all(not m["available"] and "cannot be reached" in m["reason"] for m in machines)
    again, second = timed(backend.machines)
    assert second < 0.5 and again == machines  # the failed ping is remembered for a few seconds
    services = DockerServiceBackend({"base_url": hung_engine})
    folder_like = containers.PACKAGE_DIR / "a" / "b" / "c"  # any <root>/.mo/services/<id> shape
    (serves, t), (replicas, t2) = timed(lambda: services.serves_on(folder_like, 8080)), timed(
        lambda: services.replicas(folder_like))
    assert serves is False and replicas == [] and t < 0.5 and t2 < 0.5


def test_a_missing_engine_is_one_clear_unavailable(tmp_path):
    backend = DockerBackend({"base_url": f"unix://{tmp_path / 'no-such.sock'}"})
    t0 = time.monotonic()
    with pytest.raises(Unavailable, match="the Docker engine cannot be reached") as err:
        backend.check({"machine": "cpu"})
    assert time.monotonic() - t0 < 2 and len(err.value.message) < 300


def test_the_engine_is_asked_again_once_the_answer_is_old(hung_engine, monkeypatch):
    monkeypatch.setattr(containers, "PING_SECONDS", 0.0)  # every call pings
    monkeypatch.setattr(containers, "PING_TIMEOUT", 0.3)
    backend = DockerBackend({"base_url": hung_engine, "timeout": 7})
    for _ in range(2):
        _, took = timed(lambda: pytest.raises(Unavailable, backend.client))
        assert 0.25 < took < 2  # asked each time, each time bounded
