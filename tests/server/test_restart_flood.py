"""A 1M-line job through a real ``jupyter server`` that is killed (SIGKILL) in the middle of the
flood and started again: afterwards the log, the metrics, the raw bytes and the status events are
complete, once each and in order, and a client that reconnects anywhere gets exactly the rest.

The job prints a deterministic mix: on stdout every 10th line plain (``line i``), the others Mo
metric lines (``loss``, step ``i``); on stderr a few plain lines (``warn i``) and ``grad_norm``
metric lines. It floods the first part, waits for a gate file (so that the server is killed while
the index holds some but not all lines), then floods the rest while the next server streams it.
"""

from __future__ import annotations

import hashlib
import signal
import time

import orjson
from websockets.exceptions import ConnectionClosed

from helpers import ServerProcess, close_websocket, wait_until, write
from mo_jupyter.jobs import replay
from mo_jupyter.jobs.outindex import LINES, read_index

N = 1_000_000
FIRST = 400_000  # lines printed before the gate

FLOOD = (
    "import os, sys, time\n"
    "gate, n, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])\n"
    "def flood(lo, hi):\n"
    "    out, err = sys.stdout.write, sys.stderr.write\n"
    "    for i in range(lo, hi):\n"
    "        r = i % 50\n"
    "        if r == 3:\n"
    "            err('{\"metric\": \"grad_norm\", \"value\": %r, \"step\": %d}\\n' % (i / 7.0, i))\n"
    "        elif r == 30:\n"
    "            err('warn %d\\n' % i)\n"
    "        elif i % 10 == 0:\n"
    "            out('line %d\\n' % i)\n"
    "        else:\n"
    "            out('{\"metric\": \"loss\", \"value\": %r, \"step\": %d}\\n' % (1.0 / (i + 1), i))\n"
    "    sys.stdout.flush(); sys.stderr.flush()\n"
    "flood(0, first)\n"
    "while not os.path.exists(gate):\n"
    "    time.sleep(0.01)\n"
    "flood(first, n)\n"
)


class Expected:
    """What the script prints, per stream: the script's line numbers, texts, and metrics."""

    def __init__(self):
        self.index = {"stdout": [], "stderr": []}
        for i in range(N):
            self.index["stderr" if i % 50 in (3, 30) else "stdout"].append(i)
        out, err = self.index["stdout"], self.index["stderr"]
        self.text = {
            "stdout": ["line %d" % i if i % 10 == 0 else
                       '{"metric": "loss", "value": %r, "step": %d}' % (1.0 / (i + 1), i) for i in out],
            "stderr": ["warn %d" % i if i % 50 == 30 else
                       '{"metric": "grad_norm", "value": %r, "step": %d}' % (i / 7.0, i) for i in err],
        }
        # per stream: the metric of each line (None for a plain one)
        self.metric = {
            "stdout": [None if i % 10 == 0 else ("loss", 1.0 / (i + 1), i) for i in out],
            "stderr": [None if i % 50 == 30 else ("grad_norm", i / 7.0, i) for i in err],
        }

    def bytes(self, stream: str) -> bytes:
        return ("\n".join(self.text[stream]) + "\n").encode()


_EXPECTED = []


def expected() -> Expected:
    if not _EXPECTED:
        _EXPECTED.append(Expected())
    return _EXPECTED[0]


