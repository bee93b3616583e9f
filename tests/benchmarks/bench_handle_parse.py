"""Parse of a 500-cell notebook (each cell ~10 lines of varied code, a few magics, one handle cell)
with ``scan_notebook``, default selection and every cell selected (goal <= 100 ms), against a baseline measured in the same run: ``ast.parse``
alone of the same cells joined into one source (magic lines converted so that it parses)."""

from __future__ import annotations

import ast
import sys
import time

from common import median

from mo_jupyter.handle.parse import scan_notebook
from mo_jupyter.handle.template import HANDLE_TEMPLATE
from mo_jupyter.magics import convert_source

GOAL_MS = 100.0
CELL_KINDS = (
    "import numpy as np\nimport os, sys\nfrom pathlib import Path\n\nDATA{i} = Path('data') / 'part{i}'\n"
    "print(DATA{i}, np.__version__)\nos.environ.setdefault('SEED', '{i}')\nsys.path.append(str(DATA{i}))\n"
    "VALUES{i} = [x * {i} for x in range(10)]\nprint(len(VALUES{i}))\n",
    "def f{i}(x, y=2, *args, **kw):\n    '''Helper {i}.'''\n    total = 0\n    for k in range(x):\n"
    "        if k % 3 == 0:\n            total += k * y\n        else:\n            total -= {i}\n"
    "    return {{'total': total, 'args': args, **kw}}\n\nf{i}(5)\n",
    "class Model{i}:\n    layers = [{i}, 64, 10]\n\n    def __init__(self, lr=0.01):\n        self.lr = lr\n"
    "    @property\n    def size(self):\n        return sum(self.layers)\n\nm{i} = Model{i}()\nprint(m{i}.size)\n",
    "%matplotlib inline\nresults{i} = {{k: v for k, v in zip('abc', range(3))}}\ntry:\n"
    "    value = results{i}['a'] / {i}\nexcept ZeroDivisionError as exc:\n    value = None\nfinally:\n"
    "    print('done', value)\n!echo step {i}\nlabel = f'cell {{value!r}} {i}'\n",
    "with open(__file__) as fh:\n    lines{i} = fh.readlines()\nlengths = sorted(len(l) for l in lines{i})\n"
    "while lengths and lengths[-1] > 80:\n    lengths.pop()\nassert all(n <= 80 for n in lengths), 'long'\n"
    "lam{i} = lambda a, b=1: (a + b) ** 2\nprint(lam{i}(3), 'x' * {i})\ndel lam{i}\nglobal_{i} = ...\n",
)


def build_notebook(n_cells: int = 500) -> dict:
    cells = [CELL_KINDS[i % len(CELL_KINDS)].format(i=i) for i in range(n_cells)]
    cells[n_cells // 2] = HANDLE_TEMPLATE
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None}
                      for c in cells]}


def _ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)


def main(quick: bool = False) -> list[dict]:
    runs = 5 if quick else 30
    nb = build_notebook()
    joined = "\n".join(convert_source(c["source"])[0] for c in nb["cells"])
    lines = joined.count("\n") + 1
    result = scan_notebook(nb)  # a check, and a warm-up (schemas compiled once)
    assert result["handle_cell"] == 250 and list(result["spec"]["input"]) == ["x"], result["problems"]
    ast.parse(joined)
    baseline = _ms(lambda: ast.parse(joined), runs)
    measured = _ms(lambda: scan_notebook(nb), runs)
    every = list(range(len(nb["cells"])))
    all_cells = _ms(lambda: scan_notebook(nb, every), runs)  # the worst case: every cell read
    out = []
    for what, ms in (("default selection", measured), ("all cells selected", all_cells)):
        ratio = ms / baseline if baseline else float("inf")
        verdict = "meets goal" if ms <= GOAL_MS else "MISSES goal"
        print(f"handle parse, {len(nb['cells'])}-cell notebook ({lines} lines), {what}, median of {runs}: "
              f"baseline ast.parse {baseline:.1f} ms, scan_notebook {ms:.1f} ms, ratio {ratio:.2f} "
              f"(goal <= {GOAL_MS:.0f} ms) {verdict}", flush=True)
        out.append({"name": f"handle parse (500 cells, {what})", "baseline": baseline / 1000,
                    "measured": ms / 1000, "ratio": ratio, "goal_ms": GOAL_MS})
    return out


if __name__ == "__main__":
    main("--quick" in sys.argv)
