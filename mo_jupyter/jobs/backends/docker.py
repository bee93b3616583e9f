"""The ``docker`` backend: each job is a container of a machine type's image (docker SDK).

The project root is mounted read-only at /workspace (the working directory), ``results/`` writable
(only when it is a real folder inside the project: a link is refused at create and again at start);
the container runs as the user who owns the project, with an init process, labels naming the job,
and the machine type's CPU / memory limits (and GPUs): ``containers.job_container`` builds it, for
swarm jobs too. A job's output goes through two FIFOs, which the supervisor reads as a local job's
pipes (``fifos.py``: the engine's own log and copies cost more CPU than the job). Where the engine
cannot share them (one reached over TCP or ssh, one in a VM, rootless or with user namespaces, a
container of another user while we are not root), or the backend's ``output`` is ``"attach"``:
the container is attached before it starts, so its output comes from its first byte through one
socket, in frames (one per write of the job); the supervisor's loop reads that socket itself and
splits the frames in bulk (``Demux``). A re-attached job's FIFOs are read on where the dead
supervisor stopped; a re-attached job without them has its log followed from the start through
two pipes.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Optional

from ...containers import (  # noqa: F401  (re-exported)
    PACKAGE_DIR, WORKSPACE, Mount, engine, human_bytes, job_container, parse_bytes, writable_mounts,
)
from ...atomic import write_all
from ...errors import BadRequest, Unavailable
from . import fifos
from .attachstream import Demux, plain_fd
from .base import JobBackend, Runner

DEFAULT_MACHINES = {
    "cpu": {"image": "mo-jupyter/cpu:latest", "cpus": 2.0, "memory": "4g"},
    "gpu": {"image": "mo-jupyter/gpu:latest", "cpus": 4.0, "memory": "16g", "gpus": 1},
}
LABEL = "mo.job"
READ_BYTES = 1024 * 1024


class DockerRunner(Runner):
    _mux: Optional[tuple[int, "Demux"]] = None  # the attach socket the supervisor reads, and its splitter
    _sock = None
    replays = False  # whether the output comes again from its start (a followed log)
    _holds: tuple[int, ...] = ()  # our write ends of the job's FIFOs, closed once the container ended
    fifo = False  # whether the job's output goes through FIFOs (fifos.py)

    def __init__(self, container, memory_limit: Optional[int], fresh: bool = False,
                 pipes: Optional[dict[str, Path]] = None):
        """``pipes``: the job's FIFOs (``fifos.py``), opened, then the container started when
        ``fresh`` (re-attaching: opened in the running container). Else ``fresh``: a container
        just created, not started: attached first, then started, so its output comes through one
        attach socket from its first byte. Else (re-attaching to a job's container, running or
        not) its log is followed from the start."""
        self.container = container
        self.memory_limit = memory_limit
        self._fds: dict[str, int] = {}
        self.fifo = bool(pipes)
        self._exit: Optional[int] = None
        self._peak = 0
        self._last_cpu: Optional[tuple[int, int]] = None
        self._sampled: tuple[int, float] = (0, 0.0)  # (memory, CPU %), from the stats stream
        if pipes and fresh:
            self._start_or_remove(container, lambda: self._open(pipes))
        elif pipes:
            self._open(pipes)
        elif not fresh:
            self.replays = True
            for stream, write_fd in self._new_pipes().items():
                threading.Thread(target=self._follow, args=(stream, write_fd), daemon=True).start()
        else:
            sock = self._start_or_remove(container, lambda: self._attach(container))
            fd = plain_fd(sock)
            if fd is not None:  # the supervisor's loop reads the socket itself
                self._sock, self._mux = sock, (fd, Demux())
            else:  # TLS or ssh to the engine: a thread decodes it into pipes
                threading.Thread(target=self._copy, args=(sock, self._new_pipes()), daemon=True).start()
        threading.Thread(target=self._wait, daemon=True).start()
        threading.Thread(target=self._follow_stats, args=(container,), daemon=True).start()

    def _open(self, pipes: dict[str, Path]) -> None:
        self._fds, holds = fifos.open_ends(pipes)
        self._holds = tuple(holds)

    def _start_or_remove(self, container, before):
        """``before()`` then start the container; a container that could not start is removed (made,
        never ran: nothing to keep), and our FIFO ends are closed."""
        try:
            got = before()
            container.start()
            return got
        except BaseException:
            self.after_exit()
            for fd in self._fds.values():
                os.close(fd)
            try:
                container.remove(force=True)
            except Exception:
                pass
            raise

    @staticmethod
    def _attach(container):
        api = container.client.api
        sock = api.attach_socket(container.id, params={"stdout": 1, "stderr": 1, "stream": 1})
        api._disable_socket_timeout(sock)  # the SDK's own helper: a quiet job is not a dead one
        return sock

    def _new_pipes(self) -> dict[str, int]:
        """A pipe per stream: the read ends for the supervisor, the write ends returned."""
        writers = {}
        for stream in ("stdout", "stderr"):
            self._fds[stream], writers[stream] = os.pipe()
        return writers

    @staticmethod
    def _copy(sock, writers: dict[str, int]) -> None:
        """Copy the attach socket's frames into the two pipes (an engine reached over TLS or
        ssh, whose socket's bytes are not the stream), a MiB read at a time and split in bulk."""
        try:
            read = getattr(sock, "read", None) or sock.recv
            demux = Demux()
            while True:
                data = read(READ_BYTES)
                if not data:
                    break
                for stream, part in demux(data):
                    write_all(writers[stream], part)
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
                write_all(write_fd, chunk)
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

    def after_exit(self) -> None:
        """The container has ended: our FIFO write ends go, so their end reads as the end once
        what the job wrote is read (a process it left that still holds them keeps them open, as a
        local job's pipe)."""
        holds, self._holds = self._holds, ()
        for fd in holds:
            os.close(fd)

    def output_mux(self) -> Optional[tuple[int, "Demux"]]:
        return self._mux

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

    def _follow_stats(self, container) -> None:
        """The engine's stats stream, a sample a second, kept for ``sample``: a one-shot stats
        call waits for the engine's next collection (a second on Debian's dockerd 20.10, even with
        ``one-shot``), which would hold the supervisor's loop, and the job's output, every second.
        A stream that ends or fails (a read timeout, the engine restarted) is opened again while
        the job runs; a stopped container's empty stats are not a sample."""
        while self._exit is None and self.container is container:
            try:
                for stats in container.stats(stream=True, decode=True):
                    if self._exit is not None:
                        return
                    # a stopped container's stats are empty, read at the zero time
                    if isinstance(stats, dict) and not str(stats.get("read", "")).startswith("0001-"):
                        self._sampled = self._usage(stats)
            except Exception:  # the engine went away for a moment, or the container did
                pass
            time.sleep(1.0)

    def sample(self) -> tuple[int, float]:
        return self._sampled

    def _usage(self, stats: dict) -> tuple[int, float]:
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
        if self.fifo:  # the shell's or the init's own error, from before the FIFOs: the engine's log
            try:
                said = self.container.logs(tail=5).decode(errors="replace").splitlines()
            except Exception:
                said = []
            said = [line for line in said if line.startswith(("mo-job:", "[FATAL tini"))]
            if said:
                return f"exited with code {exit_code}: {said[-1][:300]}"
        return None

    def cleanup(self) -> None:
        self.after_exit()
        if self._sock is not None:
            try:
                self._sock.close()
            except Exception:
                pass
        try:
            self.container.remove(force=True)
        except Exception:
            pass


