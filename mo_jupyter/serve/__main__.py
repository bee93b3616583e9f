"""``python -m mo_jupyter.serve DIR [options]``: `jupyter mo serve` without the rest of the CLI, for
containers that carry only the app server's few dependencies."""

from __future__ import annotations

import argparse
import sys

from ..cli import serve_cmd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mo_jupyter.serve")
    parser.add_argument("--root", default=".")
    nouns = parser.add_subparsers(dest="noun", required=True)
    serve_cmd.add_parser(nouns)
    argv = list(sys.argv[1:] if argv is None else argv)
    root = []
    if argv[:1] == ["--root"]:
        root, argv = argv[:2], argv[2:]
    args = parser.parse_args([*root, "serve", *argv])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
