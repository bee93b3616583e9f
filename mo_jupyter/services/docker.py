"""The docker service backend: a service is one container from a job machine's image, running N
`jupyter mo serve --reuse-port` replica processes (under Docker's init) behind one published
127.0.0.1 port. The app snapshot and the mo_jupyter package are mounted read-only. Scaling
recreates the container with the new count (a short gap); 0 removes it, keeping the port."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Unavailable
from ..jobs.backends.docker import PACKAGE_DIR, DockerBackend, parse_bytes

LABEL = "mo.service"
APP = "/app"
INNER_PORT = 8080


class DockerServiceBackend:
    name = "docker"

    def __init__(self, config: dict | None = None, machine: str = "cpu"):
        self.jobs = DockerBackend(config or {})  # machine types, the engine, image checks
        self.machine = machine

    def _container(self, folder: Path):
        found = self.jobs.client().containers.list(all=True, ignore_removed=True, filters={"label": f"{LABEL}={folder.name}"})
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
        from datetime import datetime

        container = self._container(folder)
        if container is None:
            return 0.0
        started = container.attrs["State"].get("StartedAt", "")[:26].rstrip("Z")
        try:
            return datetime.fromisoformat(started).timestamp() if started else 0.0
        except ValueError:
            return 0.0

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
            volumes=self._volumes(folder),
            ports={f"{INNER_PORT}/tcp": ("127.0.0.1", record["port"])},
            user=f"{owner.st_uid}:{owner.st_gid}",
            labels={LABEL: folder.name, "mo.service.replicas": str(replicas), "mo.project": str(folder.parents[2])},
            name=f"mo-service-{folder.name}-{os.urandom(3).hex()}",
        )
        if machine.get("cpus"):
            kwargs["nano_cpus"] = int(float(machine["cpus"]) * 1e9)
        if machine.get("memory"):
            kwargs.update(mem_limit=parse_bytes(machine["memory"]), memswap_limit=parse_bytes(machine["memory"]))
        self.jobs.client().containers.run(**kwargs)

    @staticmethod
    def _volumes(folder: Path) -> dict:
        volumes = {str(folder / "app"): {"bind": APP, "mode": "ro"},
                   str(PACKAGE_DIR): {"bind": "/opt/mo/mo_jupyter", "mode": "ro"}}
        if not (PACKAGE_DIR / "schema").is_dir():  # a source checkout keeps the schemas beside the package
            volumes[str(PACKAGE_DIR.parent / "schema")] = {"bind": "/opt/mo/schema", "mode": "ro"}
        return volumes

    def logs(self, folder: Path) -> bytes:
        container = self._container(folder)
        return container.logs() if container is not None else b""
