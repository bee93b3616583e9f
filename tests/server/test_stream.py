"""The websocket ``mo/api/jobs/<id>/stream?since=<seq>``: snapshot, ordered events, live, end, resume."""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from tornado.httpclient import HTTPClientError

from mo_jupyter.jobs import replay

from helpers import GATED, counting_script, final_events, read_events, write

READ_TIMEOUT = 30


async def connect(jp_ws_fetch, job_id, since=None):
    params = {} if since is None else {"since": str(since)}
    return await jp_ws_fetch("mo", "api", "jobs", job_id, "stream", params=params)


async def next_frame(ws):
    """The next event: a frame is one event or a batch (a JSON array) of them, in order."""
    pending = ws.__dict__.setdefault("_mo_pending", [])
    if not pending:
        message = await asyncio.wait_for(ws.read_message(), READ_TIMEOUT)
        if message is None:
            return None
        frame = json.loads(message)
        for event in frame if isinstance(frame, list) else [frame]:
            # a `lines` frame stands for its log, status and metric events (as the client expands it)
            pending.extend(replay.expand(event) if event["type"] == "lines" else [event])
    return pending.pop(0)


async def read_to_end(ws, frames=None):
    """Every frame until the server closes; asserts the end protocol. Returns (events, final job)."""
    frames = [] if frames is None else frames
    while True:
        frame = await next_frame(ws)
        if frame is None:
            break
        frames.append(frame)
    assert frames[-1] == {"type": "end"}, frames[-3:]
    assert frames[-2]["type"] == "snapshot"
    events = [f for f in frames[:-2] if f["type"] != "snapshot"]
    assert all("seq" in e for e in events)
    return events, frames[-2]["job"]


def assert_contiguous(events, first=1):
    """Lines and status events are numbered without a gap; a metric carries its line's seq."""
    numbered = [e for e in events if e["type"] != "metric"]
    assert [e["seq"] for e in numbered] == list(range(first, first + len(numbered)))
    lines = {e["seq"] for e in numbered if e["type"] == "log"}
    assert all(e["seq"] in lines for e in events if e["type"] == "metric")


async def test_stream_of_an_ended_job(api, root, jobs_dir, jp_ws_fetch):
    write(root, "c.py", counting_script(5))
    done = await api.wait_state((await api.create({"path": "c.py"}))["id"])
    on_disk = final_events(jobs_dir, done["id"])
    assert_contiguous(on_disk)
    ws = await connect(jp_ws_fetch, done["id"])
    first = await next_frame(ws)
    assert first["type"] == "snapshot" and first["job"]["id"] == done["id"]
    assert first["job"]["state"] == "completed"
    events, final = await read_to_end(ws)
    assert events == on_disk
    assert final["state"] == "completed" and final["exit_code"] == 0
    kinds = [e["type"] for e in events]
    assert kinds[0] == "status" and kinds[-1] == "status" and events[-1]["job"]["state"] == "completed"
    logs = [e["line"] for e in events if e["type"] == "log"]
    assert logs[0::2] == [f"line {i}" for i in range(5)]
    metrics = [e for e in events if e["type"] == "metric"]
    assert [(m["metric"], m["step"]) for m in metrics] == [("loss", i) for i in range(5)]
    for m in metrics:  # a metric carries the seq of the log line it came from
        line = next(e for e in events if e["seq"] == m["seq"] and e["type"] == "log")
        assert json.loads(line["line"])["step"] == m["step"]


@pytest.mark.parametrize("since", [0, 1, 4, 7])
async def test_since_skips_exactly_what_was_seen(api, root, jobs_dir, jp_ws_fetch, since):
    write(root, "c.py", counting_script(3))
    done = await api.wait_state((await api.create({"path": "c.py"}))["id"])
    on_disk = final_events(jobs_dir, done["id"])
    ws = await connect(jp_ws_fetch, done["id"], since)
    assert (await next_frame(ws))["type"] == "snapshot"
    events, _ = await read_to_end(ws)
    assert events == [e for e in on_disk if e["seq"] > since]


async def test_since_past_the_end_sends_no_events(api, root, jobs_dir, jp_ws_fetch):
    write(root, "c.py", counting_script(2))
    done = await api.wait_state((await api.create({"path": "c.py"}))["id"])
    last = final_events(jobs_dir, done["id"])[-1]["seq"]
    for since in (last, last + 100):
        ws = await connect(jp_ws_fetch, done["id"], since)
        assert (await next_frame(ws))["type"] == "snapshot"
        events, final = await read_to_end(ws)
        assert events == [] and final["state"] == "completed"


