"""``jupyter mo [--root DIR] NOUN VERB ...``: works with no server running, on the same files."""

from __future__ import annotations

import argparse
import sys
import traceback

from traitlets import TraitError

# jsonschema imports rfc3987_syntax for its "iri" format checker, which builds a grammar when it is
# imported (a second here, the most of `jupyter mo job run`'s own time); mo_jupyter validates with
# no format checker, so this process, the command line's own, goes without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from ..errors import MoError, cut, user_error
from . import dataset_cmd, export_cmd, handle_cmd, image_cmd, job_cmd, module_cmd, serve_cmd, service_cmd
from . import model_cmd, project_cmd, task_cmd


class Parser(argparse.ArgumentParser):
    """argparse, whose usage errors are one line (cut: they may repeat a huge argument), exit 2;
    every subcommand's parser is one of these too."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {cut(message, 300)} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="jupyter mo", description="mo_jupyter from the command line")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an unexpected error")
    parser.add_argument("--root", default=".", help="the project root (default: the current directory)")
    parser.add_argument("--jobs-dir", help="job records, relative to the root (default: the config's, .mo/jobs)")
    nouns = parser.add_subparsers(dest="noun", required=True, metavar="{job,export,image,module,dataset,handle,serve,deploy,service,project,task,model}")
    job_cmd.add_parser(nouns)
    export_cmd.add_parser(nouns)
    image_cmd.add_parser(nouns)
    module_cmd.add_parser(nouns)
    dataset_cmd.add_parser(nouns)
    serve_cmd.add_parser(nouns)
    handle_cmd.add_parser(nouns)
    service_cmd.add_parser(nouns)
    project_cmd.add_parser(nouns)
    task_cmd.add_parser(nouns)
    model_cmd.add_parser(nouns)
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
    except KeyboardInterrupt:
        print("interrupted (the job, if any, goes on; stop it with 'jupyter mo job stop ID')", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # one line, no traceback (unless --debug)
        code = report(exc, debug=args.debug)
    return code or 0


def one_line(exc: BaseException) -> str:
    return " ".join(cut(exc, 300).split())


def report(exc: Exception, debug: bool = False) -> int:
    """One line on stderr for ``exc``; 2 for what the user can fix (a bad argument, a missing or
    unwritable file), 1 for an unexpected error (a bug: its traceback with --debug)."""
    error = user_error(exc)
    if error is not None:  # a message that lists problems on several lines goes on one
        where = f" ({cut(exc.filename, 200)})" if isinstance(exc, OSError) and exc.filename else ""
        print("error: " + " ".join(f"{error.message}{where}".split()), file=sys.stderr)
        return 2
    if isinstance(exc, TraitError):  # the Jupyter server config the CLI reads (cli/config.py)
        print(f"error: in the Jupyter server configuration: {one_line(exc)}", file=sys.stderr)
        return 2
    if isinstance(exc, ValueError) and not debug:  # bad input a library refused
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    if debug:
        traceback.print_exception(exc)
    else:
        print(f"error: unexpected {type(exc).__name__}: {one_line(exc)} (run 'jupyter mo --debug ...' for the "
              "traceback)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
