"""Media values across the wire: ``img``/``file``/``audio``/``video`` inputs in, data URLs out.

Inputs. A client sends a media input as a data URL (``data:image/png;base64,...``, what the test page
sends) or as bare base64 (what Mo's clients send: the prefix stripped; standard or URL-safe alphabet,
padding optional, whitespace ignored). As Mo does, ``handle`` gets neither: the bytes are decoded and
written to a temporary file (named ``mo-input-*`` with an extension from the data URL's media type or
sniffed from the bytes, e.g. ``.png``) and ``conf[key]`` is that file's **path** (a ``str``), so
``Image.open(conf['img'])``, ``open(conf['file'], 'rb')`` or ``librosa.load(conf['audio'])`` work.
The file is deleted once the request is done. A value that is neither -> 422 for that field.

Outputs. An ``img`` output may be ``bytes`` (an encoded image), a numpy array (HxW, HxWx1, HxWx3 or
HxWx4; uint8, bool, or floats in [0, 1] or [0, 255]), a PIL image, a path to an existing file, or already
a data URL; it is returned as a data URL (``data:image/png;base64,...`` for arrays and PIL images,
the sniffed type for encoded bytes or files). PNGs are written with PIL when it is importable, else
with the small zlib encoder below. ``file``/``audio``/``video`` outputs (bytes or a path) become data
URLs of their sniffed type. Any other value is returned as it is.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import struct
import sys
import tempfile
import urllib.parse
import zlib

MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"%PDF", "application/pdf"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
)
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/bmp": ".bmp",
              "image/webp": ".webp", "audio/wav": ".wav", "audio/mpeg": ".mp3", "audio/ogg": ".ogg",
              "audio/flac": ".flac", "video/mp4": ".mp4", "video/webm": ".webm", "application/pdf": ".pdf",
              "application/zip": ".zip", "text/plain": ".txt", "text/csv": ".csv", "application/json": ".json"}


class MediaError(ValueError):
    """A media input that is neither base64 nor a data URL."""


def sniff(data: bytes) -> str | None:
    for magic, mime in MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return None


def decode(value: str) -> tuple[bytes, str | None]:
    """A data URL or bare base64 -> (bytes, media type or None)."""
    mime = None
    if value.startswith("data:"):
        head, sep, payload = value.partition(",")
        if not sep:
            raise MediaError("is a data URL without ','")
        params = head[5:].split(";")
        mime = params[0].strip().lower() or None
        if "base64" not in params[1:]:
            data = urllib.parse.unquote_to_bytes(payload)
            if not data:
                raise MediaError("is an empty data URL")
            return data, mime
        value = payload
    text = "".join(value.split()) if any(c.isspace() for c in value[:200]) or len(value) % 4 else value
    text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MediaError("is neither base64 nor a data URL (data:<type>;base64,...)") from None
    if not data:
        raise MediaError("is empty")
    return data, mime


def to_file(value: str, directory: str) -> str:
    """Decode a media input and write it to a new temporary file; returns its path."""
    data, mime = decode(value)
    mime = mime if mime and mime != "application/octet-stream" else sniff(data)
    ext = EXTENSIONS.get(mime or "") or (mimetypes.guess_extension(mime) if mime else None) or ""
    fd, path = tempfile.mkstemp(prefix="mo-input-", suffix=ext, dir=directory)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def encode_png(raw: bytes, width: int, height: int, channels: int) -> bytes:
    """A PNG of 8-bit rows (gray, gray+alpha, RGB or RGBA) with zlib only."""
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    stride = width * channels
    rows = b"".join(b"\x00" + raw[y * stride:(y + 1) * stride] for y in range(height))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def _pil():
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image


def array_png(array) -> bytes:
    import numpy as np

    a = np.asarray(array)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (2, 3, 4)) or 0 in a.shape:
        raise ValueError(f"an image array must be HxW or HxWxC (C = 1, 3 or 4), not {a.shape}")
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    elif a.dtype.kind == "f":
        a = np.nan_to_num(a)
        a = a * 255.0 if a.size and float(a.max()) <= 1.0 else a
        a = np.clip(np.rint(a), 0, 255).astype(np.uint8)
    elif a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    a = np.ascontiguousarray(a)
    channels = 1 if a.ndim == 2 else a.shape[2]
    Image = _pil()
    if Image is not None and channels != 2:
        return _pil_png(Image.fromarray(a))
    return encode_png(a.tobytes(), a.shape[1], a.shape[0], channels)


def _pil_png(image) -> bytes:
    import io

    if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P", "I", "I;16"):
        image = image.convert("RGBA")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def output_data_url(value, value_type: str):
    """An ``img``/``file``/``audio``/``video`` output -> a data URL (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, str) and value.startswith("data:"):
        return value
    if isinstance(value, (str, os.PathLike)):
        if not os.path.isfile(value):
            if isinstance(value, str):
                return value  # perhaps base64 already: handed back unchanged
            raise ValueError(f"{os.fspath(value)!r} is not a file")
        fallback = mimetypes.guess_type(os.fspath(value))[0]
        with open(value, "rb") as f:
            value = f.read()
    else:
        fallback = None
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return data_url(data, sniff(data) or fallback or "application/octet-stream")
    np = sys.modules.get("numpy")
    if value_type == "img" and np is not None and isinstance(value, np.ndarray):
        return data_url(array_png(value), "image/png")
    pil = sys.modules.get("PIL.Image")
    if value_type == "img" and pil is not None and isinstance(value, pil.Image):
        return data_url(_pil_png(value), "image/png")
    if value_type == "img" and isinstance(value, list):  # a nested list of pixel values
        return data_url(array_png(value), "image/png")
    raise TypeError(f"cannot return a {type(value).__name__} as {value_type}")
