"""The docker backend's reading of an attach socket: the engine's frames (8-byte header: stream,
3 zero bytes, big-endian size) split into each stream's bytes, however the reads cut them."""

import socket
import ssl
import struct

from mo_jupyter.jobs.backends.attachstream import Demux, plain_fd


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


def test_frames_cut_anywhere_come_out_whole_and_in_order():
    frames = [(1, b"line 1\nline 2\n"), (2, b"warn\n"), (1, b""), (1, b"x" * 70000), (2, b"err \xff\n"), (1, b"end")]
    wire = b"".join(frame(k, d) for k, d in frames)
    expected = {"stdout": b"line 1\nline 2\n" + b"x" * 70000 + b"end", "stderr": b"warn\nerr \xff\n"}
    for cut in (1, 3, 7, 8, 9, 100, 4096, len(wire)):
        demux, got = Demux(), {"stdout": b"", "stderr": b""}
        for i in range(0, len(wire), cut):
            for stream, part in demux(wire[i : i + cut]):
                assert part, "an empty piece would read as the stream's end"
                got[stream] += part
        assert got == expected, cut
        assert demux(b"") == [("stdout", b""), ("stderr", b"")]


def test_a_frame_cut_by_the_end_is_not_invented():
    demux = Demux()
    assert demux(frame(1, b"whole\n") + frame(1, b"half")[:10]) == [("stdout", b"whole\n")]
    assert demux.pending  # the cut frame waits; at the end it is dropped, never made up


def test_only_a_plain_socket_is_read_by_its_descriptor():
    a, b = socket.socketpair()
    try:
        raw = socket.SocketIO(a, "rb")
        assert plain_fd(raw) == a.fileno()
        assert plain_fd(a) == a.fileno()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        wrapped = context.wrap_socket(socket.socket(), do_handshake_on_connect=False)
        try:
            assert plain_fd(wrapped) is None  # TLS: the bytes on the descriptor are not the stream
            assert plain_fd(socket.SocketIO(wrapped, "rb")) is None
        finally:
            wrapped.close()
        assert plain_fd(object()) is None  # an ssh channel
    finally:
        a.close()
        b.close()
