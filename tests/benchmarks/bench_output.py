"""Issue 12: a job's output pipeline at the machine's speed, each figure beside a floor measured in
the same run (ratios printed, never asserted).

- (e1) supervisor throughput on its own: a 1M-metric-line flood (issue 12's lines) fed to
  ``EventWriter`` in 1 MiB chunks, flushed per chunk, as the supervisor's loop does (lines/s, goal
  >= 1,000,000); floor: the same bytes written to a file in the same chunks.
- (e2) disk: every file of a finished 1M-line job's folder / its raw output (output.log) (goal <= 1.5).
- (e3) replay: a websocket client of a real server that connects with ``since=0`` to that finished job
  and reads every frame to ``end``, expanding ``lines`` frames as a client does (``replay.expand``),
  has its 2M events (1M log + 1M metric) (goal <= 3 s); floor: reading the job's output.log and
  splitting its lines.
- (e4) metrics query: ``GET mo/api/jobs/<id>/metrics?format=columns`` for its 1M points over HTTP,
  JSON decoded on the client (goal <= 1 s); floor: reading output.log from disk.
- (e5) CLI start: ``jupyter mo job list`` and ``jupyter mo job show <id>``, medians of 5 (goal <= 0.3 s,
  absolute); anchor: ``docker ps`` (or ``python -c pass`` without docker).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.request

import orjson
import websockets

from common import (FLOOD_SCRIPT, cli_command, cli_env, median, report, report_abs, report_rate, scratch_project,
                    timed)
from mo_jupyter.jobs.metricstore import read_columns
from mo_jupyter.jobs.output import EventWriter
from mo_jupyter.jobs.replay import expand
from server import TOKEN, Server

LINES = 1_000_000
CHUNK = 1024 * 1024
ACTIVE = ("queued", "running")


def flood_bytes(lines: int = LINES) -> bytes:
    """What issue 12's flood script prints (its format, random values)."""
    rnd = random.Random(12).random
    return "".join(['{"metric": "loss", "value": %r, "step": %d}\n' % (rnd(), i) for i in range(lines)]).encode()


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


# ---- (e1) the supervisor's writer on its own ---------------------------------------------------------
def write_floor(folder, chunks) -> float:
    path = folder / "floor.log"
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        for chunk in chunks:
            f.write(chunk)
            f.flush()
    elapsed = time.perf_counter() - t0
    os.remove(path)
    return elapsed


def write_job(folder, chunks, n: int, cpu: list) -> float:
    job = folder / f"writer-{n}"
    job.mkdir()
    c0 = time.process_time()
    t0 = time.perf_counter()
    writer = EventWriter(job, started_monotonic=time.monotonic())
    for chunk in chunks:
        writer.feed("stdout", chunk)
        writer.flush()
    writer.feed("stdout", b"")
    writer.close()
    elapsed = time.perf_counter() - t0
    cpu.append(time.process_time() - c0)
    points = sum(len(s["seq"]) for s in read_columns(job, 1 << 62))
    shutil.rmtree(job)
    if points != LINES:
        raise RuntimeError(f"EventWriter stored {points} metric points of {LINES}")
    return elapsed


def bench_writer(folder, data: bytes, repeats: int) -> dict:
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    floor, writer, cpu = [], [], []
    for n in range(repeats):
        floor.append(write_floor(folder, chunks))
        writer.append(write_job(folder, chunks, n, cpu))
    result = report_rate("(e1) supervisor throughput, 1M metric lines fed to EventWriter in 1 MiB chunks (floor: the "
                         "same chunks to a file)", LINES / median(floor), LINES / median(writer), 1_000_000)
    # on a loaded machine the wall time counts other processes' turns on the core too
    print(f"    per CPU second of the writer (user + system): {LINES / median(cpu):,.0f} lines/s", flush=True)
    return result


# ---- a finished 1M-line job in a real server ------------------------------------------------------
def run_server_job(server: Server) -> dict:
    job = server.request("POST", "mo/api/jobs", {"path": "flood.py"})
    deadline = time.monotonic() + 600
    while job["state"] in ACTIVE:
        if time.monotonic() > deadline:
            raise RuntimeError("the 1M-line job did not end in 10 minutes")
        time.sleep(0.1)
        job = server.get(f"mo/api/jobs/{job['id']}")
    if job["state"] != "completed":
        raise RuntimeError(f"the 1M-line job ended {job['state']}: {job.get('reason')}")
    return job


def bench_disk(job_dir) -> dict:
    total, sizes = 0, {}
    for dirpath, _dirs, files in os.walk(job_dir):
        for name in files:
            size = os.lstat(os.path.join(dirpath, name)).st_size
            total += size
            rel = os.path.relpath(os.path.join(dirpath, name), job_dir)
            key = "metrics/" if rel.startswith("metrics" + os.sep) else rel
            sizes[key] = sizes.get(key, 0) + size
    raw = os.lstat(job_dir / "output.log").st_size
    result = report("(e2) disk: bytes of the 1M-line job's folder vs its raw output (output.log)", raw / 1e6,
                    total / 1e6, 1.5, " MB")
    print("    " + ", ".join(f"{k} {v / 1e6:.3f} MB" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])
                              if v >= 1000), flush=True)
    return result


