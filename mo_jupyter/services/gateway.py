"""The gateway of a swarm service: a small TCP relay that listens on one port and spreads incoming
connections round-robin over the addresses of the service's tasks.

A swarm service is published through the routing mesh on every interface of every node, which is
more than a learner's app should be. Instead the service has no published port; its tasks sit on an
attachable overlay network in DNS round-robin mode (``tasks.<service>`` resolves to every running
task; the virtual-IP mode needs IPVS, which not every kernel has), and this relay runs in a plain
container on that network, published on 127.0.0.1 of the manager only. With no task to reach (the
service scaled to 0, or starting) it answers a short HTTP 503 in JSON, so the address stays bound.

Run: ``python -m mo_jupyter.services.gateway --target tasks.NAME[,HOST...] --port 8080``."""

from __future__ import annotations

import argparse
import asyncio
import socket
import time

CONNECT_TIMEOUT = 3.0
CHUNK = 64 * 1024
BODY = b'{"error": "the service has no running replica (stopped, starting or failed)"}'
UNAVAILABLE = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(BODY), BODY))


class Gateway:
    def __init__(self, targets: list[str], port: int, refresh: float = 1.0):
        self.targets = targets
        self.port = port
        self.refresh = refresh
        self._addresses: list[str] = []
        self._resolved_at = float("-inf")
        self._next = 0

    async def addresses(self) -> list[str]:
        """Every address the targets resolve to, looked up again after `refresh` seconds (tasks come
        and go as the service scales)."""
        if time.monotonic() - self._resolved_at >= self.refresh or not self._addresses:
            loop = asyncio.get_running_loop()
            found: set[str] = set()
            for target in self.targets:
                try:
                    infos = await loop.getaddrinfo(target, self.port, type=socket.SOCK_STREAM)
                except OSError:  # no task yet (DNS has no record) or a name that went away
                    continue
                found.update(info[4][0] for info in infos)
            self._addresses = sorted(found)
            self._resolved_at = time.monotonic()
        return self._addresses

    async def _connect(self):
        addresses = await self.addresses()
        for k in range(len(addresses)):
            address = addresses[(self._next + k) % len(addresses)]
            try:
                streams = await asyncio.wait_for(asyncio.open_connection(address, self.port), CONNECT_TIMEOUT)
            except (OSError, asyncio.TimeoutError):
                self._resolved_at = float("-inf")  # a task that just went: look again next time
                continue  # and try the next one now
            self._next = (self._next + k + 1) % len(addresses)
            return streams
        return None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream = await self._connect()
            if upstream is None:
                writer.write(UNAVAILABLE)
                await writer.drain()
                return
            up_reader, up_writer = upstream
            try:
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            finally:
                up_writer.close()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def serve(self, host: str, listen: int) -> None:
        server = await asyncio.start_server(self.handle, host, listen, reuse_address=True)
        print(f"gateway on {host}:{listen} -> {','.join(self.targets)}:{self.port}", flush=True)
        async with server:
            await server.serve_forever()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy one direction until its end, then pass the end on (a half-close)."""
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        writer.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mo_jupyter.services.gateway")
    parser.add_argument("--target", required=True, help="names or addresses, comma-separated")
    parser.add_argument("--port", type=int, default=8080, help="the targets' port")
    parser.add_argument("--host", default="0.0.0.0", help="where to listen")
    parser.add_argument("--listen", type=int, default=8080, help="the port to listen on")
    args = parser.parse_args(argv)
    gateway = Gateway([t for t in args.target.split(",") if t], args.port)
    try:
        asyncio.run(gateway.serve(args.host, args.listen))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
