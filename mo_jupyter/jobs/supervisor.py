"""The supervisor: one detached process per job, the only writer of that job's folder.

It waits for a slot, starts the job through its backend, writes every output line to disk as it
comes (``EventWriter``), samples memory, honours stop requests in any state, and writes the final
state. It outlives the Jupyter server that started it: the server only reads what it writes.

Started as ``python -m mo_jupyter.jobs.supervisor JOB_PATH --lock-fd N``; the creator holds the
job's lock until this process has inherited it, so a job is never seen unsupervised while alive.
"""

from __future__ import annotations

import argparse
import os
import queue
import secrets
import selectors
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from ..containers import WORKSPACE
from .backends import backend_for
from .failure import failure_error
from .outindex import last_seq, lines_per_stream, read_index
from .output import EventWriter
from .records import JobDir, make_record
from .scheduler import wait_for_slot

SAMPLE_SECONDS = 1.0
STATUS_WRITE_SECONDS = 2.0
DRAIN_SECONDS = 5.0  # after the job's end, output may come this long after the last
MAX_DRAIN_SECONDS = 120.0  # but not for longer (a process that escaped the job printing on)
READ_BYTES = 1024 * 1024
COALESCE_BYTES = 32 * 1024
COALESCE_SECONDS = 0.002
TENSORBOARD_SECONDS = 1.0
FINAL_TENSORBOARD_SECONDS = 30.0


