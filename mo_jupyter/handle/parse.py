"""Reads ``handle(conf)`` out of a ``.py`` or a notebook's cells into an app_spec and a list of problems.

Only ``ast`` and ``tokenize`` read the code: user code is never imported or executed (literal
defaults go through ``ast.literal_eval`` of their node). A selected cell without the word ``handle``
(and, with the default selection, without imports) needs no tree, only a verdict on its syntax:
``compile()`` gives that three times faster than ``ast.parse`` (the bytecode is built and dropped,
never run), and it is as strict as importing ``handler.py`` would be (``return`` or ``await`` at
module level, ``break`` outside a loop). A problem's ``cell`` is a 0-based notebook index
(markdown cells count); in message text cells count from 1 (``cell 3`` is index 2), as the wizard's
cell cards and handler.py's ``# --- notebook cell N ---`` lines number them; lines are 1-based,
within the cell for a notebook.

Rules:
- the handle is a module-level ``def handle(<one parameter, any name>)`` (decorators and type
  annotations allowed); a nested def or a ``handle = lambda`` does not count. With two, the last wins
  (as in Python) and an error is reported.
- inputs: ``conf['k']``, ``conf.get('k'[, default])`` anywhere in handle's body (nested helpers too,
  unless they rebind the name), and the legacy ``params['k'] = value`` (a literal value is the
  default). The comment on the read's line gives ``value_type``, ``description`` (``des``),
  ``optional`` (``required``) and ``value_range`` (``range``), each as ``# field: value``.
  ``conf.get('k')`` / ``conf.get('k', None)`` make the input optional. With no type comment, the type
  is guessed from a literal default (warning), else it is an error and ``str`` stands in.
- outputs: the keys of dict literals (or ``dict(k=...)``) in handle's own ``return`` statements, typed
  by the comment on the key's line (else a warning and ``str``).
- notebooks: a cell that does not parse as Python is retried with its magic / ``!shell`` lines
  (``mo_jupyter.magics``) blanked; those lines are flagged. ``%%`` cells other than ``%%time``-like
  ones are not Python and are skipped.
"""

from __future__ import annotations

import ast
import re

from .. import magics
from ..errors import BadRequest
from .reader import Problems, scan_handle
from .uses import Cell, needed_cells, path_literals

_HANDLE_TEXT = re.compile(r"^\s*(async\s+)?def\s+handle\s*\(", re.M)
_CANDIDATE = re.compile(r"^[ \t]*(?:import|from)[ \t]+[\w.]|^(?:async[ \t]+)?def[ \t]+handle\b", re.M)
_MAGIC_HINT = re.compile(r"^[ \t]*(?:[%!?]|[\w.]+\?|[\w., \t]+=[ \t]*[!%])", re.M)


def _parse(text: str, filename: str = "<cell>") -> ast.Module:
    try:
        return ast.parse(text, filename=filename)
    except ValueError as exc:  # null bytes, on some Python versions
        raise SyntaxError(str(exc)) from None


def _check(text: str, filename: str = "<cell>") -> None:
    """Raise SyntaxError if ``text`` would not compile; build no tree (and run nothing)."""
    try:
        compile(text, filename, "exec", dont_inherit=True)
    except ValueError as exc:
        raise SyntaxError(str(exc)) from None


def prepare(source: str, tree: bool = True) -> tuple[str | None, list[int], SyntaxError | None, ast.Module | None]:
    """A cell's text -> (Python text with magic lines blanked, or None for a non-Python cell magic;
    1-based magic line numbers; the syntax error left after blanking or None; the tree, or None
    when it does not parse or ``tree`` is false (a syntax check only))."""
    read = _parse if tree else _check
    stripped, magic = source.lstrip(), []
    if stripped.startswith("%%"):
        head = source[: len(source) - len(stripped)].count("\n") + 1
        if (stripped[2:].split(None, 1) or [""])[0] not in magics._PASSTHROUGH_CELL:
            return None, [head], None, None
        lines = source.split("\n")
        lines[head - 1], source, magic = "", "\n".join(lines), [head]
    try:
        return source, magic, None, read(source)
    except SyntaxError:
        pass
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if line.strip() and magics._convert_line(line)[1]:
            magic.append(i + 1)
            lines[i] = line[: len(line) - len(line.lstrip())] + "pass"
    text = "\n".join(lines)
    try:
        return text, sorted(magic), None, read(text)
    except SyntaxError as exc:
        return text, sorted(magic), exc, None


