"""The keeper of one local replica: a small detached process that runs the app server as its child
and starts it again when it ends on its own (a crash, ``kill -9``, ``os._exit`` in a handle), with a
growing pause, at most ``--restarts`` times in a row (a child that ran for ``--stable`` seconds
starts the count again). Then it gives up, and its status file says why: the service shows
``failed`` with that reason. An app that could not start (``mo_jupyter.serve`` exits with
START_FAILED, 2, when handler.py or app_spec.yml fails to load: a missing file, a missing module)
before it ever listened on its ``--port`` is not restarted at all: it would fail the same way, and
the user should see why at once, not after a minute of restarts. Local services have no daemon (a swarm restarts its tasks itself):
the keeper is what ``replicas.json`` records.

Each run of the app is a process group of its own: what the app forks stays in it (see groups.py).
Before a restart and when the keeper ends, that group is ended (SIGTERM, SIGKILL after ``--grace``
seconds), so a fork of a crashed app never keeps a copy of the port's socket that takes
connections and answers none. SIGTERM, SIGINT or SIGHUP go on to the app's group and the keeper
ends when the app does (a stop's grace period holds); the app gets SIGTERM if the keeper itself is
killed (PR_SET_PDEATHSIG), and the service's stop ends what is left of its group.

Run: ``python -m mo_jupyter.services.keeper --status FILE [--restarts N] [--grace S] -- ARGS...``."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psutil

from ..atomic import write_atomic
from ..process import die_with_parent
from .groups import end_group

RESTARTS = 5
START_FAILED = 2  # mo_jupyter.serve's exit code when the app cannot be loaded
GRACE = 2.0  # how long an ended app's group gets between SIGTERM and SIGKILL
STABLE = 60.0
FIRST_PAUSE, MAX_PAUSE = 0.5, 10.0
def own_group_dying_with_parent():
    """A ``preexec_fn``: the app leads its own process group and gets SIGTERM when the keeper
    dies (process.die_with_parent, built here in the keeper, not between fork and exec)."""
    tie = die_with_parent(signal.SIGTERM)

    def preexec() -> None:  # runs in the child between fork and exec
        os.setpgid(0, 0)
        if tie is not None:
            tie()

    return preexec


def listens(pid: int, port: int) -> bool:
    """Whether the process ``pid`` or one of its children listens on TCP ``port``."""
    try:
        proc = psutil.Process(pid)
        for p in (proc, *proc.children(recursive=True)):
            if any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
                   for c in p.net_connections(kind="tcp")):
                return True
    except (psutil.Error, OSError):
        pass
    return False


def describe(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class Keeper:
    def __init__(self, args: list[str], status: Path, restarts: int = RESTARTS, stable: float = STABLE,
                 grace: float = GRACE, port: int | None = None):
        self.args = args
        self.port = port
        self.served = port is None  # without a port to watch, every end counts as a crash
        self.status = Path(status)
        self.restarts = restarts
        self.stable = stable
        self.grace = grace
        self.stopping = False
        self.child: subprocess.Popen | None = None
        self.failures: list[dict] = []

    def write(self, state: str, reason: str | None = None) -> None:
        data = {"state": state, "keeper": os.getpid(), "restarts": len(self.failures),
                "failures": self.failures[-10:], "reason": reason,
                "child": self.child.pid if self.child else None, "since": time.time()}
        try:
            write_atomic(self.status, orjson.dumps(data))
        except OSError:  # the service was deleted meanwhile
            pass

    def on_signal(self, signum, frame) -> None:
        self.stopping = True
        if self.child is not None and self.child.returncode is None:
            try:
                os.killpg(self.child.pid, signum)  # the app and what it forked
            except (ProcessLookupError, PermissionError):
                pass

    def pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def wait_child(self) -> int:
        """Wait for the app to end, noting the first time it listens on its port."""
        while not self.served:
            try:
                return self.child.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                self.served = listens(self.child.pid, self.port)
        return self.child.wait()

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        in_a_row = 0
        while not self.stopping:
            started = time.monotonic()
            self.child = subprocess.Popen(self.args, preexec_fn=own_group_dying_with_parent())
            if self.stopping:  # a signal between the loop's test and the start
                self.child.terminate()
            self.write("running")
            code = self.wait_child()
            end_group(self.child.pid, self.grace)  # what the app forked goes with it
            if self.stopping:
                break
            if time.monotonic() - started >= self.stable:
                in_a_row = 0
            in_a_row += 1
            what = describe(code)
            self.failures.append({"at": time.time(), "code": code, "what": what})
            if code == START_FAILED and not self.served:
                reason = f"the app could not start ({what}); not restarted (see its log)"
                print(f"mo keeper: {reason}", flush=True)
                self.write("failed", reason)
                return 1
            if in_a_row > self.restarts:
                reason = f"the app {what}, and again after {self.restarts} restart(s); gave up"
                print(f"mo keeper: {reason}", flush=True)
                self.write("failed", reason)
                return 1
            pause = min(MAX_PAUSE, FIRST_PAUSE * 2 ** (in_a_row - 1))
            print(f"mo keeper: the app {what}; restarting it in {pause:g} s "
                  f"({in_a_row} of {self.restarts})", flush=True)
            self.write("restarting", what)
            self.pause(pause)
        self.write("stopped")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mo_jupyter.services.keeper")
    parser.add_argument("--status", required=True, help="the status file (JSON) to keep up to date")
    parser.add_argument("--restarts", type=int, default=RESTARTS, help="restarts in a row before giving up")
    parser.add_argument("--stable", type=float, default=STABLE, help="seconds after which a run counts as good")
    parser.add_argument("--port", type=int, help="the port the app listens on: an app that ends before "
                        "it ever listened there is not restarted")
    parser.add_argument("--grace", type=float, default=GRACE,
                        help="seconds an ended app's process group gets between SIGTERM and SIGKILL")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then the command of the replica")
    ns = parser.parse_args(argv)
    args = ns.args[1:] if ns.args[:1] == ["--"] else ns.args
    if not args:
        parser.error("no command to keep")
    return Keeper(args, Path(ns.status), ns.restarts, ns.stable, ns.grace, ns.port).run()


if __name__ == "__main__":
    sys.exit(main())
