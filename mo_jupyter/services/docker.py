"""The docker service backend: a service is one container from a job machine's image, running N
`jupyter mo serve --reuse-port` replica processes (under Docker's init) behind one published
127.0.0.1 port. The app snapshot and the mo_jupyter package are mounted read-only. Scaling
recreates the container with the new count (a short gap); 0 removes it, keeping the port."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..errors import Unavailable
from ..jobs.backends.docker import PACKAGE_DIR, DockerBackend, parse_bytes

LABEL = "mo.service"
APP = "/app"
INNER_PORT = 8080


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
    """Docker's RFC 3339 times (nanoseconds, Z) as a POSIX timestamp; 0.0 when unreadable."""
    text = (text or "")[:26].rstrip("Z")
    try:
        return datetime.fromisoformat(text).timestamp() if text else 0.0
    except ValueError:
        return 0.0


class DockerServiceBackend:
    name = "docker"

    def __init__(self, config: dict | None = None, machine: str = "cpu"):
        self.jobs = DockerBackend(config or {})  # machine types, the engine, image checks
        self.machine = machine

    def _container(self, folder: Path):
        found = self.jobs.client().containers.list(all=True, ignore_removed=True, filters=label_filter(folder))
        return found[0] if found else None

    def replicas(self, folder: Path) -> list[dict]:
        try:
            container = self._container(folder)
        except Unavailable:
            return []
        if container is None or container.status != "running":
            return []
        n = int(container.labels.get("mo.service.replicas", "1"))
        return [{"container": container.id, "replica": i} for i in range(n)]

    def started_at(self, folder: Path) -> float:
        container = self._container(folder)
        return iso_timestamp(container.attrs["State"].get("StartedAt", "")) if container is not None else 0.0

    def stop(self, folder: Path) -> None:
        container = self._container(folder)
        if container is not None:
            container.remove(force=True)

    def scale(self, folder: Path, record: dict, replicas: int) -> None:
        self.stop(folder)
        if replicas == 0:
            return
        spec = {"machine": record.get("machine", self.machine)}
        self.jobs.check(spec)
        machine = self.jobs.machine_of(spec)
        serve = (f"python3 -m mo_jupyter.serve --root {APP} . --host 0.0.0.0 --port {INNER_PORT} "
                 "--reuse-port" + (f" --timeout {record['timeout']}" if record.get("timeout") else ""))
        # N replica processes; the shell waits for them and forwards a stop to them all
        script = (f"for i in $(seq {replicas}); do {serve} & done; "
                  "trap 'kill $(jobs -p)' TERM INT; wait")
        owner = os.stat(folder)
        kwargs = dict(
            image=machine["image"], command=["sh", "-c", script], working_dir=APP, detach=True, init=True,
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
        self.jobs.client().containers.run(**kwargs)

    def logs(self, folder: Path) -> bytes:
        container = self._container(folder)
        return container.logs() if container is not None else b""