def _magic_kind(line: str) -> str:
    if line.startswith("%%"):
        return "cell magic"
    if line.startswith("!") or magics._ASSIGN_SHELL.match(line):
        return "!shell line"
    return "magic line"


def _syntax_problem(exc: SyntaxError, where: str, cell, problems: Problems) -> None:
    problems.add("error", f"syntax error{where}: {exc.msg}", cell, exc.lineno)


def _handles(tree: ast.Module) -> list[ast.FunctionDef]:
    return [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "handle"]


def _no_handle(trees: list[tuple[ast.Module, int | None]], where: str, problems: Problems) -> None:
    for tree, cell in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "handle":
                problems.add("error", f"no top-level def handle(conf){where}: the one here is nested in another "
                             "block and does not count", cell, node.lineno)
                return
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and any(
                    isinstance(t, ast.Name) and t.id == "handle" for t in node.targets):
                problems.add("error", f"no def handle(conf){where}: handle = lambda does not count; "
                             "write def handle(conf):", cell, node.lineno)
                return
    problems.add("error", f"no def handle(conf){where} (insert the handle template: jupyter mo handle template)",
                 None, None)


def _result(spec, problems: Problems, handle_cell, cells) -> dict:
    problems.sort(key=lambda p: (p["cell"] is not None, p["cell"] or 0, p["line"] or 0))
    return {"spec": spec, "problems": list(problems), "handle_cell": handle_cell, "cells": cells}


def scan_source(source: str, path: str = "handler.py") -> dict:
    """A ``.py``'s text -> {spec, problems, handle_cell: None, cells: []}."""
    problems = Problems()
    spec = {"input": {}, "output": {}}
    try:
        tree = _parse(source, path)
    except SyntaxError as exc:
        _syntax_problem(exc, f" in {path}", None, problems)
        return {**_result(spec, problems, None, []), "path_literals": []}
    found = _handles(tree)
    if len(found) > 1:
        problems.add("error", f"{len(found)} def handle in {path} (lines "
                     f"{', '.join(str(f.lineno) for f in found)}); keep one (the last one is used)", None, found[-1].lineno)
    if not found:
        _no_handle([(tree, None)], f" in {path}", problems)
    else:
        spec = scan_handle(found[-1], source.splitlines(keepends=True), None, problems)
    out = _result(spec, problems, None, [])
    out["path_literals"] = path_literals([tree])
    return out