class DockerBackend(JobBackend):
    """Config: ``machines``, ``base_url``, ``writable`` (folders mounted read-write), ``output``:
    ``"fifo"`` or ``"attach"`` (how a job's output comes; default: FIFOs where the engine runs on
    this machine, see ``fifos.py``)."""

    name = "docker"

    def __init__(self, config: Optional[dict] = None):
        super().__init__(config)
        self._client = None
        self._shares: Optional[bool] = None

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
        memory = parse_bytes(machine["memory"]) if machine.get("memory") else None
        pid = 0
        if (container.labels or {}).get(fifos.LABEL) == "fifo":
            try:
                container.reload()  # a listed container's state is a word; its init's PID is in its details
                pid = container.attrs["State"]["Pid"]
            except Exception:
                pid = 0
        if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0:
            try:  # read on where the dead supervisor stopped
                return DockerRunner(container, memory, pipes=fifos.in_container(pid))
            except OSError:  # its FIFOs cannot be opened (any more): as a container without them
                pass
        return DockerRunner(container, memory)

    def _fifo_output(self) -> bool:
        """Whether jobs' output may go through FIFOs: the backend's ``output`` says so, or, when it
        says nothing, the engine shares this machine's kernel and users: a unix socket on Linux,
        not Docker Desktop's VM, neither rootless nor with user namespaces (a container's uid is
        another uid here, which may not open a FIFO of ours)."""
        choice = self.config.get("output")
        if choice in ("fifo", "attach"):
            return choice == "fifo"
        if self._shares is None:
            client = self.client()
            info = client.info()
            options = " ".join(map(str, info.get("SecurityOptions") or []))
            self._shares = (sys.platform.startswith("linux")
                            and getattr(client.api, "base_url", "") == "http+docker://localhost"
                            and "docker desktop" not in str(info.get("OperatingSystem", "")).lower()
                            and "name=rootless" not in options and "name=userns" not in options)
        return self._shares

    def start(self, spec: dict, job_path: Path) -> Runner:
        container = job_container(spec, self.machine_types[spec.get("machine", "cpu")], self.writable())
        pipes = fifos.make(job_path, container.user) if self._fifo_output() else None
        if pipes:
            container.command = fifos.wrap(container.command)
            container.mounts += [Mount(str(path), f"{fifos.TARGET}/{stream}", read_only=False)
                                 for stream, path in pipes.items()]
            container.labels[fifos.LABEL] = "fifo"
        kwargs = container.to_docker_run_kwargs()
        kwargs.pop("detach", None)
        try:
            return DockerRunner(self.client().containers.create(**kwargs), container.memory, fresh=True, pipes=pipes)
        finally:  # started (its mounts keep the FIFOs; no other job can reach them now) or never will
            if pipes:
                fifos.remove(pipes)
