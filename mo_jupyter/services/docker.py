"""The docker service backend: a service is one container from a job machine's image, running N
`jupyter mo serve --reuse-port` replica processes (under Docker's init) behind one published
127.0.0.1 port. The app snapshot and the mo_jupyter package are mounted read-only. Scaling
recreates the container with the new count (a short gap); 0 removes it, keeping the port."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from ..errors import Conflict, Unavailable
from ..jobs.backends.docker import PACKAGE_DIR, DockerBackend, parse_bytes
from .base import ServiceBackend

LABEL = "mo.service"
APP = "/app"
INNER_PORT = 8080
SERVE_COMMAND = "python3 -m mo_jupyter.serve"


def owner_labels(folder: Path, key: str = LABEL) -> dict[str, str]:
    """The labels that tell a service's containers from another project's service of the same name."""
    return {key: folder.name, "mo.project": str(folder.parents[2])}  # folder: <root>/.mo/services/<id>


def label_filter(folder: Path, key: str = LABEL) -> dict:
    return {"label": [f"{k}={v}" for k, v in owner_labels(folder, key).items()]}


def package_mounts() -> list[tuple[str, str]]:
    """(host path, container path) of the mo_jupyter package the app server runs from, read-only."""
    mounts = [(str(PACKAGE_DIR), "/opt/mo/mo_jupyter")]
    if not (PACKAGE_DIR / "schema").is_dir():  # a source checkout keeps the schemas beside the package
        mounts.append((str(PACKAGE_DIR.parent / "schema"), "/opt/mo/schema"))
    return mounts


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

    def replicas(self, folder: Path) -> list[dict]:
        """The replica processes alive in the container (one may die while the others go on)."""
        import docker

        try:
            container = self._container(folder)
            if container is None or container.status != "running":
                return []
            processes = container.top(ps_args="-o pid,args")["Processes"] or []
        except (Unavailable, docker.errors.APIError):  # no engine, or the container went meanwhile
            return []
        return [{"container": container.id, "pid": int(p[0])} for p in processes
                if p[-1].startswith(SERVE_COMMAND)]

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
        machine = self.jobs.machine_of(spec)
        serve = (f"{SERVE_COMMAND} --root {APP} . --host 0.0.0.0 --port {INNER_PORT} "
                 "--reuse-port" + (f" --timeout {record['timeout']}" if record.get("timeout") else ""))
        # N replica processes; the shell waits for them and forwards a stop to them all
        script = (f"for i in $(seq {replicas}); do {serve} & done; "
                  "trap 'kill $(jobs -p)' TERM INT; wait")
        owner = os.stat(folder)
        kwargs = dict(
            image=machine["image"], command=["sh", "-c", script], working_dir=APP, init=True,
            environment={"PYTHONUNBUFFERED": "1", "PYTHONPATH": "/opt/mo", "HOME": "/tmp", "MPLCONFIGDIR": "/tmp"},
            volumes={str(folder / "app"): {"bind": APP, "mode": "ro"},
                     **{source: {"bind": target, "mode": "ro"} for source, target in package_mounts()}},
            ports={f"{INNER_PORT}/tcp": ("127.0.0.1", record["port"])},
            user=f"{owner.st_uid}:{owner.st_gid}",
            labels={**owner_labels(folder), "mo.service.replicas": str(replicas)},
            name=f"mo-service-{folder.name}-{os.urandom(3).hex()}",
        )
        if machine.get("cpus"):
            kwargs["nano_cpus"] = int(float(machine["cpus"]) * 1e9)
        if machine.get("memory"):
            kwargs.update(mem_limit=parse_bytes(machine["memory"]), memswap_limit=parse_bytes(machine["memory"]))
        run_container(self.jobs.client(), **kwargs)

    def logs(self, folder: Path) -> bytes:
        container = self._container(folder)
        return container.logs() if container is not None else b""
