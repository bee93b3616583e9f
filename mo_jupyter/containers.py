"""One place that knows how mo_jupyter's containers look, for jobs and services, on docker and swarm.

- ``engine(config)``: the Docker client of a backend's config, with bounded timeouts and a ping
  whose answer (good or bad) is kept a few seconds, so a missing or hung engine fails in seconds
  and repeated config / list calls do not each wait for it.
- ``ContainerSpec``: image, command, user, environment, labels, mounts, init, limits (CPUs, memory,
  GPUs), placement; ``to_docker_run_kwargs()`` for ``containers.create/run``, and
  ``to_swarm_task_template()`` for a swarm service.
- ``job_container`` / ``app_container`` build the spec of a job and of a deployed app's replica.
  Everything of the project is mounted read-only; a writable folder (a job's ``results/``) is
  mounted only when it is a real folder inside the project (``writable_mounts``): a link, even
  one that stays inside, is refused, so a job never writes outside its project.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .errors import BadRequest, Unavailable

PACKAGE_DIR = Path(__file__).resolve().parent  # mounted read-only: the app server, notebook jobs
BASE_ENV = {"PYTHONUNBUFFERED": "1", "PYTHONPATH": "/opt/mo", "HOME": "/tmp", "MPLCONFIGDIR": "/tmp"}
CALL_TIMEOUT = 30.0  # seconds any engine call may take (config "timeout"); streams are not bounded
PING_TIMEOUT = 3.0  # an engine that does not answer a ping within this is unavailable
PING_SECONDS = 5.0  # a ping's answer, good or bad, is trusted this long


# ---- the engine ---------------------------------------------------------------------------------
class _Engine:
    def __init__(self, base_url: Optional[str], timeout: float):
        self.base_url = base_url
        self.timeout = timeout
        self.client = None
        self.error: Optional[str] = None
        self.checked_at = float("-inf")

    def checked(self):
        if time.monotonic() - self.checked_at >= PING_SECONDS:
            self._ping()
        if self.error:
            raise Unavailable(self.error)
        return self.client

    def _ping(self) -> None:
        import docker

        try:
            if self.client is None:
                # made with the ping's timeout: the client asks the engine's API version at once
                self.client = docker.DockerClient(base_url=self.base_url, timeout=PING_TIMEOUT) \
                    if self.base_url else docker.from_env(timeout=PING_TIMEOUT)
                self.client.api.timeout = self.timeout
            answer = self.client.api.get(f"{self.client.api.base_url}/_ping", timeout=PING_TIMEOUT)
            answer.raise_for_status()
            self.error = None
        except Exception as exc:  # no socket, refused, hung, not an engine
            self.client = None
            self.error = f"the Docker engine cannot be reached: {str(exc)[:200]}"
        self.checked_at = time.monotonic()


_ENGINES: dict[tuple, _Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine(config: Optional[dict] = None):
    """The docker client of a backend's config (``base_url``, else DOCKER_HOST / the local socket;
    ``timeout``), or Unavailable with the reason. Shared by every backend of this process."""
    config = config or {}
    key = (config.get("base_url") or None, float(config.get("timeout") or CALL_TIMEOUT))
    with _ENGINES_LOCK:
        entry = _ENGINES.setdefault(key, _Engine(*key))
    return entry.checked()


def engine_errors() -> tuple:
    """What an engine call raises when the engine or the thing asked for went away meanwhile."""
    import docker
    import requests

    return (Unavailable, docker.errors.DockerException, requests.exceptions.RequestException)


# ---- sizes --------------------------------------------------------------------------------------
def parse_bytes(value) -> int:
    """'64m', '4g', '512k' or a number of bytes."""
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip().lower().rstrip("b")
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def human_bytes(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} B"


# ---- mounts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mount:
    source: str  # a host path, resolved
    target: str
    read_only: bool = True


def package_mounts() -> list[Mount]:
    """The mo_jupyter package the app server and notebook jobs run from, read-only."""
    mounts = [Mount(str(PACKAGE_DIR), "/opt/mo/mo_jupyter")]
    schema = PACKAGE_DIR.parent / "schema"  # a source checkout keeps the schemas beside the package
    if not (PACKAGE_DIR / "schema").is_dir() and schema.is_dir():
        mounts.append(Mount(str(schema), "/opt/mo/schema"))
    return mounts


def writable_folder(root: Path | str, rel: str, create: bool = False) -> Optional[str]:
    """The real path of ``rel``, a folder a container may write, or BadRequest when it is not a
    real folder inside the project: a link (to anywhere, even inside), a path through a link, one
    that climbs out with ``..``, or a file. None when it does not exist and ``create`` is false."""
    real_root = os.path.realpath(root)
    path = os.path.normpath(os.path.join(real_root, rel))
    if os.path.isabs(rel) or not path.startswith(real_root + os.sep):
        raise BadRequest(f"the writable folder '{rel[:100]}' is not inside the project")
    if create:
        try:
            os.mkdir(path)  # never follows a link at the path itself (a dangling one: EEXIST)
        except FileExistsError:
            pass
        except OSError as exc:
            raise BadRequest(f"the writable folder '{rel[:100]}' cannot be made: {exc.strerror}") from None
    if not os.path.lexists(path):
        return None
    if os.path.realpath(path) != path:
        raise BadRequest(f"'{rel[:100]}' is a link (or inside one): a container writes only to a real folder "
                         "inside the project; replace the link with a folder")
    if not os.path.isdir(path):
        raise BadRequest(f"'{rel[:100]}' is not a folder: a container can only write into a folder")
    return path


def writable_mounts(root: Path | str, folders, target_root: str, create: bool = False) -> list[Mount]:
    """Read-write mounts of the project's writable folders, each checked by ``writable_folder``."""
    out = []
    for rel in folders:
        source = writable_folder(root, str(rel), create)
        if source is not None:
            out.append(Mount(source, f"{target_root}/{os.path.normpath(str(rel))}", read_only=False))
    return out


