"""A real ``jupyter server`` process killed and started again while a job runs: the job goes on,
and afterwards every line, metric and event is there exactly once, in order."""

from __future__ import annotations

import json
import os
import signal
import time

from websockets.exceptions import ConnectionClosed

from mo_jupyter.jobs import replay

from helpers import ServerProcess, close_websocket, final_events, read_events, wait_until, write

COUNTER = (
    "import json, os, sys, time\n"
    "gate = sys.argv[1]\n"
    "i = 0\n"
    "while not os.path.exists(gate) and i < 20000:\n"
    "    print(f'line {i}', flush=True)\n"
    "    print(json.dumps({'metric': 'loss', 'value': 1.0 / (i + 1), 'step': i}), flush=True)\n"
    "    i += 1\n"
    "    time.sleep(0.05)\n"
    "print('done', flush=True)\n"
)


class Follower:
    """A websocket client that reconnects with ``since=<last seq>`` after each server restart."""

    def __init__(self, server: ServerProcess, job_id: str):
        self.server, self.job_id = server, job_id
        self.events: list[dict] = []
        self.snapshots: list[dict] = []
        self.ended = False
        self.ws = None

    def open(self):
        since = self.events[-1]["seq"] if self.events else 0
        self.close()
        self.ws = self.server.websocket(f"mo/api/jobs/{self.job_id}/stream?since={since}")

    def close(self):
        close_websocket(self.ws)
        self.ws = None

    def read(self, count: int | None = None, timeout: float = 30.0) -> None:
        """Read ``count`` events (or to the end) or until the server goes away."""
        deadline = time.monotonic() + timeout
        got = 0
        while count is None or got < count:
            try:
                frame = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            except ConnectionClosed:
                return
            events = frame if isinstance(frame, list) else [frame]  # one event or a batch
            # a `lines` frame stands for its log, status and metric events, as a client expands it
            for event in [e for f in events for e in (replay.expand(f) if f["type"] == "lines" else [f])]:
                if event["type"] == "end":
                    self.ended = True
                    return
                if event["type"] == "snapshot":
                    self.snapshots.append(event["job"])
                    continue
                self.events.append(event)
                got += 1


def log_size(root, job_id):
    try:
        return os.path.getsize(root / ".mo" / "jobs" / job_id / "output.log")
    except FileNotFoundError:
        return 0


def disk_state(root, job_id):
    return json.loads((root / ".mo" / "jobs" / job_id / "status.json").read_text())["state"]


def test_a_job_survives_server_restarts(project, tmp_path):
    root, server = project
    write(root, "counter.py", COUNTER)
    gate = tmp_path / "gate"
    server.start()
    code, job = server.request("POST", "mo/api/jobs", {"path": "counter.py", "args": [str(gate)]})
    assert code == 201, job
    job_id = job["id"]
    wait_until(lambda: server.request("GET", f"mo/api/jobs/{job_id}")[1]["state"] == "running", 30)

    follower = Follower(server, job_id)
    follower.open()
    follower.read(6)
    assert len(follower.events) >= 6  # frames may carry batches of events

    for n, sig in enumerate((signal.SIGKILL, signal.SIGINT, signal.SIGKILL)):
        size = log_size(root, job_id)
        server.stop(sig)
        assert server.proc.poll() is not None
        follower.read()  # the connection is gone: reading ends without an error
        assert not follower.ended
        # while no server runs, the job goes on writing
        wait_until(lambda: log_size(root, job_id) > size + 100, 30, message="the job to keep printing")
        assert disk_state(root, job_id) == "running"
        if n == 2:  # the last time, the job ends while no server is up
            gate.touch()
            wait_until(lambda: disk_state(root, job_id) == "completed", 30)
        server.start()
        code, record = server.request("GET", f"mo/api/jobs/{job_id}")
        assert code == 200 and record["state"] == ("completed" if n == 2 else "running"), record
        follower.open()
        follower.read(None if n == 2 else 5)

    assert follower.ended, "the stream ended with a snapshot and an end frame"
    follower.close()
    assert follower.snapshots[-1]["state"] == "completed"
    code, record = server.request("GET", f"mo/api/jobs/{job_id}")
    assert record["state"] == "completed" and record["exit_code"] == 0, record

    # the log: every numbered line once, in order, each followed by its metric line
    text, offset = "", 0
    while True:
        code, page = server.request("GET", f"mo/api/jobs/{job_id}/log?offset={offset}")
        assert code == 200
        text += page["text"]
        if page["next_offset"] == offset:
            break
        offset = page["next_offset"]
    lines = text.splitlines()
    assert lines[-1] == "done"
    count = (len(lines) - 1) // 2
    assert count > 20
    expected = []
    for i in range(count):
        expected += [f"line {i}", json.dumps({"metric": "loss", "value": 1.0 / (i + 1), "step": i})]
    assert lines == expected + ["done"]

    code, body = server.request("GET", f"mo/api/jobs/{job_id}/metrics")
    assert [m["step"] for m in body["metrics"]] == list(range(count))
    assert [m["value"] for m in body["metrics"]] == [1.0 / (i + 1) for i in range(count)]

    # the stream, over four connections to four servers: exactly the event file, no gap, no repeat
    on_disk = final_events(root / ".mo" / "jobs", job_id)
    numbered = [e["seq"] for e in on_disk if e["type"] != "metric"]  # a metric carries its line's seq
    assert numbered == list(range(1, len(numbered) + 1))
    assert follower.events == on_disk


def test_a_job_is_listed_by_the_next_server_and_can_be_stopped_there(project, tmp_path):
    root, server = project
    write(root, "counter.py", COUNTER)
    server.start()
    code, job = server.request("POST", "mo/api/jobs", {"path": "counter.py", "args": [str(tmp_path / "never")]})
    assert code == 201
    wait_until(lambda: log_size(root, job["id"]) > 0, 30)
    server.stop(signal.SIGINT)
    server.start()
    code, body = server.request("GET", "mo/api/jobs")
    assert code == 200 and [j["id"] for j in body["jobs"]] == [job["id"]]
    assert body["jobs"][0]["state"] == "running"
    assert server.request("GET", "mo/api/jobs", token=None)[0] == 403
    assert server.request("POST", f"mo/api/jobs/{job['id']}/stop", {})[0] == 200
    wait_until(lambda: server.request("GET", f"mo/api/jobs/{job['id']}")[1]["state"] == "stopped", 30)
    events = read_events(root / ".mo" / "jobs", job["id"])
    numbered = [e["seq"] for e in events if e["type"] != "metric"]
    assert numbered == list(range(1, len(numbered) + 1))
