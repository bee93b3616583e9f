"""The ``swarm`` backend: each job is a Docker Swarm service in ``replicated-job`` mode (one task,
restart ``none``), talking to a swarm manager through the docker SDK.

Same semantics as the ``docker`` backend: the project root read-only at /workspace (the working
directory), ``results/`` writable, the project owner's uid:gid, an init process, labels naming the
job, the machine type's CPU / memory limits; plus the machine type's placement ``constraints`` and
GPUs as swarm generic resources (``gpus: n`` or ``generic_resources: {"gpu": n}``).

What differs from a container, and how it is handled:
- A service's log stream never ends, even after its task has: the job's state comes from the task
  (polled), and the output pipes are closed once the task is over and the log has gone quiet.
- The swarm has no "signal this task" call. Stop sets the job's completions to 0, so the node's
  agent stops the task's container like ``docker stop`` (SIGTERM through the init, SIGKILL after the
  stop grace period, which is the job's grace period).
- On Docker 20.10 removing a job service leaves its tasks behind (moby/moby#44312, fixed in
  swarmkit#3112): cleanup also removes the task's container when it is on the engine we talk to.
- Memory / CPU samples and the out-of-memory verdict need the task's container, so they are exact
  when it runs on the engine mo_jupyter talks to (the manager); elsewhere samples are 0 and a 137
  exit says "perhaps out of memory".
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Optional

from ...containers import ContainerSpec, job_container
from ...errors import Unavailable
from .base import Runner
from .docker import (  # noqa: F401  (re-exported helpers)
    DEFAULT_MACHINES, LABEL, PACKAGE_DIR, WORKSPACE, DockerBackend, DockerRunner, human_bytes, parse_bytes,
)

TASK_POLL_SECONDS = 0.1  # a stopped task is deleted ~0.3 s after it ends: poll faster than that
LOG_QUIET_SECONDS = 0.3  # after the task's end, the log is complete once it is this quiet ...
LOG_DRAIN_SECONDS = 3.0  # ... or after this long at most
SCHEDULE_TIMEOUT = 60.0  # a task no node can take for this long fails the job
NOT_RUN = 125  # exit code of a job whose task never ran (as `docker run` uses 125)
TERMINAL = {"complete", "failed", "shutdown", "rejected", "orphaned", "remove"}


def _gone(exc: Exception) -> bool:
    import docker

    return isinstance(exc, docker.errors.NotFound)


class SwarmRunner(DockerRunner):
    """A job's service as the supervisor sees it. Reuses DockerRunner's sampling (stats of the task's
    container, when it is on our engine)."""

    def __init__(self, client, service_id: str, memory_limit: Optional[int], schedule_timeout: Optional[float]):
        # DockerRunner.__init__ is not called: it follows a container; this follows a service.
        self.client = client
        self.service_id = service_id
        self.memory_limit = memory_limit
        self.schedule_timeout = schedule_timeout
        self.container = None  # the task's container once seen on our engine (for stats, OOM)
        self.container_id: Optional[str] = None
        self._peak = 0
        self._last_cpu = None
        self._sampled = (0, 0.0)
        self._exit: Optional[int] = None
        self._reason: Optional[str] = None
        self._stop = None  # None, "term" or "kill"
        self._lock = threading.Lock()
        self._writers: dict[str, Optional[int]] = {}
        self._last_output = time.monotonic()
        self._fds: dict[str, int] = {}
        for stream in ("stdout", "stderr"):
            read_fd, write_fd = os.pipe()
            self._fds[stream] = read_fd
            self._writers[stream] = write_fd
            threading.Thread(target=self._follow, args=(stream,), daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    # ---- output ---------------------------------------------------------------------------
    def _follow(self, stream: str) -> None:
        """Copy one stream of the service's log into a pipe. The stream does not end with the
        task: _watch closes the pipe; this thread then stays blocked until the process exits."""
        try:
            for chunk in self.client.api.service_logs(self.service_id, follow=True, stdout=stream == "stdout",
                                                      stderr=stream == "stderr"):
                with self._lock:
                    fd = self._writers[stream]
                    if fd is None:
                        return
                    self._last_output = time.monotonic()
                    os.write(fd, chunk)
        except Exception:  # the engine went away: the pipe closes, the job's end says why
            pass
        finally:
            self._close(stream)

    def _close(self, stream: str) -> None:
        with self._lock:
            fd, self._writers[stream] = self._writers[stream], None
        if fd is not None:
            os.close(fd)

    # ---- state from the task --------------------------------------------------------------
    def _task(self) -> Optional[dict]:
        tasks = self.client.api.tasks(filters={"service": self.service_id})
        if not tasks:
            return None
        return max(tasks, key=lambda t: t.get("CreatedAt", ""))

    def _watch(self) -> None:
        try:
            code = self._wait_task()
        except Exception as exc:  # never leave the job running forever on a surprise
            self._reason = f"lost track of its task: {exc}"
            code = NOT_RUN
        # The task's end may be known before its last lines have come: wait until the log has been
        # quiet for a moment since then.
        ended = time.monotonic()
        while time.monotonic() - ended < LOG_DRAIN_SECONDS and \
                time.monotonic() - max(self._last_output, ended) < LOG_QUIET_SECONDS:
            time.sleep(0.05)
        for stream in self._writers:
            self._close(stream)
        self._exit = code

    def _wait_task(self) -> int:
        seen = False
        pending_since = None
        code = None
        while code is None:
            try:
                task = self._task()
            except Exception as exc:
                if not _gone(exc):  # the manager is unreachable for now: keep asking
                    time.sleep(0.5)
                    continue
                task, seen = None, True  # the service was removed behind our back
            if task is not None:
                seen = True
                code = self._from_task(task)
                if code is None and task["Status"]["State"] == "pending" and "no suitable node" in (
                        task["Status"].get("Err") or ""):
                    pending_since = pending_since or time.monotonic()
                    waited = time.monotonic() - pending_since
                    if self.schedule_timeout is not None and waited > self.schedule_timeout:
                        self._reason = f"not scheduled: {task['Status']['Err']} for {waited:.0f} s"
                        self._end_task()
                        code = NOT_RUN
                else:
                    pending_since = None
            elif seen or self._stop:  # deleted: stopped by us (or the service was removed)
                code = self._stopped_code()
            if code is None:
                time.sleep(TASK_POLL_SECONDS)
        return code

    def _from_task(self, task: dict) -> Optional[int]:
        status = task["Status"]
        container = status.get("ContainerStatus") or {}
        if container.get("ContainerID") and self.container_id != container["ContainerID"]:
            self.container_id = container["ContainerID"]
            try:
                self.container = self.client.containers.get(self.container_id)
            except Exception:
                self.container = None  # on another node
            else:
                threading.Thread(target=self._follow_stats, args=(self.container,), daemon=True).start()
        state = status.get("State")
        if state not in TERMINAL:
            return None
        if state in ("complete", "failed", "shutdown") and self.container_id:
            return int(container.get("ExitCode") or 0)
        if self._stop:
            return self._stopped_code()
        self._reason = {"rejected": "rejected by the swarm", "orphaned": "lost: its node left the swarm"}.get(
            state, f"its task ended as '{state}'") + (f": {status['Err']}" if status.get("Err") else "")
        return NOT_RUN

    def _stopped_code(self) -> int:
        """The task was deleted before its exit code was seen: the local container may know it."""
        try:
            self.container.reload()
            if self.container.status == "exited":
                return int(self.container.attrs["State"]["ExitCode"])
        except Exception:
            pass
        if self._stop is None:
            self._reason = "its service was removed"
            return NOT_RUN
        return 128 + (signal.SIGKILL if self._stop == "kill" else signal.SIGTERM)

    def _end_task(self) -> None:
        """Set the job's completions to 0: the swarm stops its task (stop signal, then SIGKILL after
        the stop grace period) and deletes it."""
        for attempt in range(5):
            try:
                service = self.client.api.inspect_service(self.service_id)
                spec = service["Spec"]  # the whole spec is sent back (fetch_current_spec gets a 400 on 20.10)
                self.client.api.update_service(
                    self.service_id, service["Version"]["Index"], task_template=spec["TaskTemplate"],
                    name=spec["Name"], labels=spec.get("Labels"),
                    mode={"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 0}})
                return
            except Exception as exc:
                if _gone(exc):
                    return
                if attempt == 4:  # the supervisor's log says why the stop did not happen
                    print(f"swarm: could not end the task of service {self.service_id}: {exc}", file=sys.stderr)
                time.sleep(0.1)  # e.g. the version moved under us: read it again

    # ---- Runner ---------------------------------------------------------------------------
    def output_fds(self) -> dict[str, int]:
        return dict(self._fds)

    def poll(self) -> Optional[int]:
        return self._exit

    def terminate(self) -> None:
        if self._stop is None:
            self._stop = "term"
            self._end_task()

    def kill(self) -> None:
        self._stop = "kill"
        if self.container is not None:  # on our engine: at once (elsewhere the agent kills it after the grace)
            try:
                self.container.kill(signal=int(signal.SIGKILL))
            except Exception:
                pass

    def failure_reason(self, exit_code: int) -> Optional[str]:
        if self._reason:
            return self._reason
        if self.container is not None:
            return super().failure_reason(exit_code)  # OOMKilled from the container itself
        if exit_code == 128 + signal.SIGKILL and self.memory_limit:
            return f"killed by SIGKILL (perhaps out of memory, limit {human_bytes(self.memory_limit)})"
        if exit_code > 128:
            try:
                return f"killed by {signal.Signals(exit_code - 128).name}"
            except ValueError:
                return None
        return None

    def cleanup(self) -> None:
        for attempt in range(5):
            try:
                self.client.api.remove_service(self.service_id)
                break
            except Exception as exc:
                if _gone(exc):
                    break
                print(f"swarm: removing service {self.service_id}: {exc}", file=sys.stderr)
                time.sleep(0.2 * (attempt + 1))
        if self.container is not None:  # Docker 20.10 leaves a removed job's task behind
            try:
                self.container.remove(force=True)
            except Exception:
                pass


# ---- placement checks ---------------------------------------------------------------------
def _node_value(node: dict, key: str) -> tuple[bool, Optional[str]]:
    """(known key, the node's value) for a constraint key that can be checked here."""
    desc = node.get("Description") or {}
    if key == "node.id":
        return True, node.get("ID")
    if key == "node.hostname":
        return True, desc.get("Hostname")
    if key == "node.role":
        return True, (node.get("Spec") or {}).get("Role")
    if key == "node.platform.os":
        return True, (desc.get("Platform") or {}).get("OS")
    if key.startswith("node.labels."):
        return True, ((node.get("Spec") or {}).get("Labels") or {}).get(key[len("node.labels."):])
    if key.startswith("engine.labels."):
        return True, ((desc.get("Engine") or {}).get("Labels") or {}).get(key[len("engine.labels."):])
    return False, None


def satisfies(node: dict, constraint: str) -> bool:
    """A swarm placement constraint (``key==value`` / ``key!=value``) on one node; keys not known
    here count as satisfied (the swarm decides, and the job fails if no node takes it)."""
    for op in ("==", "!="):
        if op in constraint:
            key, _, value = (part.strip() for part in constraint.partition(op))
            known, actual = _node_value(node, key)
            if not known:
                return True
            equal = actual is not None and actual.casefold() == value.casefold()
            return equal if op == "==" else not equal
    return True


def generic_resources(node: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for res in ((node.get("Description") or {}).get("Resources") or {}).get("GenericResources") or []:
        if "NamedResourceSpec" in res:
            kind = res["NamedResourceSpec"]["Kind"]
            out[kind] = out.get(kind, 0) + 1
        elif "DiscreteResourceSpec" in res:
            kind = res["DiscreteResourceSpec"]["Kind"]
            out[kind] = out.get(kind, 0) + int(res["DiscreteResourceSpec"]["Value"])
    return out


class SwarmBackend(DockerBackend):
    """Config: ``base_url`` (a manager; else DOCKER_HOST / the local socket), ``machines`` (as for
    docker, plus ``constraints`` and ``generic_resources`` per machine), ``constraints`` (for every
    job), ``gpu_resource`` (the generic resource kind of ``gpus``, default "gpu"),
    ``schedule_timeout`` (seconds a task may wait for a suitable node, null = forever),
    ``check_image`` (the manager must have the image; default true), ``writable``, ``python``."""

    name = "swarm"

    def resources_of(self, machine: dict) -> dict[str, int]:
        return ContainerSpec("", [], "").limits(machine).resources(self.gpu_resource())

    def constraints_of(self, machine: dict) -> list[str]:
        return ContainerSpec("", [], "").limits(machine, self.config.get("constraints", [])).constraints

    def gpu_resource(self) -> str:
        return self.config.get("gpu_resource", "gpu")

    def check(self, spec: dict) -> None:
        import docker

        name = spec.get("machine", "cpu")
        machine = self.machine_of(spec)
        client = self.client()
        swarm = client.info().get("Swarm") or {}
        if swarm.get("LocalNodeState") != "active":
            raise Unavailable("the Docker engine is not in a swarm: run 'docker swarm init' on the manager "
                              "(or point the swarm backend's base_url at a manager)")
        if not swarm.get("ControlAvailable"):
            raise Unavailable("the Docker engine is a swarm worker, not a manager: point the swarm backend's "
                              "base_url (or DOCKER_HOST) at a manager")
        nodes = [n for n in client.api.nodes()
                 if (n.get("Status") or {}).get("State") == "ready"
                 and (n.get("Spec") or {}).get("Availability") == "active"]
        constraints = self.constraints_of(machine)
        placeable = [n for n in nodes if all(satisfies(n, c) for c in constraints)]
        if not placeable:
            raise Unavailable(f"no node of the swarm satisfies the placement constraints of machine '{name}' "
                              f"({', '.join(constraints)}); {len(nodes)} node(s) ready")
        for kind, count in self.resources_of(machine).items():
            if not any(generic_resources(n).get(kind, 0) >= count for n in placeable):
                what = "a GPU job" if kind == self.gpu_resource() else "this job"
                raise Unavailable(f"{what} cannot run here: no node of the swarm advertises {count} generic "
                                  f"resource(s) '{kind}' (set node-generic-resources in that node's daemon.json); "
                                  f"choose another machine type")
        if self.config.get("check_image", True):
            try:
                client.images.get(machine["image"])
            except docker.errors.ImageNotFound:
                raise Unavailable(f"the image '{machine['image']}' of machine '{name}' is not built here; "
                                  f"build it with 'jupyter mo image build {name} --offline'") from None
        self.check_mounts(spec)

    def start(self, spec: dict, job_path: Path) -> Runner:
        from docker.types import RestartPolicy, ServiceMode

        machine = self.machine_types[spec.get("machine", "cpu")]
        container = job_container(spec, machine, self.writable(), self.config.get("constraints", []))
        template = container.to_swarm_task_template(RestartPolicy(condition="none"), gpu_resource=self.gpu_resource())
        client = self.client()
        service = client.api.create_service(template, name=container.name, labels=container.labels,
                                            mode=ServiceMode("replicated-job"))
        timeout = self.config.get("schedule_timeout", SCHEDULE_TIMEOUT)
        return SwarmRunner(client, service["ID"], container.memory, None if timeout is None else float(timeout))
