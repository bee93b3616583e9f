"""The engine's attach stream of a container (a job whose output goes through the engine, see
docker.py): frames of both streams, split in bulk, and the socket's descriptor when its bytes are
the stream itself."""

from __future__ import annotations

import struct
from typing import Optional

_STREAMS = {1: "stdout", 2: "stderr"}


class Demux:
    """The engine's multiplexed stream, read in pieces, as each stream's bytes: call it with what
    was read (``b""`` at the end: each stream's end); a frame cut by a read waits for the next."""

    __slots__ = ("pending",)

    def __init__(self):
        self.pending = b""

    def __call__(self, data: bytes) -> list[tuple[str, bytes]]:
        if not data:
            return [("stdout", b""), ("stderr", b"")]
        self.pending = self.pending + data if self.pending else data
        parts, self.pending = split_frames(self.pending)
        # an empty frame gives no piece: b"" would read as the stream's end
        return [(stream, piece) for stream, chunks in parts.items() if (piece := b"".join(chunks))]


def plain_fd(sock) -> Optional[int]:
    """The file descriptor whose bytes are the attach stream itself (a unix or plain TCP socket),
    or None (TLS, an ssh channel: only the object can read it)."""
    import socket
    import ssl

    if isinstance(sock, socket.SocketIO):
        inner = getattr(sock, "_sock", None)
        if isinstance(inner, socket.socket) and not isinstance(inner, ssl.SSLSocket):
            return sock.fileno()
    elif isinstance(sock, socket.socket) and not isinstance(sock, ssl.SSLSocket):
        return sock.fileno()
    return None


def split_frames(data: bytes) -> tuple[dict[str, list[bytes]], bytes]:
    """The engine's multiplexed stream (8-byte headers: stream, 3 zero bytes, big-endian size) as
    each stream's chunks, and the bytes of a frame not yet complete."""
    parts: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
    pos, end = 0, len(data)
    unpack = struct.unpack_from
    while pos + 8 <= end:
        kind, size = unpack(">BxxxL", data, pos)
        stop = pos + 8 + size
        if stop > end:
            break
        parts[_STREAMS.get(kind, "stdout")].append(data[pos + 8 : stop])
        pos = stop
    return parts, data[pos:]
