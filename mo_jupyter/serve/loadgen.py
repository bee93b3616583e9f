"""A small HTTP/1.1 load generator (asyncio, raw sockets, keep-alive): ``total`` requests over
``concurrency`` connections; used by the tests and as the benchmark's client when wrk is missing."""

from __future__ import annotations

import asyncio
import collections
import time


def request_bytes(method: str, host: str, port: int, path: str, body: bytes = b"",
                  ctype: str = "application/json") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    if body or method == "POST":
        head += f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    return status, await reader.readexactly(length)


async def _connection(host, port, raw, count, statuses, check, bad) -> None:
    reader = writer = None
    try:
        for _ in range(count):
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(raw)
                status, body = await _read_response(reader)
                statuses[status] += 1
                if check is not None and status == 200 and not check(body):
                    bad.append(body)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                statuses[type(exc).__name__] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _load(host, port, raw, total, concurrency, check):
    statuses: collections.Counter = collections.Counter()
    bad: list = []
    per, extra = divmod(total, concurrency)
    t0 = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, raw, per + (i < extra), statuses, check, bad)
                           for i in range(concurrency)))
    elapsed = time.perf_counter() - t0
    return {"statuses": dict(statuses), "elapsed": elapsed, "rps": total / elapsed, "bad_bodies": len(bad),
            "errors": total - statuses.get(200, 0) + len(bad)}


def load(host: str, port: int, path: str, body: bytes, total: int = 10_000, concurrency: int = 50,
         check=None, method: str = "POST") -> dict:
    """-> {statuses: {200: n, ...}, elapsed, rps, bad_bodies, errors (non-200 + bad bodies)}."""
    raw = request_bytes(method, host, port, path, body)
    return asyncio.run(_load(host, port, raw, total, concurrency, check))
