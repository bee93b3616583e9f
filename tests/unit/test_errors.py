"""The one error contract: messages are cut, environment faults map to short 4xx/5xx without paths,
log lines are bounded, JSON bodies are bounded in depth."""

from __future__ import annotations

import errno
import logging

import pytest

from mo_jupyter.errors import MAX_MESSAGE, BadRequest, MoError, cut, os_error, user_error
from mo_jupyter.handlers.base import MAX_LOG_LINE, BoundedLines
from mo_jupyter.loaders import json_depth_ok


def test_cut_keeps_short_text_and_bounds_long_text_with_both_ends():
    assert cut("short") == "short"
    long = "start-" + "x" * 50_000_000 + "-end"
    out = cut(long)
    assert len(out) <= MAX_MESSAGE and out.startswith("start-") and out.endswith("-end")
    assert "characters cut" in out
    assert len(cut(long, 100)) <= 100


def test_every_error_message_and_reason_is_cut():
    exc = BadRequest("'" + "y" * 10_000_000 + "' is not valid", reason="z" * 10_000)
    assert len(exc.message) <= MAX_MESSAGE and len(str(exc)) <= MAX_MESSAGE
    assert len(exc.reason) <= 200 and exc.message.endswith("is not valid")


@pytest.mark.parametrize("code,status", [
    (errno.ENAMETOOLONG, 400), (errno.ENOTDIR, 400), (errno.ENOENT, 404), (errno.EACCES, 403),
    (errno.EPERM, 403), (errno.EROFS, 403), (errno.ENOSPC, 507), (errno.EDQUOT, 507), (errno.EEXIST, 409),
])
def test_os_errors_map_to_short_answers_without_the_path(code, status):
    exc = OSError(code, "strerror", "/home/secret/" + "a" * 300)
    error = os_error(exc)
    assert error.status == status and "/home/secret" not in error.message and len(error.message) < 80
    assert user_error(exc) is not None


def test_what_is_a_bug_stays_a_bug():
    assert user_error(KeyError("x")) is None and user_error(TypeError("x")) is None
    assert os_error(OSError(errno.EBADF, "bad fd")) is None  # a bug of ours, not the user's
    assert isinstance(user_error(ValueError("embedded null byte")), MoError)
    assert isinstance(user_error(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")), MoError)


def test_log_lines_and_tracebacks_are_cut():
    logger = logging.getLogger("mo-test-bounded")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(self.format(record))

    logger.addHandler(Keep())
    logger.addFilter(BoundedLines())
    huge = "v" * 5_000_000
    logger.warning("bad value %s", huge)
    try:
        raise ValueError(huge)
    except ValueError:
        logger.exception("failed on %r", huge)
    logger.info("fine %s", "short")
    assert len(seen) == 3 and seen[2] == "fine short"
    for text in seen:
        assert all(len(line) <= MAX_LOG_LINE for line in text.splitlines()), [len(x) for x in text.splitlines()]
    assert "ValueError" in seen[1] and "Traceback" in seen[1]


def test_json_depth():
    assert json_depth_ok({"a": [[1], {"b": []}]}, 4)  # object, array, object, array
    assert not json_depth_ok({"a": [[1], {"b": [[]]}]}, 4)
    assert json_depth_ok({"a": "[[[[[[[[[["}, 1)
    nested: list = []
    for _ in range(100_000):  # deeper than recursion allows: the walk has no recursion
        nested = [nested]
    assert not json_depth_ok(nested, 64)
