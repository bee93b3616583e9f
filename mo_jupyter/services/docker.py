"""The docker service backend: a service is one container from a job machine's image, running N
`jupyter mo serve --reuse-port` replica processes (under Docker's init) behind one published
127.0.0.1 port. The app snapshot and the mo_jupyter package are mounted read-only. Scaling
recreates the container with the new count (a short gap); 0 removes it, keeping the port.

Each replica runs in a shell loop of its own: an app server that exits (a crash, ``os._exit`` in a
handle, the out-of-memory killer) is started again after RESTART_DELAY seconds, RESTARTS times at
most (as swarm tasks are); then the loop says so in the log and the service reads failed with
that line as its reason."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

from ..containers import APP, app_container, engine_errors, package_mounts  # noqa: F401  (re-exported)
from ..errors import Conflict
from ..jobs.backends.docker import DockerBackend
from .base import ServiceBackend

LABEL = "mo.service"
INNER_PORT = 8080
SERVE_COMMAND = "python3 -m mo_jupyter.serve"
RESTARTS = 3  # an exited replica is started again this many times, then the service shows failed
RESTART_DELAY = 1
GAVE_UP = "not restarted"  # in the loop's last line
NEW_CONTAINER_SECONDS = 5.0  # a container this young whose loops have not all begun is starting


def replicas_script(serve: str, replicas: int) -> str:
    """The container's command: N replica loops under one shell. A stop (TERM) ends the loops and
    their app servers; a replica that exits is restarted, RESTARTS times at most."""
    loop = (f"replica() {{ trap 'kill $pid 2>/dev/null; wait $pid; exit 0' TERM INT; n=0; "
            f"while :; do {serve} & pid=$!; wait $pid; code=$?; "
            f"if [ $n -ge {RESTARTS} ]; then "
            f"echo \"mo: replica $1 exited with code $code; {RESTARTS} restarts spent, {GAVE_UP}\" >&2; exit 1; fi; "
            f"n=$((n+1)); echo \"mo: replica $1 exited with code $code; restart $n of {RESTARTS}\" >&2; "
            f"sleep {RESTART_DELAY} & pid=$!; wait $pid; done; }}; ")
    return (loop + "trap 'kill $loops 2>/dev/null; wait; exit 0' TERM INT; "
            f"for i in $(seq {replicas}); do replica $i & loops=\"$loops $!\"; done; wait")


def owner_labels(folder: Path, key: str = LABEL) -> dict[str, str]:
    """The labels that tell a service's containers from another project's service of the same name."""
    return {key: folder.name, "mo.project": str(folder.parents[2])}  # folder: <root>/.mo/services/<id>


def label_filter(folder: Path, key: str = LABEL) -> dict:
    return {"label": [f"{k}={v}" for k, v in owner_labels(folder, key).items()]}


def iso_timestamp(text: str) -> float:
    """Docker's RFC 3339 times in UTC (``2024-05-01T10:00:00.123456789Z``, the fraction 0 to 9
    digits) as a POSIX timestamp; 0.0 when unreadable."""
    head, _, rest = (text or "").rstrip("Z").partition(".")
    fraction = "".join(c for c in rest if c.isdigit())[:6].ljust(6, "0")
    try:
        return datetime.fromisoformat(f"{head}.{fraction}").replace(tzinfo=timezone.utc).timestamp() if head else 0.0
    except ValueError:
        return 0.0


def run_container(client, **kwargs):
    """``containers.run(detach=True)`` that leaves nothing behind when the start fails (e.g. the
    port is taken): the created container is removed and the engine's words become a Conflict."""
    import docker

    container = client.containers.create(**kwargs)
    try:
        container.start()
    except docker.errors.APIError as exc:
        container.remove(force=True)
        raise Conflict(f"the container could not start: {exc.explanation or exc}") from None
    return container


