"""The local service backend: each replica is a detached keeper (its own session, so it outlives
the Jupyter server; see keeper.py) that runs `python -m mo_jupyter.serve --reuse-port` and starts it
again when it crashes; all replicas of a service bind the same 127.0.0.1 port and the kernel spreads
connections between them. Keepers are recorded as (pid, start time) and found again only when their
command line names the service's folder, so a reused PID is never mistaken for a replica."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Optional

import orjson
import psutil

from ..errors import Conflict, cut
from ..jobs.records import read_json, write_json_atomic
from ..process import spawn_detached
from .base import ServiceBackend
from .keeper import RESTARTS
from .record import valid_port

REPLICAS = "replicas.json"
LOG = "output.log"
KEEPERS = "keepers"  # one status file per keeper: running, restarting, failed (why)
STATUS_RE = re.compile(r"^[0-9a-f]{16}\.json$")


def _process(entry, folder: Path) -> Optional[psutil.Process]:
    """The live process a replicas.json entry names, or None: its PID alive with the recorded start
    time (a reused PID is someone else) and its command line naming this service's folder (the
    file can be written by anyone who can write the project: it never makes us signal or trust a
    process that is not ours)."""
    if not isinstance(entry, dict):
        return None
    pid, started = entry.get("pid"), entry.get("started")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 1 or isinstance(started, bool) \
            or not isinstance(started, (int, float)):
        return None
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - started) >= 1.0 or proc.status() == psutil.STATUS_ZOMBIE:
            return None
        if not any(str(folder) in arg for arg in proc.cmdline()):
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def _listens(proc: psutil.Process, port: int) -> bool:
    try:
        return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
                   and c.laddr.ip in ("127.0.0.1", "0.0.0.0") for c in proc.net_connections(kind="tcp4"))
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def _port_taken(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port (a replica of ours would share it with
    SO_REUSEPORT; a port kept by a stopped service may have been taken meanwhile)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class LocalServiceBackend(ServiceBackend):
    name = "local"
    host = "127.0.0.1"

    @classmethod
    def from_config(cls, config: dict) -> "LocalServiceBackend":
        """Replicas run on the server's own Python (it has uvicorn); ``restarts`` may be set."""
        return cls(restarts=int(config.get("restarts", RESTARTS)))

    def __init__(self, python: str = sys.executable, grace_seconds: float = 5.0, restarts: int = RESTARTS):
        self.python = python
        self.grace = grace_seconds
        self.restarts = restarts

    def _read(self, folder: Path) -> list[dict]:
        try:
            entries = read_json(folder / REPLICAS)
        except (FileNotFoundError, orjson.JSONDecodeError):
            return []
        return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []

    def _write(self, folder: Path, replicas: list[dict]) -> None:
        write_json_atomic(folder / REPLICAS, replicas)

    def _live(self, folder: Path) -> list[tuple[dict, psutil.Process]]:
        return [(e, p) for e in self._read(folder) if (p := _process(e, folder)) is not None]

    def replicas(self, folder: Path) -> list[dict]:
        return [e for e, _ in self._live(folder)]

    def _status(self, folder: Path, entry: dict) -> dict:
        name = entry.get("status")
        if not isinstance(name, str) or not STATUS_RE.match(name):
            return {}
        try:
            status = read_json(folder / KEEPERS / name)
        except (OSError, orjson.JSONDecodeError):
            return {}
        return status if isinstance(status, dict) else {}

    def counts(self, folder: Path) -> tuple[int, int]:
        """A keeper whose app runs is a running replica; one that is restarting it, starting."""
        running = starting = 0
        for entry, _ in self._live(folder):
            if self._status(folder, entry).get("state", "running") == "running":
                running += 1
            else:
                starting += 1
        return running, starting

    def problem(self, folder: Path) -> Optional[str]:
        reasons = [self._status(folder, e).get("reason") for e in self._read(folder) if _process(e, folder) is None]
        reasons = [r for r in reasons if isinstance(r, str)]
        return cut(reasons[0], 300) if reasons else None

    def serves_on(self, folder: Path, port: int) -> bool:
        for _, keeper in self._live(folder):
            try:
                procs = [keeper, *keeper.children(recursive=True)]
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if any(_listens(p, port) for p in procs):
                return True
        return False

    def _spawn(self, folder: Path, record: dict) -> dict:
        (folder / KEEPERS).mkdir(exist_ok=True)
        status = f"{secrets.token_hex(8)}.json"
        args = [self.python, "-m", "mo_jupyter.serve", "--root", str(folder / "app"), ".",
                "--host", self.host, "--port", str(valid_port(record["port"])), "--reuse-port"]
        if record.get("timeout"):
            args += ["--timeout", str(record["timeout"])]
        keeper = [self.python, "-m", "mo_jupyter.services.keeper", "--status", str(folder / KEEPERS / status),
                  "--restarts", str(self.restarts), "--", *args]
        env = {"MO_SERVICE_KEY": record["key"]} if record.get("protected") and record.get("key") else None
        proc = spawn_detached(keeper, cwd=folder / "app", log=folder / LOG, env=env)
        return {"pid": proc.pid, "started": psutil.Process(proc.pid).create_time(), "at": time.time(),
                "status": status}

    def scale(self, folder: Path, record: dict, replicas: int) -> None:
        alive = self.replicas(folder)
        if replicas and not alive and _port_taken(valid_port(record["port"])):
            raise Conflict(f"port {record['port']} of service '{folder.name}' is in use by another program; "
                           "delete the service and deploy it again for a new address")
        self._forget(folder, [e for e in self._read(folder) if e not in alive])  # ended: their status goes
        while len(alive) < replicas:
            alive.append(self._spawn(folder, record))
        extra, alive = alive[replicas:], alive[:replicas]
        self._stop(folder, extra)
        self._write(folder, alive)

    def _forget(self, folder: Path, entries: list[dict]) -> None:
        for entry in entries:
            name = entry.get("status")
            if isinstance(name, str) and STATUS_RE.match(name):
                (folder / KEEPERS / name).unlink(missing_ok=True)

    def _stop(self, folder: Path, entries: list[dict]) -> None:
        # only live processes of ours: a recorded PID may belong to someone else by now
        live = [(e, p) for e in entries if (p := _process(e, folder)) is not None]
        for entry, _ in live:
            try:
                os.killpg(entry["pid"], signal.SIGTERM)  # the keeper and its app: one process group
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + self.grace
        while any(_process(e, folder) for e, _ in live) and time.monotonic() < deadline:
            time.sleep(0.05)
        for entry, _ in live:
            if _process(entry, folder) is not None:
                try:
                    os.killpg(entry["pid"], signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        for entry, _ in live:  # reap our own children, if these are ours
            try:
                os.waitpid(entry["pid"], os.WNOHANG)
            except ChildProcessError:
                pass
        self._forget(folder, entries)

    def stop(self, folder: Path) -> None:
        self._stop(folder, self._read(folder))
        self._write(folder, [])

    def started_at(self, folder: Path) -> float:
        """When the newest (re)start of a replica's app was: a keeper that just restarted its app
        gets the same grace to answer /healthz as a new replica."""
        times = []
        for entry, _ in self._live(folder):
            since = self._status(folder, entry).get("since")
            times.append(max(entry.get("at") or 0.0, since if isinstance(since, (int, float)) else 0.0))
        return max(times, default=0.0)
