"""The local service backend: each replica is a detached keeper (its own session, so it outlives
the Jupyter server; see keeper.py) that runs `python -m mo_jupyter.serve --reuse-port` and starts it
again when it crashes; all replicas of a service bind the same 127.0.0.1 port and the kernel spreads
connections between them. Keepers are recorded as (pid, start time: in ticks since boot, and on the
wall clock for records from before) and found again only when their command line names the
service's folder, so a reused PID is never mistaken for a replica."""

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
from ..process import spawn_detached, start_ticks
from .base import ServiceBackend
from .groups import MARK, is_ours, kill_ours, members
from .keeper import GRACE, RESTARTS
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
    pid, started, ticks = entry.get("pid"), entry.get("started"), entry.get("ticks")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 1 or isinstance(started, bool) \
            or not isinstance(started, (int, float)):
        return None
    try:
        proc = psutil.Process(pid)
        if isinstance(ticks, int) and not isinstance(ticks, bool) and (now := start_ticks(pid)) is not None:
            if now != ticks:  # the start in ticks since boot: exact, whatever the clock did
                return None
        elif abs(proc.create_time() - started) >= 1.0:  # a record from before ticks, or no /proc
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        if not any(str(folder) in arg for arg in proc.cmdline()):
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


# Addresses whose listening sockets take connections to 127.0.0.1 (IPv6: a dual-stack "::" may).
LOOPBACK_LISTEN = {"127.0.0.1", "0.0.0.0", "::", "::ffff:127.0.0.1"}


def _address(hexed: str) -> str:
    """An address of /proc/net/tcp{,6} (32-bit words in host order, in hex) as text."""
    raw = bytes.fromhex(hexed)
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4)) if sys.byteorder == "little" else raw
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _listening_sockets(port: int) -> Optional[set[int]]:
    """The inodes of every TCP socket that listens on ``port`` where connections to 127.0.0.1 land,
    whoever holds it (another user's too); None where /proc/net/tcp cannot be read."""
    inodes: set[int] = set()
    read_any = False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        read_any = True
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != "0A":  # 0A: LISTEN
                continue
            addr, _, hex_port = fields[1].partition(":")
            try:
                if int(hex_port, 16) == port and _address(addr) in LOOPBACK_LISTEN:
                    inodes.add(int(fields[9]))
            except ValueError:
                continue
    return inodes if read_any else None


def _socket_inodes(proc: psutil.Process) -> set[int]:
    """The inodes of the sockets that ``proc`` holds open."""
    found: set[int] = set()
    fd_dir = f"/proc/{proc.pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return found
    for name in names:
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            try:
                found.add(int(target[8:-1]))
            except ValueError:
                continue
    return found


def _listens(proc: psutil.Process, port: int) -> bool:
    try:
        return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
                   and c.laddr.ip in LOOPBACK_LISTEN for c in proc.net_connections(kind="tcp"))
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