class DockerServiceBackend(ServiceBackend):
    name = "docker"

    def __init__(self, config: dict | None = None, machine: str = "cpu"):
        self.jobs = DockerBackend(config or {})  # machine types, the engine, image checks
        self.machine = machine

    def _containers(self, folder: Path) -> list:
        return self.jobs.client().containers.list(all=True, ignore_removed=True, filters=label_filter(folder))

    def _container(self, folder: Path):
        """The service's container, a running one first."""
        found = sorted(self._containers(folder), key=lambda c: c.status != "running")
        return found[0] if found else None

    def check(self, machine: str) -> None:
        self.jobs.check({"machine": machine})

    def _processes(self, folder: Path):
        """(the running container, its processes as (pid, ppid, args)), or (None, [])."""
        try:
            container = self._container(folder)
            if container is None or container.status != "running":
                return None, []
            rows = container.top(ps_args="-o pid,ppid,args")["Processes"] or []
        except engine_errors():  # no engine, or the container went meanwhile
            return None, []
        return container, [(int(r[0]), int(r[1]), r[-1]) for r in rows]

    def replicas(self, folder: Path) -> list[dict]:
        """The app server processes alive in the container (one may die while the others go on)."""
        container, processes = self._processes(folder)
        return [{"container": container.id, "pid": pid} for pid, _, args in processes if args.startswith(SERVE_COMMAND)]

    def counts(self, folder: Path) -> tuple[int, int]:
        """(running, starting): app servers alive, and replica loops waiting to start one again
        (the loops are the shells whose parent is the container's main shell)."""
        container, processes = self._processes(folder)
        if container is None:
            return 0, 0
        shells = {pid: ppid for pid, ppid, args in processes if args.startswith("sh -c")}
        main = {pid for pid, ppid in shells.items() if ppid not in shells}
        loops = {pid for pid, ppid in shells.items() if ppid in main}
        serving = {ppid for _, ppid, args in processes if args.startswith(SERVE_COMMAND)}
        running = sum(args.startswith(SERVE_COMMAND) for _, _, args in processes)
        starting = len(loops - serving)
        wanted = int(container.labels.get("mo.service.replicas") or 0)
        if time.time() - iso_timestamp(container.attrs["State"].get("StartedAt", "")) < NEW_CONTAINER_SECONDS:
            starting = max(starting, wanted - running)  # the shell has yet to start its loops
        return running, starting

    def problem(self, folder: Path) -> str | None:
        """The last replica that gave up, in its loop's words; or why the container ended."""
        try:
            container = self._container(folder)
            if container is None:
                return None
            tail = container.logs(tail=200).decode("utf-8", "replace").splitlines()
        except engine_errors():
            return None
        gave_up = [line.strip() for line in tail if line.startswith("mo: replica") and GAVE_UP in line]
        if gave_up:
            return gave_up[-1][:300]
        state = container.attrs.get("State") or {}
        if container.status != "running" and state.get("OOMKilled"):
            return "the container ran out of memory"
        if container.status != "running":
            return f"the container ended with code {state.get('ExitCode')}" + \
                (f": {state['Error'][:200]}" if state.get("Error") else "")
        return None

    def serves_on(self, folder: Path, port: int) -> bool:
        """The service's container runs and publishes its app port on exactly 127.0.0.1:port."""
        try:
            found = self.jobs.client().api.containers(filters={**label_filter(folder), "status": "running"})
        except engine_errors():
            return False
        return any(published(c, port) for c in found)

    def started_at(self, folder: Path) -> float:
        container = self._container(folder)
        return iso_timestamp(container.attrs["State"].get("StartedAt", "")) if container is not None else 0.0

    def stop(self, folder: Path) -> None:
        for container in self._containers(folder):  # every one, a dead leftover too
            container.remove(force=True)

    def scale(self, folder: Path, record: dict, replicas: int) -> None:
        self.stop(folder)
        if replicas == 0:
            return
        spec = {"machine": record.get("machine", self.machine)}
        self.jobs.check(spec)
        serve = (f"{SERVE_COMMAND} --root {APP} . --host 0.0.0.0 --port {INNER_PORT} "
                 "--reuse-port" + (f" --timeout {float(record['timeout'])}" if record.get("timeout") else ""))
        container = app_container(folder, record, self.jobs.machine_of(spec), ["sh", "-c", replicas_script(serve, replicas)],
                                  {**owner_labels(folder), "mo.service.replicas": str(replicas)})
        container.ports = {INNER_PORT: int(record["port"])}
        container.name = f"mo-service-{folder.name}-{os.urandom(3).hex()}"
        run_container(self.jobs.client(), **container.to_docker_run_kwargs())

    def logs(self, folder: Path) -> bytes:
        container = self._container(folder)
        return container.logs() if container is not None else b""


def published(container: dict, port: int) -> bool:
    """Whether a container (as the engine lists it) publishes its app port on 127.0.0.1:port only."""
    bindings = [(p.get("IP"), p.get("PublicPort")) for p in container.get("Ports") or []
                if p.get("PrivatePort") == INNER_PORT and p.get("Type") == "tcp"]
    return bindings == [("127.0.0.1", int(port))]
