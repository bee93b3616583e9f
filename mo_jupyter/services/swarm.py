"""The swarm service backend: a deployed app is a Docker Swarm service with N replicas (one
`jupyter mo serve` per task) and a gateway container in front of it.

- The service has no published port (the routing mesh would publish it on every interface of every
  node). Its tasks join the attachable overlay network ``mo-services`` in DNS round-robin mode, and
  the gateway (`gateway.py`, a plain container on that network, restarted with the engine) is
  published on 127.0.0.1:<port> of the manager and spreads connections over the tasks.
- Scaling changes the service's replica count in place: the swarm starts or stops tasks while the
  others go on answering. 0 replicas keeps the service and the gateway, so the address stays bound
  (the gateway answers 503 meanwhile). A task that ends (an app server never should) is restarted
  (3 attempts), then the service shows as failed with the swarm's reason.
- Mounts are bind mounts of the snapshot and the package: on a multi-node swarm the project must sit
  on a file system every node sees at the same path (as for swarm jobs).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from pathlib import Path

from ..containers import APP, BASE_ENV, ContainerSpec, app_container, engine_errors, package_mounts
from ..errors import Unavailable
from ..jobs.backends.swarm import SwarmBackend
from .base import ServiceBackend
from .docker import INNER_PORT, iso_timestamp, label_filter, owner_labels, published, run_container

NETWORK = "mo-services"
GATEWAY_LABEL = "mo.service.gateway"
NEW_SERVICE_SECONDS = 10.0
RESTARTS = 3  # a failed task is replaced this many times, then the service shows as failed
ENDED = ("failed", "rejected", "complete")  # a task that should be serving and is not
PENDING = {"new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting"}


def service_name(folder: Path) -> str:
    """`mo-<service id>-<project hash>`: unique in the swarm when two projects deploy the same name,
    shortened past the 63 characters a DNS label may have (``tasks.<name>`` must resolve)."""
    digest = hashlib.sha1(str(folder.parents[2]).encode()).hexdigest()
    name = f"mo-{folder.name}-{digest[:8]}"
    return name if len(name) <= 63 else f"mo-{folder.name[:40]}-{hashlib.sha1(name.encode()).hexdigest()[:12]}"


class SwarmServiceBackend(ServiceBackend):
    name = "swarm"

    def __init__(self, config: dict | None = None, machine: str = "cpu", network: str = NETWORK):
        self.jobs = SwarmBackend(config or {})  # the manager, machine types, placement checks
        self.machine = machine
        self.network = network

    def _client(self):
        return self.jobs.client()

    def _service(self, folder: Path) -> dict | None:
        found = self._client().api.services(filters=label_filter(folder))
        return found[0] if found else None

    def _gateway(self, folder: Path):
        found = self._client().containers.list(all=True, ignore_removed=True,
                                               filters=label_filter(folder, GATEWAY_LABEL))
        return found[0] if found else None

    # ---- what the manager asks --------------------------------------------------------------
    def counts(self, folder: Path) -> tuple[int, int]:
        """(running, starting) tasks from one look at the swarm (two looks could see a task in
        neither state as it moves on). Starting: being placed or started, or a restart waiting its
        delay; and, for a service just made or scaled with none failed yet, tasks the orchestrator
        has yet to create. So the service reads 'starting', not 'failed', until the restart attempts
        are spent."""
        try:
            service = self._service(folder)
            tasks = self._client().api.tasks(filters={"service": service["ID"]}) if service else []
        except Unavailable:  # no engine: nothing runs that we can see; the view says why
            return 0, 0
        meant = [t for t in tasks if t.get("DesiredState") in ("running", "ready")]
        running = sum(t["DesiredState"] == "running" and t["Status"]["State"] == "running" for t in meant)
        starting = sum(t["Status"]["State"] in PENDING for t in meant)
        covered = {t.get("Slot") for t in meant if t["Status"]["State"] == "running" or t["Status"]["State"] in PENDING}
        failures = Counter(t.get("Slot") for t in tasks if t["Status"]["State"] in ENDED)
        # a slot whose task just failed, before the swarm has made its replacement
        starting += sum(slot not in covered and n <= RESTARTS for slot, n in failures.items())
        fresh = service and time.time() - iso_timestamp(service.get("UpdatedAt", "")) < NEW_SERVICE_SECONDS
        if fresh and not any(t["Status"]["State"] in ENDED for t in tasks):
            starting += max(0, self._wanted(service) - len(meant))
        return running, starting

    def replicas(self, folder: Path) -> list[dict]:
        """The running tasks of the service."""
        try:
            service = self._service(folder)
            tasks = self._client().api.tasks(filters={"service": service["ID"]}) if service else []
        except engine_errors():
            return []
        return [{"task": t["ID"], "slot": t.get("Slot")} for t in tasks
                if t.get("DesiredState") == "running" and t["Status"]["State"] == "running"]

    def problem(self, folder: Path) -> str | None:
        """Why the latest task that should run does not: the swarm's words for it."""
        try:
            service = self._service(folder)
            if service is None:
                return "the swarm service is gone (deploy again)"
            tasks = self._client().api.tasks(filters={"service": service["ID"]})
        except Unavailable as exc:
            return exc.message
        failed = [t for t in tasks if t["Status"]["State"] in ENDED]
        if not failed:
            return None
        latest = max(failed, key=lambda t: t["Status"].get("Timestamp", ""))
        return latest["Status"].get("Err") or latest["Status"].get("Message")

    def started_at(self, folder: Path) -> float:
        service = self._service(folder)
        return iso_timestamp(service.get("UpdatedAt", "")) if service else 0.0

    def logs(self, folder: Path) -> bytes:
        service = self._service(folder)
        if service is None:
            return b""
        return b"".join(self._client().api.service_logs(service["ID"], stdout=True, stderr=True, follow=False))

    def serves_on(self, folder: Path, port: int) -> bool:
        """The service exists and its gateway runs, publishing on exactly 127.0.0.1:port."""
        try:
            gateways = self._client().api.containers(
                filters={**label_filter(folder, GATEWAY_LABEL), "status": "running"})
            return any(published(g, port) for g in gateways) and self._service(folder) is not None
        except engine_errors():
            return False

    # ---- changes ------------------------------------------------------------------------------
    def stop(self, folder: Path) -> None:
        """Remove the service and its gateway (a redeploy or a delete)."""
        service = self._service(folder)
        if service is not None:
            self._client().api.remove_service(service["ID"])
        gateway = self._gateway(folder)
        if gateway is not None:
            gateway.remove(force=True)

    def scale(self, folder: Path, record: dict, replicas: int) -> None:
        service = self._service(folder)
        if service is not None and replicas and sum(self.counts(folder)) < self._wanted(service):
            # tasks that spent their restart attempts stay failed whatever the count: start afresh
            self._client().api.remove_service(service["ID"])
            service = None
        if service is None:
            self._create(folder, record, replicas)
        else:
            self._client().services.get(service["ID"]).scale(replicas)
        gateway = self._gateway(folder)
        if gateway is not None and gateway.status != "running":  # e.g. created, but its port was taken
            gateway.remove(force=True)
            gateway = None
        if gateway is None:
            self._start_gateway(folder, record)

    def check(self, machine: str) -> None:
        self.jobs.check({"machine": machine})

    @staticmethod
    def _wanted(service: dict) -> int:
        return ((service.get("Spec") or {}).get("Mode") or {}).get("Replicated", {}).get("Replicas", 0)

    def _ensure_network(self) -> None:
        import docker

        client = self._client()
        if client.networks.list(names=[self.network], filters={"driver": "overlay"}):
            return
        try:
            client.networks.create(self.network, driver="overlay", attachable=True, labels={"mo.services": "1"})
        except docker.errors.APIError as exc:  # another process made it meanwhile
            if not client.networks.list(names=[self.network]):
                raise exc

    def _create(self, folder: Path, record: dict, replicas: int) -> None:
        from docker.types import EndpointSpec, RestartPolicy, ServiceMode

        spec = {"machine": record.get("machine", self.machine)}
        self.jobs.check(spec)
        self._ensure_network()
        serve = ["python3", "-m", "mo_jupyter.serve", "--root", APP, ".", "--host", "0.0.0.0",
                 "--port", str(INNER_PORT)]
        if record.get("timeout"):
            serve += ["--timeout", str(float(record["timeout"]))]
        container = app_container(folder, record, self.jobs.machine_of(spec), serve, owner_labels(folder),
                                  self.jobs.config.get("constraints", []))
        template = container.to_swarm_task_template(
            RestartPolicy(condition="any", delay=1_000_000_000, max_attempts=RESTARTS), networks=[self.network],
            gpu_resource=self.jobs.gpu_resource())
        self._client().api.create_service(
            template, name=service_name(folder), labels=container.labels, mode=ServiceMode("replicated", replicas),
            endpoint_spec=EndpointSpec(mode="dnsrr"))

    def _start_gateway(self, folder: Path, record: dict) -> None:
        machine = self.jobs.machine_of({"machine": record.get("machine", self.machine)})
        gateway = ContainerSpec(
            image=machine["image"], user="65534:65534", network=self.network,
            command=["python3", "-m", "mo_jupyter.services.gateway", "--target", f"tasks.{service_name(folder)}",
                     "--port", str(INNER_PORT), "--listen", str(INNER_PORT)],
            env={k: BASE_ENV[k] for k in ("PYTHONPATH", "PYTHONUNBUFFERED")}, mounts=package_mounts(),
            ports={INNER_PORT: int(record["port"])}, labels=owner_labels(folder, GATEWAY_LABEL),
            restart={"Name": "unless-stopped"}, memory=64 * 1024 * 1024,
            name=f"mo-gateway-{folder.name}-{os.urandom(3).hex()}")
        run_container(self._client(), **gateway.to_docker_run_kwargs())