def cell_text(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _preview(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= 80 else first[:79] + "…"


def _has_import(tree: ast.Module) -> bool:
    stack = list(tree.body)
    while stack:
        s = stack.pop()
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            return True
        if isinstance(s, (ast.If, ast.Try, ast.With)):
            stack.extend(s.body + getattr(s, "orelse", []) + getattr(s, "finalbody", []))
            stack.extend(h for hs in getattr(s, "handlers", []) for h in hs.body)
    return False


def _tree(parsed: dict, i: int) -> ast.Module | None:
    """The cell's tree, parsed now if only its syntax was checked so far (``parsed`` is updated)."""
    raw, text, magic, err, tree = parsed[i]
    if tree is None and err is None and text is not None:
        parsed[i] = (raw, *prepare(raw, tree=True))
    return parsed[i][4]


def _default_selection(parsed: dict) -> list[int]:
    """The handle cell(s) and the cells the last one needs (``uses.needed_cells``); with no handle
    that parses, every cell with an import and every cell that looks like a handle (as before)."""
    handle_cells = [i for i, p in parsed.items() if p[4] is not None and _handles(p[4])]
    if handle_cells:
        infos: dict[int, Cell | None] = {}

        def cell_of(i: int) -> Cell | None:
            if i not in infos:
                tree = _tree(parsed, i)
                infos[i] = Cell(parsed[i][1], tree) if tree is not None else None
            return infos[i]

        needed = needed_cells(handle_cells[-1], list(parsed), lambda i: parsed[i][0], cell_of)
        return sorted(set(needed) | set(handle_cells))
    for i, p in parsed.items():
        if _CANDIDATE.search(p[0]):
            _tree(parsed, i)
    return [i for i, (raw, _t, _m, err, tree) in parsed.items()
            if (tree is not None and (_has_import(tree) or _handles(tree)))
            or (err is not None and _HANDLE_TEXT.search(raw))]


def check_cells(nb: dict, cells: list[int] | None) -> list[int] | None:
    if cells is None:
        return None
    count = len(nb.get("cells") or [])
    bad = [c for c in cells if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < count]
    if bad:
        raise BadRequest(f"cells {bad} are not in the notebook (it has {count} cells, numbered from 0)")
    return sorted(set(cells))


def scan_notebook(nb: dict, cells: list[int] | None = None) -> dict:
    """nbformat-4 JSON (a dict) -> {spec, problems, handle_cell, cells, path_literals}. ``cells`` None
    selects the handle cell(s) and the cells the handle needs (``uses.py``); with no handle, the cells
    with imports. ``path_literals``: the selected cells' literals that may name files they read."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise BadRequest("not a notebook: no 'cells' list")
    chosen = check_cells(nb, cells)
    chosen_set = set(chosen or ())
    problems = Problems()
    parsed: dict[int, tuple] = {}  # index -> (raw, text, magic lines, error, tree)
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        raw = cell_text(cell)
        candidate = chosen is None and "handle" in raw  # a handle's cell: its tree starts the default selection
        if i in chosen_set or candidate or _MAGIC_HINT.search(raw):
            parsed[i] = (raw, *prepare(raw, tree=bool(candidate) or "handle" in raw))
        else:
            parsed[i] = (raw, raw, [], None, None)
    if chosen is None:
        chosen = _default_selection(parsed)
    else:
        for i in chosen:
            if i not in parsed:
                problems.add("warning", f"cell {i + 1} is not a code cell: left out", i, None)
        chosen = [i for i in chosen if i in parsed]
    handles: list[tuple[int, ast.FunctionDef]] = []
    for i in chosen:
        raw, text, magic, err, tree = parsed[i]
        lines = raw.split("\n")
        for n in magic:
            line = lines[n - 1].strip() if n <= len(lines) else ""
            problems.add("warning", f"{_magic_kind(line)} '{line[:60]}' does not run in a deployed app (a comment in "
                         "handler.py)", i, n)
        if err is not None:
            _syntax_problem(err, "", i, problems)
        if tree is not None:
            handles.extend((i, fn) for fn in _handles(tree))
    spec, handle_cell = {"input": {}, "output": {}}, None
    if len(handles) > 1:
        at = ", ".join(f"cell {i + 1} line {fn.lineno}" for i, fn in handles)
        problems.add("error", f"{len(handles)} def handle in the selected cells ({at}); keep one (the last one "
                     "is used)", handles[-1][0], handles[-1][1].lineno)
    if handles:
        handle_cell, fn = handles[-1]
        spec = scan_handle(fn, parsed[handle_cell][1].splitlines(keepends=True), handle_cell, problems)
    elif not any(parsed[i][3] is not None and _HANDLE_TEXT.search(parsed[i][0]) for i in chosen):
        _no_handle([(parsed[i][4], i) for i in chosen if parsed[i][4] is not None], " in the selected cells",
                   problems)
    listing = [{"index": i, "selected": i in chosen, "magic": bool(p[2]), "source_preview": _preview(p[0])}
               for i, p in parsed.items()]
    out = _result(spec, problems, handle_cell, listing)
    out["path_literals"] = path_literals([parsed[i][4] for i in chosen if parsed[i][4] is not None])
    return out