def owner(path: Path | str) -> str:
    """``uid:gid`` of a path's owner: containers run as the project's owner, never as root."""
    st = os.stat(path)
    return f"{st.st_uid}:{st.st_gid}"


# ---- the spec -----------------------------------------------------------------------------------
@dataclass
class ContainerSpec:
    image: str
    command: list[str]
    user: str
    workdir: Optional[str] = None
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    mounts: list[Mount] = field(default_factory=list)
    cpus: Optional[float] = None
    memory: Optional[int] = None  # bytes; swap is not allowed beyond it
    gpus: int = 0  # docker: a device request; swarm: generic resources of kind ``gpu_resource``
    generic_resources: dict[str, int] = field(default_factory=dict)  # swarm only
    constraints: list[str] = field(default_factory=list)  # swarm only
    ports: dict[int, int] = field(default_factory=dict)  # inner port -> 127.0.0.1:port (docker only)
    network: Optional[str] = None
    name: Optional[str] = None
    restart: Optional[dict] = None  # docker restart policy
    stop_grace: Optional[float] = None  # swarm: seconds between the stop signal and SIGKILL
    init: bool = True

    def limits(self, machine: dict, constraints=()) -> "ContainerSpec":
        """Take a machine type's CPUs, memory, GPUs, generic resources and placement constraints."""
        self.cpus = float(machine["cpus"]) if machine.get("cpus") else None
        self.memory = parse_bytes(machine["memory"]) if machine.get("memory") else None
        self.gpus = int(machine.get("gpus") or 0)
        self.generic_resources = {str(k): int(v) for k, v in (machine.get("generic_resources") or {}).items()}
        self.constraints = [*constraints, *machine.get("constraints", [])]
        return self

    def resources(self, gpu_resource: str = "gpu") -> dict[str, int]:
        """The swarm generic resources a task needs (GPUs count as ``gpu_resource``)."""
        wanted = dict(self.generic_resources)
        if self.gpus:
            wanted[gpu_resource] = max(wanted.get(gpu_resource, 0), self.gpus)
        return wanted

    def to_docker_run_kwargs(self) -> dict:
        import docker

        kwargs = dict(
            image=self.image, command=self.command, user=self.user, init=self.init, environment=dict(self.env),
            labels=dict(self.labels), detach=True,
            mounts=[docker.types.Mount(m.target, m.source, type="bind", read_only=m.read_only) for m in self.mounts],
        )
        optional = dict(working_dir=self.workdir, name=self.name, network=self.network, restart_policy=self.restart)
        kwargs.update({k: v for k, v in optional.items() if v})
        if self.ports:
            kwargs["ports"] = {f"{inner}/tcp": ("127.0.0.1", port) for inner, port in self.ports.items()}
        if self.cpus:
            kwargs["nano_cpus"] = int(self.cpus * 1e9)
        if self.memory:
            kwargs.update(mem_limit=self.memory, memswap_limit=self.memory)
        if self.gpus:
            kwargs["device_requests"] = [docker.types.DeviceRequest(count=self.gpus, capabilities=[["gpu"]])]
        return kwargs

    def to_swarm_task_template(self, restart_policy, networks=None, gpu_resource: str = "gpu"):
        from docker import types

        container = types.ContainerSpec(
            self.image, self.command, env=dict(self.env), workdir=self.workdir, user=self.user,
            labels=dict(self.labels), init=self.init,
            mounts=[types.Mount(m.target, m.source, type="bind", read_only=m.read_only) for m in self.mounts],
            stop_grace_period=int(self.stop_grace * 1e9) if self.stop_grace is not None else None)
        resources = types.Resources(cpu_limit=int(self.cpus * 1e9) if self.cpus else None, mem_limit=self.memory,
                                    generic_resources=self.resources(gpu_resource) or None)
        return types.TaskTemplate(
            container, resources=resources, restart_policy=restart_policy, networks=networks,
            placement=types.Placement(constraints=self.constraints) if self.constraints else None)


