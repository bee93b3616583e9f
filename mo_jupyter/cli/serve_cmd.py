"""``jupyter mo serve DIR [--host H] [--port P] [--timeout S] [--workers-threads N]``: run a deployed
app (DIR holds app_spec.yml and handler.py) as a web service with a test page at ``/``."""

from __future__ import annotations

from pathlib import Path


def add_parser(nouns) -> None:
    p = nouns.add_parser("serve", help="serve a deployed app (app_spec.yml + handler.py) over HTTP")
    p.add_argument("dir", help="the folder holding app_spec.yml and handler.py")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--timeout", type=float, help="seconds a request may take (default: the spec's timeout, else 60)")
    p.add_argument("--workers-threads", type=int, dest="threads",
                   help="threads running handle (default: CPUs + 4, at most 32)")
    p.add_argument("--max-body-mib", type=float, default=32, help="largest request body in MiB (default 32)")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument("--reuse-port", action="store_true",
                   help="bind with SO_REUSEPORT, so that several replicas share the address")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..serve.app import serve

    if args.timeout is not None and args.timeout <= 0:
        raise SystemExit("error: --timeout must be > 0")
    if args.threads is not None and args.threads < 1:
        raise SystemExit("error: --workers-threads must be >= 1")
    serve(Path(args.root) / args.dir, host=args.host, port=args.port, timeout=args.timeout, threads=args.threads,
          max_body=int(args.max_body_mib * 1024 * 1024), access_log=args.access_log, reuse_port=args.reuse_port)
    return 0
