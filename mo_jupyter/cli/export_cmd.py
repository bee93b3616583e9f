"""``jupyter mo export NOTEBOOK [-o OUT.py] [--force]``"""

from __future__ import annotations

from .job_cmd import project_relative


def add_parser(nouns) -> None:
    p = nouns.add_parser("export", help="export a notebook to a runnable .py")
    p.add_argument("notebook")
    p.add_argument("-o", "--out", help="the .py to write (default: beside the notebook)")
    p.add_argument("--force", action="store_true", help="replace an existing .py")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..export import export_notebook  # nbconvert is slow to import: only when exporting

    rel = project_relative(args.notebook, args.root)
    out = project_relative(args.out, args.root) if args.out else None
    print(export_notebook(args.root, rel, out, overwrite=args.force))
    return 0
