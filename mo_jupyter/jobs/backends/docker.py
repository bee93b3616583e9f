"""The ``docker`` backend: each job is a container of a machine type's image (docker SDK).

The project root is mounted read-only at /workspace (the working directory), ``results/`` writable
(only when it is a real folder inside the project: a link is refused at create and again at start);
the container runs as the user who owns the project, with an init process, labels naming the job,
and the machine type's CPU / memory limits (and GPUs): ``containers.job_container`` builds it, for
swarm jobs too. The supervisor follows the container's output through two pipes (an attach socket
made before the container starts; a re-attached job's log from the start), so its loop is the same
as for local processes.
"""

from __future__ import annotations

import os
import signal
import struct
import threading
import time
from pathlib import Path
from typing import Optional

from ...containers import (  # noqa: F401  (re-exported)
    PACKAGE_DIR, WORKSPACE, engine, human_bytes, job_container, parse_bytes, writable_mounts,
)
from ...errors import BadRequest, Unavailable
from .base import JobBackend, Runner

DEFAULT_MACHINES = {
    "cpu": {"image": "mo-jupyter/cpu:latest", "cpus": 2.0, "memory": "4g"},
    "gpu": {"image": "mo-jupyter/gpu:latest", "cpus": 4.0, "memory": "16g", "gpus": 1},
}
LABEL = "mo.job"


READ_BYTES = 1024 * 1024
_STREAMS = {1: "stdout", 2: "stderr"}


def split_frames(data: bytes) -> tuple[dict[str, list[bytes]], bytes]:
    """The engine's multiplexed stream (8-byte headers: stream, 3 zero bytes, big-endian size) as
    each stream's chunks, and the bytes of a frame not yet complete."""
    parts: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
    pos, end = 0, len(data)
    unpack = struct.unpack_from
    while pos + 8 <= end:
        kind, size = unpack(">BxxxL", data, pos)
        stop = pos + 8 + size
        if stop > end:
            break
        parts[_STREAMS.get(kind, "stdout")].append(data[pos + 8 : stop])
        pos = stop
    return parts, data[pos:]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class DockerRunner(Runner):
    def __init__(self, container, memory_limit: Optional[int], fresh: bool = False):
        """``fresh``: a container just created, not started: attached first, then started, so its
        output comes through one attach socket from its first byte. Otherwise (re-attaching to a
        job's container, running or not) its log is followed from the start."""
        self.container = container
        self.memory_limit = memory_limit
        self._fds: dict[str, int] = {}
        self._exit: Optional[int] = None
        self._peak = 0
        self._last_cpu: Optional[tuple[int, int]] = None
        writers = {}
        for stream in ("stdout", "stderr"):
            read_fd, write_fd = os.pipe()
            self._fds[stream] = read_fd
            writers[stream] = write_fd
        if fresh:
            try:
                api = container.client.api
                sock = api.attach_socket(container.id, params={"stdout": 1, "stderr": 1, "stream": 1})
                api._disable_socket_timeout(sock)  # the SDK's own helper: a quiet job is not a dead one
                container.start()
            except BaseException:
                for fd in (*writers.values(), *self._fds.values()):
                    os.close(fd)
                try:
                    container.remove(force=True)  # made, never ran: nothing to keep
                except Exception:
                    pass
                raise
            threading.Thread(target=self._copy, args=(sock, writers), daemon=True).start()
        else:
            for stream, fd in writers.items():
                threading.Thread(target=self._follow, args=(stream, fd), daemon=True).start()
        threading.Thread(target=self._wait, daemon=True).start()

    @staticmethod
    def _copy(sock, writers: dict[str, int]) -> None:
        """Copy the attach socket's multiplexed frames (a frame per write of the job: ``docker
        logs`` would be a frame per line, each read on its own, too slow for a job that prints a
        million lines) into the two pipes, a MiB read at a time and split in bulk."""
        try:
            read = getattr(sock, "read", None) or sock.recv
            pending = b""
            while True:
                data = read(READ_BYTES)
                if not data:
                    break
                pending = pending + data if pending else data
                parts, pending = split_frames(pending)
                for stream, chunks in parts.items():
                    if chunks:
                        _write_all(writers[stream], b"".join(chunks))
        except Exception:  # the engine went away: the pipes close, the job's end says why
            pass
        finally:
            for fd in writers.values():
                os.close(fd)
            try:
                sock.close()
            except Exception:
                pass

    def _follow(self, stream: str, write_fd: int) -> None:
        """Copy one stream of the container's log into a pipe (whole log from the start, live)."""
        try:
            for chunk in self.container.logs(stream=True, follow=True, stdout=stream == "stdout",
                                             stderr=stream == "stderr"):
                _write_all(write_fd, chunk)
        except Exception:  # the engine went away: the pipe closes, the job's end says why
            pass
        finally:
            os.close(write_fd)

    def _wait(self) -> None:
        while True:
            try:
                self._exit = int(self.container.wait()["StatusCode"])
                return
            except Exception:
                time.sleep(0.5)

    def output_fds(self) -> dict[str, int]:
        return dict(self._fds)

    def poll(self) -> Optional[int]:
        return self._exit

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        try:
            self.container.kill(signal=int(sig))
        except Exception:
            pass  # already gone

    def sample(self) -> tuple[int, float]:
        try:
            stats = self.container.stats(stream=False, one_shot=True)
        except Exception:
            return 0, 0.0
        mem = stats.get("memory_stats") or {}
        usage = int(mem.get("usage") or 0) - int((mem.get("stats") or {}).get("cache") or 0)
        self._peak = max(self._peak, int(mem.get("max_usage") or 0), usage)
        cpu = stats.get("cpu_stats") or {}
        total = int((cpu.get("cpu_usage") or {}).get("total_usage") or 0)
        system = int(cpu.get("system_cpu_usage") or 0)
        percent = 0.0
        if self._last_cpu and system > self._last_cpu[1]:
            cpus = cpu.get("online_cpus") or 1
            percent = (total - self._last_cpu[0]) / (system - self._last_cpu[1]) * cpus * 100
        self._last_cpu = (total, system)
        return max(usage, 0), max(percent, 0.0)

    def peak_memory(self) -> int:
        return self._peak

    def failure_reason(self, exit_code: int) -> Optional[str]:
        try:
            self.container.reload()
            oom = self.container.attrs["State"].get("OOMKilled")
        except Exception:
            oom = False
        if oom:
            limit = f" (limit {human_bytes(self.memory_limit)})" if self.memory_limit else ""
            return f"out of memory{limit}"
        if exit_code > 128:
            try:
                return f"killed by {signal.Signals(exit_code - 128).name}"
            except ValueError:
                return None
        return None

    def cleanup(self) -> None:
        try:
            self.container.remove(force=True)
        except Exception:
            pass


