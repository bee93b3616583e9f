"""``jupyter mo handle scan|generate|template``: the deploy wizard's parser from the command line.

Cell numbers on the command line and in what it prints count from 1 (as a person counts the cells
of a notebook, markdown cells included); ``--json`` prints the API's result, whose cells count from 0.
``scan`` prints app_spec.yml, then the problems as YAML comments (so that the output stays valid
YAML); both ``scan`` and ``generate`` exit 1 when there is an error problem.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson

from ..errors import BadRequest

EXIT_PROBLEMS = 1


def add_parser(nouns) -> None:
    handle = nouns.add_parser("handle", help="read handle(conf) into app_spec.yml and handler.py")
    verbs = handle.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("scan", help="print the app_spec.yml of a .py or notebook's handle, and its problems")
    p.add_argument("path", help="a .py or .ipynb")
    p.add_argument("--cells", help="notebook cells to read, counted from 1: 1,3-5 (default: imports + handle)")
    p.add_argument("--json", action="store_true", help="print the whole result as JSON (cells from 0)")
    p.set_defaults(func=cmd_scan)
    p = verbs.add_parser("generate", help="write handler.py and app_spec.yml from a notebook's cells")
    p.add_argument("notebook")
    p.add_argument("--cells", help="cells to deploy, counted from 1: 1,3-5 (default: imports + handle)")
    p.add_argument("--out-dir", help="where to write (default: the notebook's folder)")
    p.add_argument("--force", action="store_true", help="replace existing handler.py / app_spec.yml")
    p.set_defaults(func=cmd_generate)
    verbs.add_parser("template", help="print Mo's handle template cell").set_defaults(func=cmd_template)


def parse_cells(text: str | None) -> list[int] | None:
    """``"1,3-5"`` -> [0, 2, 3, 4] (1-based in, 0-based out)."""
    if text is None:
        return None
    out: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        first, sep, last = part.partition("-")
        try:
            a = int(first)
            b = int(last) if sep else a
        except ValueError:
            raise BadRequest(f"--cells {text!r}: '{part}' is not a number or a range like 3-5") from None
        if a < 1 or b < a:
            raise BadRequest(f"--cells {text!r}: '{part}' must count from 1 upwards")
        out.extend(range(a - 1, b))
    return sorted(set(out))


def _locate(path: str, root: str) -> Path:
    """As typed, relative to the current directory; else relative to --root."""
    p = Path(path)
    if not p.exists() and not p.is_absolute() and Path(root, path).exists():
        p = Path(root, path)
    if not p.is_file():
        raise BadRequest(f"'{path}' is not a file")
    return p


def _read_notebook(path: Path) -> dict:
    try:
        nb = orjson.loads(path.read_bytes())
    except (orjson.JSONDecodeError, OSError) as exc:
        raise BadRequest(f"'{path.name}' is not a readable notebook: {exc}") from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise BadRequest(f"'{path.name}' is not a notebook: no 'cells' list")
    return nb


def scan_path(path: Path, cells: list[int] | None) -> dict:
    from ..handle.parse import scan_notebook, scan_source

    if path.suffix.lower() == ".ipynb":
        return scan_notebook(_read_notebook(path), cells)
    if path.suffix.lower() != ".py":
        raise BadRequest(f"'{path.name}' is neither a .py nor a .ipynb")
    if cells is not None:
        raise BadRequest("--cells only goes with a notebook")
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"'{path.name}' is not UTF-8 text: {exc}") from exc
    return scan_source(source, path.name)


def format_problem(p: dict) -> str:
    where = ", ".join(w for w in (f"cell {p['cell'] + 1}" if p["cell"] is not None else "",
                                  f"line {p['line']}" if p["line"] is not None else "") if w)
    return f"{p['severity']}{f' ({where})' if where else ''}: {p['message']}"


def _summary(problems: list[dict]) -> tuple[int, str]:
    errors = sum(p["severity"] == "error" for p in problems)
    warnings = len(problems) - errors
    return errors, f"{errors} error(s), {warnings} warning(s)"


def cmd_scan(args) -> int:
    from ..handle.spec import dump_app_spec

    result = scan_path(_locate(args.path, args.root), parse_cells(args.cells))
    errors, summary = _summary(result["problems"])
    if args.json:
        sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
        return EXIT_PROBLEMS if errors else 0
    sys.stdout.write(dump_app_spec(result["spec"]))
    for p in result["problems"]:
        print(f"# {format_problem(p)}")
    print(f"# {summary}")
    return EXIT_PROBLEMS if errors else 0


def cmd_generate(args) -> int:
    from ..handle.codegen import generate_handler, write_deploy_files
    from ..handle.parse import scan_notebook

    path = _locate(args.notebook, args.root)
    if path.suffix.lower() != ".ipynb":
        raise BadRequest(f"'{path.name}' is not a notebook (.ipynb); scan a .py with 'jupyter mo handle scan'")
    nb = _read_notebook(path)
    result = scan_notebook(nb, parse_cells(args.cells))
    errors, summary = _summary(result["problems"])
    for p in result["problems"]:
        print(format_problem(p), file=sys.stderr if p["severity"] == "error" else sys.stdout)
    if errors:
        print(f"nothing written: {summary}", file=sys.stderr)
        return EXIT_PROBLEMS
    selected = [c["index"] for c in result["cells"] if c["selected"]]
    folder = Path(args.out_dir) if args.out_dir else path.parent
    done = write_deploy_files(folder, generate_handler(nb, selected), result["spec"], overwrite=args.force)
    for name in done["files"]:
        print(f"wrote {os.path.join(done['folder'], name)}{' (replaced)' if name in done['replaced'] else ''}")
    return 0


def cmd_template(args) -> int:
    from ..handle.template import HANDLE_TEMPLATE

    sys.stdout.write(HANDLE_TEMPLATE)
    return 0