class Checker:
    """Checks the events of each frame (as ``replay.expand`` gives them) against what the script
    printed, without keeping them: seqs contiguous from ``seq + 1``, each stream's lines in printed
    order, each metric right after its line with the line's seq; and hashes the events (framing
    aside) to compare readers. Checks whole frames at a time: a million lines in seconds."""

    def __init__(self, seq: int = 0, pos: dict | None = None, mark: int = -1):
        self.want = expected()
        self.seq = seq
        self.pos = dict(pos or {"stdout": 0, "stderr": 0})
        self.seqs = {"stdout": [], "stderr": []}  # the seq each line got, per stream
        self.statuses: list[tuple[int, str]] = []
        self.hash = hashlib.sha256()
        self.mark = mark  # the state at this seq is kept (for a reader that starts there)
        self.at_mark: tuple | None = None
        self.hash_after_mark = hashlib.sha256()
        self.events = 0

    def _hash(self, events: list[dict]) -> None:
        if not events:
            return
        cut = len(events)
        if self.mark >= 0 and events[-1]["seq"] > self.mark:
            cut = next(k for k, e in enumerate(events) if e["seq"] > self.mark)
        for part, hashes in ((events[:cut], (self.hash,)), (events[cut:], (self.hash, self.hash_after_mark))):
            if part:
                data = orjson.dumps(part, option=orjson.OPT_SORT_KEYS)[1:-1] + b","
                for h in hashes:
                    h.update(data)

    def feed(self, events: list[dict]) -> None:
        self.events += len(events)
        self._hash(events)
        lines = [e for e in events if e["type"] != "metric"]
        seqs = [e["seq"] for e in lines]
        assert seqs == list(range(self.seq + 1, self.seq + 1 + len(seqs))), f"seqs not contiguous after {self.seq}"
        if self.mark >= 0 and self.seq < self.mark <= self.seq + len(seqs):
            pos = dict(self.pos)
            for e in lines[: self.mark - self.seq]:
                if e["type"] == "log":
                    pos[e["stream"]] += 1
            self.at_mark = (self.mark, pos)
        if seqs:
            self.seq = seqs[-1]
        self.statuses += [(e["seq"], e["job"]["state"]) for e in lines if e["type"] == "status"]
        odd = [e for e in lines if e["type"] not in ("log", "status")]
        assert not odd, odd[:3]
        assert not any("warning" in e or "truncated" in e for e in lines)
        wanted_metrics = []
        for stream in ("stdout", "stderr"):
            mine = [e for e in lines if e["type"] == "log" and e["stream"] == stream]
            k = self.pos[stream]
            texts = [e["line"] for e in mine]
            want = self.want.text[stream][k : k + len(mine)]
            if texts != want:
                bad = next((j for j, (x, y) in enumerate(zip(texts, want)) if x != y), len(want))
                raise AssertionError(f"{stream} line {k + bad}: got {texts[bad:bad + 1]!r}, "
                                     f"printed {want[bad:bad + 1]!r}")
            line_seqs = [e["seq"] for e in mine]
            self.seqs[stream] += line_seqs
            wanted_metrics += [(seq, *m) for seq, m in zip(line_seqs, self.want.metric[stream][k : k + len(mine)]) if m]
            self.pos[stream] = k + len(mine)
        wanted_metrics.sort()
        metrics = [(j, e) for j, e in enumerate(events) if e["type"] == "metric"]
        got = [(e["seq"], e["metric"], e["value"], e.get("step")) for _, e in metrics]
        assert got == wanted_metrics, "the metrics are not those of the lines (seq, name, value, step)"
        for j, e in metrics:  # each right after its line
            assert j > 0 and events[j - 1]["type"] == "log" and events[j - 1]["seq"] == e["seq"], e
            assert e["source"] == "mo" and "epoch" not in e, e

    def frame(self, frame) -> str | None:
        """One websocket frame; "end" for the end frame."""
        if isinstance(frame, dict) and frame.get("type") == "lines":
            self.feed(replay.expand(frame))
            return None
        events = []
        for event in frame if isinstance(frame, list) else [frame]:
            if event["type"] == "end":
                return "end"
            if event["type"] not in ("snapshot", "progress"):
                events.append(event)
        self.feed(events)
        return None

    def complete(self) -> None:
        assert self.pos == {k: len(v) for k, v in self.want.index.items()}, self.pos


class Client:
    """A websocket reader that reconnects with ``since=<last seq>``."""

    def __init__(self, server: ServerProcess, job_id: str, checker: Checker):
        self.server, self.job_id, self.checker = server, job_id, checker
        self.ws = None
        self.ended = False
        self.snapshots: list[dict] = []

    def open(self):
        self.close()
        self.ws = self.server.websocket(f"mo/api/jobs/{self.job_id}/stream?since={self.checker.seq}")

    def close(self):
        close_websocket(self.ws)
        self.ws = None

    def read(self, until=None, timeout: float = 60.0) -> None:
        """Read to the end, until ``until()`` holds, or until the server goes away."""
        deadline = time.monotonic() + timeout
        while until is None or not until():
            left = deadline - time.monotonic()
            assert left > 0, "the stream took too long"
            try:
                frame = orjson.loads(self.ws.recv(timeout=left))
            except ConnectionClosed:
                return
            if isinstance(frame, dict) and frame.get("type") == "snapshot":
                self.snapshots.append(frame["job"])
            elif self.checker.frame(frame) == "end":
                self.ended = True
                return