class DockerBackend(JobBackend):
    name = "docker"

    def __init__(self, config: Optional[dict] = None):
        super().__init__(config)
        self._client = None

    @property
    def machine_types(self) -> dict:
        return self.config.get("machines") or DEFAULT_MACHINES

    def client(self):
        """The engine's client (bounded timeouts, a ping kept a few seconds), or Unavailable."""
        return engine(self.config)

    def _gpu_runtime(self) -> bool:
        return "nvidia" in (self.client().info().get("Runtimes") or {})

    def machines(self) -> list[dict]:
        out = []
        for name, machine in self.machine_types.items():
            entry = {"name": name, "available": True}
            try:
                self.check({"machine": name})
            except (Unavailable, BadRequest) as exc:
                entry.update(available=False, reason=exc.message)
            entry.update({k: machine[k] for k in ("image", "cpus", "memory", "gpus") if machine.get(k)})
            out.append(entry)
        return out

    def command(self, kind: str, path: str, args: list[str], python: str) -> list[str]:
        return super().command(kind, path, args, self.config.get("python", "python3"))

    def machine_of(self, spec: dict) -> dict:
        """The job's machine type, or a BadRequest naming the known ones."""
        name = spec.get("machine", "cpu")
        machine = self.machine_types.get(name)
        if machine is None:
            raise BadRequest(f"unknown machine type '{name}' for the {self.name} backend "
                             f"({', '.join(self.machine_types)})")
        return machine

    def check(self, spec: dict) -> None:
        import docker

        name = spec.get("machine", "cpu")
        machine = self.machine_of(spec)
        client = self.client()
        if machine.get("gpus") and not self._gpu_runtime():
            raise Unavailable("a GPU job cannot run here: the Docker engine has no GPU runtime (nvidia); "
                              "choose another machine type")
        try:
            client.images.get(machine["image"])
        except docker.errors.ImageNotFound:
            raise Unavailable(f"the image '{machine['image']}' of machine '{name}' is not built here; "
                              f"build it with 'jupyter mo image build {name} --offline'") from None
        self.check_mounts(spec)

    def writable(self) -> list[str]:
        return list(self.config.get("writable", ["results"]))

    def check_mounts(self, spec: dict) -> None:
        """Refuse a job whose writable folder is a link or leads out of the project (BadRequest);
        checked again when the container is made."""
        if spec.get("cwd"):
            writable_mounts(spec["cwd"], self.writable(), WORKSPACE)

    def _container_of(self, spec: dict):
        found = self.client().containers.list(all=True, ignore_removed=True, filters={"label": f"{LABEL}={spec['id']}"})
        return found[0] if found else None

    def attachable(self, spec: dict) -> bool:
        try:
            return self._container_of(spec) is not None
        except Exception:
            return False

    def attach(self, spec: dict) -> Runner:
        container = self._container_of(spec)
        if container is None:
            raise Unavailable(f"no container of job {spec['id']} any more")
        machine = self.machine_types.get(spec.get("machine", "cpu"), {})
        return DockerRunner(container, parse_bytes(machine["memory"]) if machine.get("memory") else None)

    def start(self, spec: dict, job_path: Path) -> Runner:
        container = job_container(spec, self.machine_types[spec.get("machine", "cpu")], self.writable())
        kwargs = container.to_docker_run_kwargs()
        kwargs.pop("detach", None)
        return DockerRunner(self.client().containers.create(**kwargs), container.memory, fresh=True)
