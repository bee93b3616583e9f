"""Runs a notebook as a job, top to bottom, cell by cell, in one namespace (``python -m``).

Output goes straight to this process's stdout/stderr, so metric lines stream exactly as a
script's do. Magics are converted the way the exporter converts them. Standard library only (and
mo_jupyter.magics), so that it also runs inside a job container that lacks Jupyter.
"""

from __future__ import annotations

import sys
import traceback


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m mo_jupyter.jobs.notebook_runner NOTEBOOK [ARGS...]", file=sys.stderr)
        return 2
    import json

    from ..magics import IMPORTS, convert_source

    path = argv[0]
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    # cells are numbered as the notebook shows them, from 1: markdown and empty cells count (a
    # failure's "cell 4, line 2" is the notebook's 4th cell, as the deploy wizard's cards number it)
    all_cells = nb.get("cells", [])
    cells = []
    for number, cell in enumerate(all_cells, start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code" and source.strip():
            cells.append((number, source))
    sys.argv = list(argv)
    namespace = {"__name__": "__main__", "__file__": path, "display": print}
    exec(compile(IMPORTS, "<mo>", "exec"), namespace)
    for index, cell in cells:
        print(f"[mo] cell {index}/{len(all_cells)}", file=sys.stderr, flush=True)
        source, _ = convert_source(cell)
        try:
            exec(compile(source, f"<cell {index}>", "exec"), namespace)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            print(f"[mo] cell {index} failed", file=sys.stderr, flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