async def test_live_events_then_end(api, root, jobs_dir, jp_ws_fetch, tmp_path):
    write(root, "g.py", GATED)
    gate = tmp_path / "gate"
    job = await api.create({"path": "g.py", "args": [str(gate)]})
    ws = await connect(jp_ws_fetch, job["id"])
    frames = [await next_frame(ws)]
    assert frames[0]["type"] == "snapshot" and frames[0]["job"]["state"] in ("queued", "running")
    while not any(f.get("line") == "started" for f in frames):
        frames.append(await next_frame(ws))
    assert (await api.job(job["id"]))["state"] == "running"
    gate.touch()
    events, final = await read_to_end(ws, frames)
    assert events == read_events(jobs_dir, job["id"])
    assert [e["line"] for e in events if e["type"] == "log"] == ["started", "released"]
    assert final["state"] == "completed"


async def test_reconnecting_with_the_last_seq_misses_nothing(api, root, jobs_dir, jp_ws_fetch):
    write(root, "slow.py", counting_script(30, metric_every=3, delay=0.03))
    job = await api.create({"path": "slow.py"})
    seen = []
    since = 0
    for _ in range(4):  # a few short visits while it runs, then one to the end
        ws = await connect(jp_ws_fetch, job["id"], since)
        assert (await next_frame(ws))["type"] == "snapshot"
        for _ in range(5):
            frame = await next_frame(ws)
            if frame is None or frame["type"] in ("snapshot", "end"):
                break
            seen.append(frame)
        ws.close()
        since = seen[-1]["seq"] if seen else 0
    ws = await connect(jp_ws_fetch, job["id"], since)
    assert (await next_frame(ws))["type"] == "snapshot"
    rest, final = await read_to_end(ws)
    assert final["state"] == "completed"
    seen += rest
    assert_contiguous(seen)
    assert seen == read_events(jobs_dir, job["id"])


async def test_many_lines_arrive_all_and_in_order(api, root, jobs_dir, jp_ws_fetch):
    write(root, "many.py", "for i in range(5000):\n    print(f'n {i}')\n")
    job = await api.create({"path": "many.py"})
    ws = await connect(jp_ws_fetch, job["id"])
    assert (await next_frame(ws))["type"] == "snapshot"
    events, final = await read_to_end(ws)
    assert final["state"] == "completed"
    assert_contiguous(events)
    assert [e["line"] for e in events if e["type"] == "log"] == [f"n {i}" for i in range(5000)]


async def test_two_clients_see_the_same_events(api, root, jobs_dir, jp_ws_fetch):
    write(root, "c.py", counting_script(10, delay=0.02))
    job = await api.create({"path": "c.py"})
    one, two = await connect(jp_ws_fetch, job["id"]), await connect(jp_ws_fetch, job["id"])
    await next_frame(one), await next_frame(two)
    (a, _), (b, _) = await asyncio.gather(read_to_end(one), read_to_end(two))
    assert a == b == read_events(jobs_dir, job["id"])


async def test_stream_refusals(api, root, jp_ws_fetch):
    write(root, "c.py", "print(1)\n")
    done = await api.wait_state((await api.create({"path": "c.py"}))["id"])
    with pytest.raises(HTTPClientError) as caught:
        await connect(jp_ws_fetch, "20990101-000000-abcdef")
    assert caught.value.code == 404
    with pytest.raises(HTTPClientError) as caught:
        await connect(jp_ws_fetch, done["id"], "abc")
    assert caught.value.code == 400



def _watch_for_terminal(folder, timeout=30.0):
    """Busy-read status.json; the moment it says ended, read the events (index and notes)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = json.loads((folder / "status.json").read_bytes()).get("state")
        except (FileNotFoundError, ValueError):
            continue
        if state in ("completed", "failed", "stopped"):
            return state, replay.read_events(folder)
    raise AssertionError("the job did not end")


async def test_the_final_status_event_is_on_disk_before_the_final_state(api, root, jobs_dir):
    """The stream ends when the record says the job ended and the index is drained; so the final
    status event must be in the index by the time status.json shows the final state."""
    write(root, "c.py", counting_script(1))
    for _ in range(5):
        job = await api.create({"path": "c.py"})
        state, events = await asyncio.to_thread(_watch_for_terminal, jobs_dir / job["id"])
        assert events[-1]["type"] == "status" and events[-1]["job"]["state"] == state, events[-1]


async def test_the_stream_of_a_job_whose_supervisor_dies_ends(api, root, jobs_dir, jp_ws_fetch, tmp_path):
    import signal

    write(root, "g.py", GATED)
    job = await api.create({"path": "g.py", "args": [str(tmp_path / "never")]})
    ws = await connect(jp_ws_fetch, job["id"])
    frames = [await next_frame(ws)]
    while not any(f.get("line") == "started" for f in frames):
        frames.append(await next_frame(ws))
    status = json.loads((jobs_dir / job["id"] / "status.json").read_text())
    os.kill(status["supervisor_pid"], signal.SIGKILL)
    events, final = await read_to_end(ws, frames)
    assert final["state"] == "failed" and "lost" in final["reason"]
    assert events == read_events(jobs_dir, job["id"])