def is_ours_in(pgid: int, folder: Path) -> bool:
    """Whether group ``pgid`` still has a process of the service in ``folder``."""
    return any(is_ours(p, folder) for p in members(pgid))


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
        # a keeper ends its app's group within half of a stop's grace: then the stop finds it done
        self.keeper_grace = max(0.2, min(GRACE, grace_seconds / 2))

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
        """Whether our live replicas hold 127.0.0.1:``port`` and nothing else does: every socket
        listening there must be one that a live keeper's app (or what it forked and still keeps)
        holds. A stray socket that shares the port (SO_REUSEPORT: a fork of a crashed app, a
        neighbour's) would be handed part of the connections, and answer none or answer as
        someone else."""
        procs = []
        for _, keeper in self._live(folder):
            try:
                procs += [keeper, *keeper.children(recursive=True)]
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        if not procs:
            return False
        listening = _listening_sockets(port)
        if listening is None:  # no /proc (not Linux): ask every process, as far as we may see them
            return self._serves_on_seen(procs, port)
        ours = set().union(*(_socket_inodes(p) for p in procs))
        return bool(listening) and listening <= ours

    @staticmethod
    def _serves_on_seen(procs: list[psutil.Process], port: int) -> bool:
        pids = {p.pid for p in procs}
        try:
            held = [c.pid for c in psutil.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN
                    and c.laddr and c.laddr.port == port and c.laddr.ip in LOOPBACK_LISTEN]
        except (psutil.AccessDenied, OSError):
            return any(_listens(p, port) for p in procs)
        return bool(held) and all(pid in pids for pid in held)

    def _spawn(self, folder: Path, record: dict) -> dict:
        (folder / KEEPERS).mkdir(exist_ok=True)
        status = f"{secrets.token_hex(8)}.json"
        args = [self.python, "-m", "mo_jupyter.serve", "--root", str(folder / "app"), ".",
                "--host", self.host, "--port", str(valid_port(record["port"])), "--reuse-port"]
        if record.get("timeout"):
            args += ["--timeout", str(record["timeout"])]
        keeper = [self.python, "-m", "mo_jupyter.services.keeper", "--status", str(folder / KEEPERS / status),
                  "--restarts", str(self.restarts), "--grace", f"{self.keeper_grace:g}",
                  "--port", str(valid_port(record["port"])), "--", *args]
        env = {MARK: str(folder)}  # what the app forks is found by it, whatever its command line
        if record.get("protected") and record.get("key"):
            env["MO_SERVICE_KEY"] = record["key"]
        proc = spawn_detached(keeper, cwd=folder / "app", log=folder / LOG, env=env)
        return {"pid": proc.pid, "started": psutil.Process(proc.pid).create_time(), "ticks": start_ticks(proc.pid),
                "at": time.time(), "status": status}

    def scale(self, folder: Path, record: dict, replicas: int) -> None:
        alive = self.replicas(folder)
        if replicas and not alive and _port_taken(valid_port(record["port"])):
            raise Conflict(f"port {record['port']} of service '{folder.name}' is in use by another program; "
                           "delete the service and deploy it again for a new address")
        ended = [e for e in self._read(folder) if e not in alive]
        self._kill_groups(folder, ended)  # a dead keeper's app may have left forks behind
        self._forget(folder, ended)  # ended: their status goes
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

    def _groups(self, folder: Path, entries: list[dict]) -> set[int]:
        """The process groups that ``entries`` name: each keeper's (its PID: a session leader) and
        its app's (the status file's ``child``: the keeper starts each app as a group leader).
        Only ids: what is in them is checked before any signal (see groups.kill_ours)."""
        groups = set()
        for entry in entries:
            for pgid in (entry.get("pid"), self._status(folder, entry).get("child")):
                if not isinstance(pgid, bool) and isinstance(pgid, int) and pgid > 1 and pgid != os.getpgrp():
                    groups.add(pgid)
        return groups

    def _kill_groups(self, folder: Path, entries: list[dict]) -> None:
        for pgid in self._groups(folder, entries):
            kill_ours(pgid, folder)

    def _stop(self, folder: Path, entries: list[dict]) -> None:
        # SIGTERM only to live keepers of ours (a recorded PID may belong to someone else by now):
        # each passes it on to its app's group and ends that group before it ends itself
        live = [(e, p) for e in entries if (p := _process(e, folder)) is not None]
        for entry, _ in live:
            try:
                os.killpg(entry["pid"], signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        groups = self._groups(folder, entries)

        def left() -> bool:
            return any(_process(e, folder) for e, _ in live) or \
                any(is_ours_in(pgid, folder) for pgid in groups)

        deadline = time.monotonic() + self.grace
        while left() and time.monotonic() < deadline:
            time.sleep(0.05)
        # then SIGKILL to what is left of the recorded groups, whether or not their keeper lives
        # (a keeper killed with -9 leaves its app's forks behind): only members that are ours
        for pgid in groups:
            kill_ours(pgid, folder)
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