# ---- (e3) replay over the websocket ----------------------------------------------------------------
async def replay(server: Server, job_id: str) -> dict:
    url = server.url(f"mo/api/jobs/{job_id}/stream?since=0&token={TOKEN}", "ws")
    counts: dict[str, int] = {}
    expanding = 0.0
    frames = 0
    ended = False
    t0 = time.perf_counter()
    async with websockets.connect(url, max_size=None) as ws:
        async for message in ws:
            frames += 1
            frame = orjson.loads(message)
            if isinstance(frame, dict) and frame.get("type") == "lines":
                t1 = time.perf_counter()
                events = expand(frame)
                expanding += time.perf_counter() - t1
            else:
                events = frame if isinstance(frame, list) else [frame]
            for event in events:
                kind = event.get("type")
                counts[kind] = counts.get(kind, 0) + 1
            if events and events[-1].get("type") == "end":
                ended = True
                break
    elapsed = time.perf_counter() - t0
    if not ended or counts.get("log") != LINES or counts.get("metric") != LINES:
        raise RuntimeError(f"replay of the 1M-line job got {counts} in {frames} frames (end: {ended})")
    return {"seconds": elapsed, "expand": expanding, "frames": frames}


def read_split(path) -> float:
    def run():
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        if len(lines) != LINES + 1:
            raise RuntimeError(f"output.log has {len(lines) - 1} lines")

    return timed(run)


def bench_replay(server: Server, job_id: str, log_path, repeats: int) -> dict:
    floor, runs = [], []
    for _ in range(repeats):
        floor.append(read_split(log_path))
        runs.append(asyncio.run(replay(server, job_id)))
    runs.sort(key=lambda r: r["seconds"])
    mid = runs[len(runs) // 2]
    result = report_abs("(e3) replay: since=0 websocket client of a finished 1M-line job, every frame to `end` "
                        "expanded to 2M events (floor: read output.log + split lines)", median(floor),
                        mid["seconds"], 3.0)
    print(f"    {mid['frames']} frames; the client's {mid['seconds']:.3f} s: {mid['expand']:.3f} s in replay.expand, "
          f"{mid['seconds'] - mid['expand']:.3f} s the server's reads, the transfer and JSON decoding", flush=True)
    return result


# ---- (e4) the metrics query -------------------------------------------------------------------------
def query_columns(server: Server, job_id: str) -> float:
    req = urllib.request.Request(server.url(f"mo/api/jobs/{job_id}/metrics?format=columns"),
                                 headers={"Authorization": f"token {TOKEN}"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        body = orjson.loads(resp.read())
    elapsed = time.perf_counter() - t0
    points = sum(len(s["seq"]) for s in body["series"])
    if points != LINES:
        raise RuntimeError(f"metrics?format=columns answered {points} points of {LINES}")
    return elapsed


def read_raw(path) -> float:
    def run():
        with open(path, "rb") as f:
            f.read()

    return timed(run)


def bench_metrics(server: Server, job_id: str, log_path, repeats: int) -> dict:
    floor, runs = [], []
    for _ in range(repeats):
        floor.append(read_raw(log_path))
        runs.append(query_columns(server, job_id))
    return report_abs("(e4) metrics query: GET metrics?format=columns, 1M points, JSON decoded (floor: read "
                      "output.log)", median(floor), median(runs), 1.0)


# ---- (e5) the command line's start --------------------------------------------------------------------
def bench_cli(root, job_id: str, repeats: int = 5) -> list[dict]:
    env = cli_env(root.parent / f"{root.name}-jupyter-config")
    anchor, anchor_name = [sys.executable, "-c", "pass"], "python -c pass"
    docker = shutil.which("docker")
    if docker:
        try:
            if subprocess.run([docker, "ps"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=10).returncode == 0:
                anchor, anchor_name = [docker, "ps"], "docker ps"
        except subprocess.TimeoutExpired:
            pass

    def run(cmd):
        return lambda: subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, check=True)

    out = []
    for verb in (["list"], ["show", job_id]):
        base, cli = [], []
        for _ in range(repeats):
            base.append(timed(run(anchor)))
            cli.append(timed(run([*cli_command(), "job", *verb])))
        out.append(report_abs(f"(e5) CLI start: `jupyter mo job {verb[0]}` (baseline: {anchor_name})", median(base),
                              median(cli), 0.3))
    return out


def main(quick: bool = False) -> list[dict]:
    repeats = 1 if quick else 3
    root = scratch_project()
    print(f"(e) job output, issue 12 ({load()})", flush=True)
    results = [bench_writer(root, flood_bytes(), 2 if quick else 5)]
    (root / "flood.py").write_text(FLOOD_SCRIPT.format(lines=LINES))
    server = Server(root)
    try:
        job = run_server_job(server)
        job_dir = root / ".mo" / "jobs" / job["id"]
        results.append(bench_disk(job_dir))
        results.append(bench_replay(server, job["id"], job_dir / "output.log", repeats))
        results.append(bench_metrics(server, job["id"], job_dir / "output.log", 3))
    finally:
        server.stop()
    results.extend(bench_cli(root, job["id"]))
    print(f"(e) done ({load()})", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(root.parent / f"{root.name}-jupyter-config", ignore_errors=True)
    return results


if __name__ == "__main__":
    main("--quick" in sys.argv)