class Supervisor:
    def __init__(self, job_path: Path):
        self.job = JobDir(job_path.parent, job_path.name)
        self.spec = self.job.spec()
        self.backend = backend_for(self.spec["backend"], self.spec.get("backend_config"))
        self.status: dict = {"state": "queued", "supervisor_pid": os.getpid()}
        self.stop_signalled = False
        self.stop_reason = "stopped by the user"
        self.writer: EventWriter | None = None  # made by run / reattach (an older folder is indexed first)
        self.peak = 0
        self.tensorboard = None

    def _recognize(self) -> bool:
        """Framework output recognition (Keras, Hugging Face, Lightning, TensorBoard files): on unless
        the job says ``"recognize": false``."""
        return self.spec.get("recognize", True) is not False

    def _start_tensorboard(self) -> None:
        """Watch the job's folder for TensorBoard event files in a thread of its own (reading them
        can take a moment; the pipes are never kept waiting); ``_tensorboard_points`` hands over."""
        if not self._recognize() or not self.spec.get("cwd"):
            return
        try:
            from .tbwatch import TensorBoardWatcher, installed
        except ImportError:
            return
        if not installed():  # no watcher walking the job's tree for nothing
            return
        started = self.status.get("started") or time.time()
        self.tensorboard = TensorBoardWatcher(Path(self.spec["cwd"]), since=started - 2)
        self.tb_points: queue.SimpleQueue = queue.SimpleQueue()
        self.tb_stop = threading.Event()

        def watch():  # the watcher imports TensorBoard only once an event file is there
            last_round = False
            while True:
                try:
                    points = self.tensorboard.poll()
                except Exception:  # an odd file never costs the job its output
                    traceback.print_exc()
                    points = []
                if points:
                    self.tb_points.put(points)
                elif last_round or self.tensorboard.unavailable:
                    return  # the job has ended and nothing is left to read
                if self.tb_stop.wait(TENSORBOARD_SECONDS) and not last_round:
                    last_round = True  # the job has ended: look for its last files, read to the end
                    self.tensorboard.rescan()

        self.tb_thread = threading.Thread(target=watch, name="mo-tensorboard", daemon=True)
        self.tb_thread.start()

    def _tensorboard_points(self, final: bool = False) -> None:
        """The scalars the watcher found since the last call, as metrics; ``final``: the job has
        ended, wait for the watcher to read what the job wrote last."""
        if self.tensorboard is None:
            return
        if final:
            self.tb_stop.set()
            self.tb_thread.join(FINAL_TENSORBOARD_SECONDS)
        started = self.status.get("started") or time.time()
        while True:
            try:
                points = self.tb_points.get_nowait()
            except queue.Empty:
                return
            for point in points:
                wall = point.pop("wall_time", None)
                if isinstance(wall, (int, float)):
                    point["time"] = round(wall - started, 6)
            self.writer.points(points, "tensorboard")

    def should_stop(self) -> bool:
        return self.stop_signalled or self.job.stop_requested()

    def _set(self, event: bool = True, **fields) -> None:
        """Change the status. The event goes to disk before status.json, so that a reader that
        sees the final state in status.json has the final event in the index too."""
        self.status.update(fields)
        if event:
            self.writer.status(make_record(self.spec, self.status))
            self.writer.flush()
        self.job.write_status(self.status)

    def _finish(self, state: str, **fields) -> None:
        if self.peak:
            fields.setdefault("peak_memory", self.peak)
        fields.pop("memory", None)
        self.status.pop("memory", None)
        self.status.pop("cpu_percent", None)
        self._set(state=state, ended=time.time(), **fields)
        try:
            self.job.active_marker(self.spec).unlink()
        except FileNotFoundError:
            pass

    def _open_writer(self, **kw) -> EventWriter:
        if self.writer is None:
            self.writer = EventWriter(self.job.path, recognize=self._recognize(), **kw)
        return self.writer

    def run(self) -> None:
        self._open_writer()
        self._set()
        # the job's secret mark, in status.json before the job starts (a reader that finds this
        # supervisor dead ends only the processes that carry it: see the local backend's end_lost)
        nonce = secrets.token_hex(16)
        started = wait_for_slot(
            self.job,
            self.spec,
            on_start=lambda: self._set(event=False, state="running", started=time.time(), nonce=nonce),
            should_stop=self.should_stop,
        )
        if not started:
            self._finish("stopped", reason="stopped before it started")
            return
        self.writer.t0 = time.monotonic()
        self.writer.status(make_record(self.spec, self.status))
        try:
            runner = self.backend.start({**self.spec, "nonce": nonce}, self.job.path)
        except Exception as exc:  # the command could not start at all
            self._finish("failed", reason=f"could not start: {exc}")
            return
        self._supervise(runner)

    def reattach(self) -> None:
        """Follow a job whose first supervisor died while its container ran on: its FIFOs are read
        on, or its log replays from the start, so the lines already on disk are skipped; numbering
        goes on."""
        from .legacy import migrate
        from .replay import read_notes

        migrate(self.job.path)  # a folder of an older layout: its events indexed, seqs kept
        index = read_index(self.job.path)
        notes = list(read_notes(self.job.path, index).values())  # the notes only, not the raw log
        self._open_writer(first_seq=last_seq(index), resume=True)
        runner = self.backend.attach(self.spec)
        if runner.replays:
            self.writer.skip = lines_per_stream(index, notes)
        self.writer.resume_points("tensorboard")
        self.status = self.job.status()
        self.status["supervisor_pid"] = os.getpid()
        started = self.status.get("started") or time.time()
        self.writer.t0 = time.monotonic() - (time.time() - started)
        self.job.write_status(self.status)
        self._supervise(runner)

    def _supervise(self, runner) -> None:
        self._start_tensorboard()
        try:
            identity = runner.identity()  # how a reader finds the job's processes if we die
            if identity:
                self._set(event=False, **identity)
            exit_code, stopped = self._pump(runner)
            # asked before cleanup: a container knows why it ended only until it is removed
            reason = None if stopped or exit_code == 0 else runner.failure_reason(exit_code)
            self.peak = max(self.peak, runner.peak_memory())
            if stopped:
                self._finish("stopped", exit_code=exit_code, reason=self.stop_reason)
            elif exit_code == 0:
                self._finish("completed", exit_code=0)
            else:
                reason = reason or self._error() or f"exited with code {exit_code}"
                self._finish("failed", exit_code=exit_code, reason=reason)
        finally:
            runner.cleanup()  # after the final state: removing a container takes a while

    def _error(self):
        """The error the job printed last (``KeyError: 'test' (failing.py:6)``), read once from
        the end of its output after it ended; None if it printed none."""
        self.writer.flush()
        roots = [self.spec.get("cwd")]
        if self.spec.get("backend") != "local":
            roots.append(WORKSPACE)  # the project's place inside a job container
        try:
            return failure_error(self.job.path, roots)
        except Exception:  # an odd output never costs the job its final state
            traceback.print_exc()
            return None

    def _drain(self, sel, key) -> int:
        """One read of what the pipe (or the socket of both streams) holds; unregister it at end
        of file."""
        try:
            data = os.read(key.fd, READ_BYTES)
        except BlockingIOError:
            return 0
        except OSError:  # a socket reset by the engine: its end
            data = b""
        self._feed(key.data, data)
        if not data:
            sel.unregister(key.fd)
        return len(data)

    def _feed(self, source, data: bytes) -> None:
        if isinstance(source, str):  # a stream's pipe
            self.writer.feed(source, data)
        else:  # frames of both streams
            for stream, part in source(data):
                self.writer.feed(stream, part)

    def _over_time(self, now: float) -> bool:
        """True once the job has run past its max_run_seconds (counted from its start: the
        writer's t0, set when it started, or back-dated on re-attach)."""
        limit = self.spec.get("max_run_seconds")
        if not isinstance(limit, (int, float)) or isinstance(limit, bool) or now - self.writer.t0 < limit:
            return False
        self.stop_reason = f"time limit: ran longer than {limit} s"
        return True

    def _pump(self, runner) -> tuple[int, bool]:
        sel = selectors.DefaultSelector()
        sources = [(fd, name) for name, fd in runner.output_fds().items()]
        mux = runner.output_mux()
        if mux is not None:
            sources.append(mux)
        for fd, source in sources:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ, source)
        grace = float(self.spec.get("grace_seconds", 5))
        term_at = exit_at = None
        killed = False
        exit_code = None
        next_sample = last_data = time.monotonic()
        next_status = next_sample + STATUS_WRITE_SECONDS
        # Until the process has ended and its pipes are drained (a job that closed its output
        # early is still watched: stop and sampling go on).
        while sel.get_map() or exit_code is None:
            got = 0
            # pipes closed but the process not yet reaped: look again soon, not after 0.25 s
            for key, _ in sel.select(0.25 if sel.get_map() else 0.01):
                got += self._drain(sel, key)
            if got:
                last_data = time.monotonic()
            self.writer.flush()
            if 0 < got < COALESCE_BYTES:
                # A trickle of small writes (unbuffered prints): wait a moment so that the next
                # read takes many lines at once. Costs at most COALESCE_SECONDS of latency.
                time.sleep(COALESCE_SECONDS)
            now = time.monotonic()
            if exit_code is None:
                if term_at is None and (self.should_stop() or self._over_time(now)):
                    runner.terminate()
                    term_at = now
                elif term_at is not None and not killed and now - term_at > grace:
                    runner.kill()
                    killed = True
                exit_code = runner.poll()
                if exit_code is not None:
                    exit_at = now
                    runner.after_exit()  # what the job left running goes with it
            elif now - max(exit_at, last_data) > DRAIN_SECONDS or now - exit_at > MAX_DRAIN_SECONDS:
                break  # an escaped process still holds the pipe, quiet (or for too long); the job has ended
            if now >= next_sample and exit_code is None:
                self._tensorboard_points()
                rss, cpu = runner.sample()
                self.peak = max(self.peak, rss)
                self.status.update(memory=rss, cpu_percent=round(cpu, 1), peak_memory=self.peak)
                next_sample = now + SAMPLE_SECONDS
                if now >= next_status:
                    self.job.write_status(self.status)
                    next_status = now + STATUS_WRITE_SECONDS
        for key in list(sel.get_map().values()):
            self._feed(key.data, b"")
        self._tensorboard_points(final=True)  # what the job wrote last
        return exit_code, term_at is not None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mo-supervisor")
    parser.add_argument("job_path", type=Path)
    parser.add_argument("--lock-fd", type=int, required=True)
    parser.add_argument("--reattach", action="store_true", help="follow a job that is already running")
    args = parser.parse_args(argv)
    if os.fork() > 0:  # detach: the creator reaps this parent at once, init adopts the child
        os._exit(0)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sup = None
    try:
        sup = Supervisor(args.job_path)

        def on_term(signum, frame):
            sup.stop_signalled = True

        signal.signal(signal.SIGTERM, on_term)
        sup.reattach() if args.reattach else sup.run()
    except BaseException as exc:  # leave a truthful record, whatever happened
        traceback.print_exc()
        if sup is not None and sup.status.get("state") not in ("completed", "failed", "stopped"):
            try:
                sup._open_writer()
                sup._finish("failed", reason=f"supervisor error: {exc}")
            except Exception:
                traceback.print_exc()
    finally:
        if sup is not None and sup.writer is not None:
            sup.writer.close()
        sys.stdout.flush()
        os.close(args.lock_fd)


if __name__ == "__main__":
    main()
