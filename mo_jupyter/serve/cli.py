"""The app server's command line: ``python -m mo_jupyter.serve [--root R] DIR [options]`` and, through
a thin adapter in ``mo_jupyter.cli``, ``jupyter mo serve DIR [options]``. It imports nothing from
``mo_jupyter.cli``, so a container needs only the app server's few dependencies.

The access key (optional): ``MO_SERVICE_KEY`` in the environment, else ``--key-file PATH`` (a file
holding it). The variable is removed from ``os.environ`` before ``handler.py`` is imported, so the
processes ``handle`` starts do not inherit it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import BadRequest, MoError

KEY_ENV = "MO_SERVICE_KEY"
MAX_KEY_BYTES = 4096


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help="the folder holding app_spec.yml and handler.py")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--timeout", type=float, help="seconds a request may take (default: the spec's timeout, else 60)")
    p.add_argument("--workers-threads", type=int, dest="threads",
                   help="threads running handle (default: CPUs + 4, at most 32)")
    p.add_argument("--queue", type=int, dest="queue",
                   help="requests that may wait for a busy handle thread; more get 503 at once "
                        "(default: 4 per thread, at least 64)")
    p.add_argument("--max-body-mib", type=float, default=32, help="largest request body in MiB (default 32)")
    p.add_argument("--key-file", help=f"a file holding the access key that requests must send as X-Mo-Key "
                                      f"(the environment's {KEY_ENV} wins when set)")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument("--reuse-port", action="store_true",
                   help="bind with SO_REUSEPORT, so that several replicas share the address")


def access_key(key_file: str | None) -> str | None:
    """The service's access key: ``MO_SERVICE_KEY`` (taken out of the environment), else the first
    line of ``key_file``; None when neither is given (an empty key counts as none)."""
    key = os.environ.pop(KEY_ENV, None)
    if key is None and key_file:
        try:
            with open(key_file, "rb") as f:
                raw = f.read(MAX_KEY_BYTES + 1)
        except OSError as exc:
            raise BadRequest(f"--key-file cannot be read: {exc.strerror or type(exc).__name__}") from None
        if len(raw) > MAX_KEY_BYTES:
            raise BadRequest(f"--key-file holds more than {MAX_KEY_BYTES} bytes: not a key")
        key = raw.decode("utf-8", "replace").strip()
    key = (key or "").strip()
    if any(ord(c) < 33 or ord(c) > 126 for c in key):
        raise BadRequest("the access key must be printable ASCII without spaces (it travels in a header)")
    return key or None


def run(args) -> int:
    from .app import serve

    if args.timeout is not None and not args.timeout > 0:
        raise BadRequest("--timeout must be > 0")
    if args.threads is not None and args.threads < 1:
        raise BadRequest("--workers-threads must be >= 1")
    if args.queue is not None and args.queue < 0:
        raise BadRequest("--queue must be >= 0")
    if not 0 < args.max_body_mib <= 4096:
        raise BadRequest("--max-body-mib must be > 0 and at most 4096")
    key = access_key(args.key_file)
    serve(Path(args.root) / args.dir, host=args.host, port=args.port, timeout=args.timeout, threads=args.threads,
          queue=args.queue, max_body=int(args.max_body_mib * 1024 * 1024), access_log=args.access_log,
          reuse_port=args.reuse_port, key=key)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mo_jupyter.serve",
                                     description="serve a deployed app (app_spec.yml + handler.py) over HTTP")
    parser.add_argument("--root", default=".", help="DIR is relative to this folder (default: the current one)")
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.func(args)
    except MoError as exc:  # the app cannot start: its keeper does not restart it (keeper.START_FAILED)
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
