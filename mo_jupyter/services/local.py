"""The local service backend: each replica is a detached `jupyter mo serve --reuse-port` process
(its own session, so it outlives the Jupyter server); all replicas of a service bind the same
127.0.0.1 port and the kernel spreads connections between them. Replicas are recorded as
(pid, start time), so a reused PID is never mistaken for a replica."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import orjson
import psutil

from ..errors import Conflict
from ..jobs.records import read_json, write_json_atomic
from ..process import spawn_detached
from .base import ServiceBackend

REPLICAS = "replicas.json"
LOG = "output.log"


def _alive(entry: dict) -> bool:
    try:
        proc = psutil.Process(entry["pid"])
        return abs(proc.create_time() - entry["started"]) < 1.0 and proc.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
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

    def __init__(self, python: str = sys.executable, grace_seconds: float = 5.0):
        self.python = python
        self.grace = grace_seconds

    def _read(self, folder: Path) -> list[dict]:
        try:
            return read_json(folder / REPLICAS)
        except (FileNotFoundError, orjson.JSONDecodeError):
            return []

    def _write(self, folder: Path, replicas: list[dict]) -> None:
        write_json_atomic(folder / REPLICAS, replicas)

    def replicas(self, folder: Path) -> list[dict]:
        return [r for r in self._read(folder) if _alive(r)]

    def _spawn(self, folder: Path, record: dict) -> dict:
        args = [self.python, "-m", "mo_jupyter.serve", "--root", str(folder / "app"), ".",
                "--host", self.host, "--port", str(record["port"]), "--reuse-port"]
        if record.get("timeout"):
            args += ["--timeout", str(record["timeout"])]
        proc = spawn_detached(args, cwd=folder / "app", log=folder / LOG)
        return {"pid": proc.pid, "started": psutil.Process(proc.pid).create_time(), "at": time.time()}

    def scale(self, folder: Path, record: dict, replicas: int) -> None:
        alive = self.replicas(folder)
        if replicas and not alive and _port_taken(record["port"]):
            raise Conflict(f"port {record['port']} of service '{folder.name}' is in use by another program; "
                           "delete the service and deploy it again for a new address")
        while len(alive) < replicas:
            alive.append(self._spawn(folder, record))
        extra, alive = alive[replicas:], alive[:replicas]
        self._stop(extra)
        self._write(folder, alive)

    def _stop(self, entries: list[dict]) -> None:
        entries = [e for e in entries if _alive(e)]  # a recorded PID may belong to someone else by now
        for entry in entries:
            try:
                os.killpg(entry["pid"], signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + self.grace
        while any(_alive(e) for e in entries) and time.monotonic() < deadline:
            time.sleep(0.05)
        for entry in entries:
            if _alive(entry):
                try:
                    os.killpg(entry["pid"], signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        for entry in entries:  # reap our own children, if these are ours
            try:
                os.waitpid(entry["pid"], os.WNOHANG)
            except ChildProcessError:
                pass

    def stop(self, folder: Path) -> None:
        self._stop(self._read(folder))
        self._write(folder, [])

    def started_at(self, folder: Path) -> float:
        return min((r["at"] for r in self.replicas(folder)), default=0.0)
