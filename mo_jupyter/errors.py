"""Errors that services raise and handlers / the CLI turn into 4xx answers or one clear line, and the
one mapping of environment faults (OSError) to answers. Every message that may repeat what a user
sent is cut here, once: a 50 MB field never becomes a 50 MB answer or log line."""

from __future__ import annotations

import errno
from typing import Any, Optional

import orjson

MAX_MESSAGE = 1024
"""The longest message (and ``reason``) an answer or a log line carries, in characters."""


def cut(text: Any, limit: int = MAX_MESSAGE) -> str:
    """``text`` as a string of at most about ``limit`` characters: the middle goes, with a marker
    that says how much (both ends stay: the start says what, the end often says why). The result
    is always valid UTF-8 (JSON answers and terminals refuse lone surrogates)."""
    text = text if isinstance(text, str) else str(text)
    if len(text) > limit:
        marker = f" …[{len(text) - limit} characters cut]… "
        keep = max(limit - len(marker), 16)
        head = keep * 3 // 4
        text = text[:head] + marker + text[len(text) - (keep - head):]
    if not text.isascii():  # lone surrogates (a file name that is not UTF-8) written as \udcff
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class MoError(Exception):
    """A problem the user can fix; ``status`` is the HTTP code it maps to."""

    status = 400

    def __init__(self, message: str, *, reason: Optional[str] = None):
        message = cut(message)
        super().__init__(message)
        self.message = message
        self.reason = None if reason is None else cut(reason, 200)


class BadRequest(MoError):
    status = 400


class Unauthorized(MoError):
    """A credential is missing or wrong (a service's access key)."""

    status = 401


class Forbidden(MoError):
    status = 403


class NotFound(MoError):
    status = 404


class Conflict(MoError):
    status = 409


class TooLarge(MoError):
    status = 413


class Unavailable(MoError):
    """A resource that this machine lacks (no GPU, no Docker engine)."""

    status = 422


class BadGateway(MoError):
    """A deployed service refused or closed the connection."""

    status = 502


class ServiceUnavailable(MoError):
    """A deployed service is stopped, not held by its replicas, or busy."""

    status = 503


class GatewayTimeout(MoError):
    status = 504


class InsufficientStorage(MoError):
    status = 507


# errno -> (status, the message: short, with no path in it; the server log has the details)
_OS_ERRORS = {
    errno.ENAMETOOLONG: (400, "a name in the path is too long"),
    errno.ENOTDIR: (400, "a part of the path is a file, not a folder"),
    errno.EISDIR: (400, "the path is a folder, not a file"),
    errno.ELOOP: (400, "the path has too many levels of symbolic links"),
    errno.EINVAL: (400, "the path or a value is not valid here"),
    errno.ENOENT: (404, "no such file or folder"),
    errno.EEXIST: (409, "that file or folder exists already"),
    errno.ENOTEMPTY: (409, "the folder is not empty"),
    errno.EXDEV: (409, "the file is on another file system"),
    errno.EBUSY: (409, "the file or folder is busy"),
    errno.ETXTBSY: (409, "the file is busy"),
    errno.EACCES: (403, "permission denied"),
    errno.EPERM: (403, "permission denied"),
    errno.EROFS: (403, "the file system is read-only"),
    errno.ENOSPC: (507, "no space left on the device"),
    errno.EDQUOT: (507, "the disk quota is exceeded"),
    errno.EFBIG: (413, "the file is too large"),
    errno.EMFILE: (503, "the server has too many open files; try again"),
    errno.ENFILE: (503, "the system has too many open files; try again"),
    errno.ENOMEM: (503, "the server is out of memory; try again"),
    errno.EAGAIN: (503, "the resource is busy; try again"),
    errno.EIO: (503, "an input/output error on the server's disk"),
}


def os_error(exc: BaseException) -> Optional[MoError]:
    """The MoError an environment fault means for the user (no path, no repr), or None when it is
    not one whose cause we can name (the caller then treats it as an internal error)."""
    if not isinstance(exc, OSError):
        return None
    known = _OS_ERRORS.get(exc.errno)
    if known is None:
        return None
    status, message = known
    error = MoError(message)
    error.status = status
    return error


def user_error(exc: BaseException) -> Optional[MoError]:
    """``exc`` as the MoError a user sees, or None when it is an internal error (a bug)."""
    if isinstance(exc, MoError):
        return exc
    if isinstance(exc, (UnicodeEncodeError, UnicodeDecodeError)):
        return BadRequest("a name or text is not valid UTF-8 (or holds a lone surrogate)")
    if isinstance(exc, orjson.JSONEncodeError) and "UTF-8" in str(exc)[:200]:
        return BadRequest("a name or text is not valid UTF-8 (it cannot be recorded)")
    if isinstance(exc, ValueError) and "null byte" in str(exc)[:200]:
        return BadRequest("a path or value contains a NUL character")
    if isinstance(exc, RuntimeError) and str(exc).startswith("Symlink loop"):  # pathlib's resolve()
        return BadRequest(_OS_ERRORS[errno.ELOOP][1])
    return os_error(exc)
