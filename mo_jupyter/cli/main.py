"""``jupyter mo [--root DIR] NOUN VERB ...``: works with no server running, on the same files."""

from __future__ import annotations

import argparse
import sys

from ..errors import MoError
from . import dataset_cmd, export_cmd, handle_cmd, image_cmd, job_cmd, module_cmd, serve_cmd, service_cmd


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jupyter mo", description="mo_jupyter from the command line")
    parser.add_argument("--root", default=".", help="the project root (default: the current directory)")
    parser.add_argument("--jobs-dir", help="job records, relative to the root (default: the config's, .mo/jobs)")
    nouns = parser.add_subparsers(dest="noun", required=True, metavar="{job,export,image,module,dataset,handle,serve,deploy,service}")
    job_cmd.add_parser(nouns)
    export_cmd.add_parser(nouns)
    image_cmd.add_parser(nouns)
    module_cmd.add_parser(nouns)
    dataset_cmd.add_parser(nouns)
    serve_cmd.add_parser(nouns)
    handle_cmd.add_parser(nouns)
    service_cmd.add_parser(nouns)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after a bare "--" belongs to the job's script (argparse's subparsers mishandle it).
    passthrough = []
    if "--" in argv:
        at = argv.index("--")
        argv, passthrough = argv[:at], argv[at + 1 :]
    args = parser.parse_args(argv)
    if hasattr(args, "args"):
        args.args = list(args.args) + passthrough
    elif passthrough:
        parser.error("'--' only goes with 'job run'")
    try:
        code = args.func(args)
    except MoError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("interrupted (the job, if any, goes on; stop it with 'jupyter mo job stop ID')", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = 0
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