# ---- what mo_jupyter runs -------------------------------------------------------------------------
WORKSPACE = "/workspace"  # a job's project
APP = "/app"  # a deployed app's snapshot


def job_container(spec: dict, machine: dict, writable=("results",), constraints=()) -> ContainerSpec:
    """A job: the project read-only at /workspace (the working directory), its writable folders
    (checked, made when missing) read-write, as the project's owner, labelled with the job."""
    root = Path(os.path.realpath(spec["cwd"]))
    env = {**(spec.get("env") or {}), **BASE_ENV, "MO_JOB_ID": spec["id"], "MO_JOB_NAME": spec["name"]}
    mounts = [Mount(str(root), WORKSPACE), *package_mounts(),
              *writable_mounts(root, writable, WORKSPACE, create=True)]
    return ContainerSpec(
        image=machine["image"], command=list(spec["command"]), user=owner(root), workdir=WORKSPACE, env=env,
        labels={"mo.job": spec["id"], "mo.job.name": spec["name"], "mo.project": str(root)},
        mounts=mounts, name=f"mo-job-{spec['id']}", stop_grace=float(spec.get("grace_seconds", 5)),
    ).limits(machine, constraints)


def app_container(folder: Path, record: dict, machine: dict, command: list[str], labels: dict,
                  constraints=()) -> ContainerSpec:
    """A deployed app's replica(s): the snapshot ``folder/app`` read-only at /app, as the service
    folder's owner. A protected service's key reaches the app server in its environment only
    (never in the command line or labels, which ``docker ps`` shows)."""
    env = dict(BASE_ENV)
    if record.get("protected") and record.get("key"):
        env["MO_SERVICE_KEY"] = str(record["key"])
    return ContainerSpec(
        image=machine["image"], command=command, user=owner(folder), workdir=APP, env=env, labels=labels,
        mounts=[Mount(str(folder / "app"), APP), *package_mounts()],
    ).limits(machine, constraints)