def indexed_lines(job):
    index = read_index(job)
    return int(index["n"][index["kind"] == LINES].sum())


def test_a_million_lines_survive_a_server_killed_mid_flood(project, tmp_path):
    root, server = project
    write(root, "flood.py", FLOOD)
    gate = tmp_path / "gate"
    want = expected()
    server.start()
    code, job = server.request("POST", "mo/api/jobs", {"path": "flood.py", "args": [str(gate), str(N), str(FIRST)]})
    assert code == 201, job
    job_id = job["id"]
    folder = root / ".mo" / "jobs" / job_id

    # a client follows the flood live from its start
    live = Client(server, job_id, Checker(mark=N // 2 + 1234))
    wait_until(lambda: indexed_lines(folder) > 0, 30, message="the flood to start")
    live.open()
    live.read(until=lambda: live.checker.seq > 1000)

    # killed in the middle (most often while the first part still floods): the index holds some
    # lines, not all
    server.stop(signal.SIGKILL)
    held = indexed_lines(folder)
    assert 0 < held < N, held
    live.read()  # what the dead server had sent; then the connection is gone
    assert not live.ended
    assert orjson.loads((folder / "status.json").read_bytes())["state"] == "running"

    # the next server: the client reconnects where it was, the rest floods while it streams
    server.start()
    live.open()
    gate.touch()
    live.read(timeout=90)
    assert live.ended, "the stream ended with a snapshot and an end frame"
    live.close()
    live.checker.complete()
    assert live.snapshots[-1]["state"] == "completed", live.snapshots[-1]
    code, record = server.request("GET", f"mo/api/jobs/{job_id}")
    assert code == 200 and record["state"] == "completed" and record["exit_code"] == 0, record

    # status events in order, the last says completed
    states = [s for _, s in live.checker.statuses]
    assert states[0] == "queued" and states[-1] == "completed", states
    assert all(s in ("queued", "running") for s in states[:-1]), states
    assert live.checker.statuses[-1][0] == live.checker.seq  # nothing after the final status
    total = live.checker.seq
    assert total == N + len(states)

    # a fresh client from the start: the same events
    full = Client(server, job_id, Checker())
    full.open()
    full.read()
    full.close()
    assert full.ended
    full.checker.complete()
    assert full.checker.hash.digest() == live.checker.hash.digest()
    assert full.checker.seqs == live.checker.seqs
    assert full.checker.events == live.checker.events

    # a client that reconnects with since=<a seq in the middle> gets exactly the rest
    mid, pos = live.checker.at_mark
    rest = Client(server, job_id, Checker(mid, pos))
    rest.open()
    rest.read()
    rest.close()
    assert rest.ended
    rest.checker.complete()
    assert rest.checker.hash.digest() == live.checker.hash_after_mark.digest()

    # the metrics: every point, with its step and value, in order, with its line's seq
    code, body = server_get_raw(server, f"mo/api/jobs/{job_id}/metrics?format=columns")
    assert code == 200
    columns = orjson.loads(body)
    assert columns["seq"] == total
    series = {s["metric"]: s for s in columns["series"]}
    assert sorted(series) == ["grad_norm", "loss"]
    for name, stream in (("loss", "stdout"), ("grad_norm", "stderr")):
        s = series[name]
        points = [(seq, *m) for seq, m in zip(full.checker.seqs[stream], want.metric[stream]) if m]
        assert s["source"] == "mo"
        assert s["seq"] == [p[0] for p in points]
        assert s["value"] == [p[2] for p in points]
        assert s["step"] == [p[3] for p in points]
        assert len(s["time"]) == len(points) and "epoch" not in s

    # output.log: the exact bytes printed (the streams interleave by chunk: compared per stream)
    raw = (folder / "output.log").read_bytes()
    out, err = want.bytes("stdout"), want.bytes("stderr")
    assert len(raw) == len(out) + len(err)
    lines = raw.split(b"\n")
    assert lines.pop() == b""
    is_err = [x.startswith(b"warn ") or x.startswith(b'{"metric": "grad_norm"') for x in lines]
    assert b"".join(x + b"\n" for x, e in zip(lines, is_err) if not e) == out
    assert b"".join(x + b"\n" for x, e in zip(lines, is_err) if e) == err


def server_get_raw(server: ServerProcess, path: str) -> tuple[int, bytes]:
    import urllib.request

    req = urllib.request.Request(server.base + path, headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.read()

