"""Errors that services raise and handlers / the CLI turn into 4xx answers or one clear line."""

from __future__ import annotations


class MoError(Exception):
    """A problem the user can fix; ``status`` is the HTTP code it maps to."""

    status = 400

    def __init__(self, message: str, *, reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason


class BadRequest(MoError):
    status = 400


class Forbidden(MoError):
    status = 403


class NotFound(MoError):
    status = 404


class Conflict(MoError):
    status = 409


class Unavailable(MoError):
    """A resource that this machine lacks (no GPU, no Docker engine)."""

    status = 422
