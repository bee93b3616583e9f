"""(c) Print-to-websocket latency, p50 / p99, of one job while another job prints 100k lines/s
(goal p50 <= 50 ms). Baseline: the same probe with no other job printing, in the same run."""

from __future__ import annotations

import asyncio
import sys
import time

import orjson
import websockets

from common import scratch_project
from mo_jupyter.jobs.replay import expand
from server import TOKEN, Server

PROBE = ("import time, sys\nend = time.time() + {seconds}\n"
         "while time.time() < end:\n    print('probe', repr(time.time()), flush=True)\n    time.sleep(0.02)\n")
FLOOD = ("import sys, time\nline = 'x' * 60 + '\\n'\nend = time.time() + {seconds}\nw = sys.stdout.write\n"
         "while time.time() < end:\n    t = time.time()\n    w(line * 1000)\n    sys.stdout.flush()\n"
         "    time.sleep(max(0, 0.01 - (time.time() - t)))\n")  # 1000 lines / 10 ms = 100k lines/s


async def probe_latencies(server: Server, job_id: str) -> list[float]:
    url = server.url(f"mo/api/jobs/{job_id}/stream?token={TOKEN}", "ws")
    out = []
    async with websockets.connect(url, max_size=None) as ws:
        async for message in ws:
            now = time.time()
            frame = orjson.loads(message)
            events = frame if isinstance(frame, list) else [frame]
            # a `lines` frame stands for its events, as the client expands it
            events = [e for f in events for e in (expand(f) if f.get("type") == "lines" else [f])]
            if not events:
                continue
            for event in events:
                if event.get("type") == "log" and event["line"].startswith("probe "):
                    out.append(now - float(event["line"].split()[1]))
            if events[-1].get("type") == "end":
                break
    return out


def run_probe(server: Server, seconds: float, flood: bool) -> list[float]:
    flood_job = None
    if flood:
        flood_job = server.request("POST", "mo/api/jobs", {"path": "flood.py"})
        time.sleep(0.5)  # let the flood reach full speed before probing
    probe = server.request("POST", "mo/api/jobs", {"path": "probe.py"})
    lat = asyncio.run(probe_latencies(server, probe["id"]))
    if flood_job:
        server.request("POST", f"mo/api/jobs/{flood_job['id']}/stop")
        job = server.get(f"mo/api/jobs/{flood_job['id']}")
        while job["state"] in ("queued", "running"):
            time.sleep(0.1)
            job = server.get(f"mo/api/jobs/{flood_job['id']}")
        lines = (server.root / ".mo" / "jobs" / job["id"] / "output.log").stat().st_size / 61
        print(f"    flood job: {lines / (job['ended'] - job['started']):,.0f} lines/s recorded", flush=True)
    return lat


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main(quick: bool = False) -> dict:
    seconds = 4 if quick else 10
    root = scratch_project()
    (root / "probe.py").write_text(PROBE.format(seconds=seconds))
    (root / "flood.py").write_text(FLOOD.format(seconds=seconds + 2))
    server = Server(root, ["--MoJupyterApp.concurrency={'local': 2}"])
    try:
        idle = run_probe(server, seconds, flood=False)
        busy = run_probe(server, seconds, flood=True)
    finally:
        server.stop()
    i50, i99, b50, b99 = pct(idle, .5) * 1e3, pct(idle, .99) * 1e3, pct(busy, .5) * 1e3, pct(busy, .99) * 1e3
    verdict = "meets goal" if b50 <= 50 else "MISSES goal"
    print(f"(c) websocket latency while another job prints 100k lines/s: p50 {b50:.1f} ms, p99 {b99:.1f} ms "
          f"(goal p50 <= 50 ms) {verdict}; idle baseline p50 {i50:.1f} ms, p99 {i99:.1f} ms; "
          f"p50 ratio {b50 / i50:.2f}; {len(busy)} probes", flush=True)
    return {"name": "(c) stream latency", "p50_ms": b50, "p99_ms": b99, "idle_p50_ms": i50, "idle_p99_ms": i99}


if __name__ == "__main__":
    main("--quick" in sys.argv)
