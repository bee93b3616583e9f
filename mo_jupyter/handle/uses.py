"""What the handle cell needs, read statically (``ast`` + ``symtable``; nothing is imported or run).

- ``needed_cells``: the default selection. From the handle cell, follow the global names each
  selected cell uses (module level and free names of its functions, classes and lambdas) to the
  cell that binds them: the last binder before the using cell, else the first one after it. A name
  bound by an import may come from any cell with that import, so a definitions-only cell (imports,
  defs, classes, assignments) is preferred to a training cell that happens to import it too.
  Names nobody binds (builtins, typos) are ignored. Cells that only train are never reached.
- ``path_literals``: the string literals of some code that may name a file it reads: plain
  ``'results/m.keras'``, ``os.path.join('results', 'm.keras')`` and ``Path('results') / 'm.keras'``
  (every part a literal). ``existing_files`` keeps those that exist inside the project.
"""

from __future__ import annotations

import ast
import os
import re
import symtable
from pathlib import Path

from ..errors import MoError
from ..paths import resolve_in_root

_DEF_ONLY = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
             ast.AnnAssign, ast.Pass)
_MAX_LITERAL = 1024


class Cell:
    """One cell's bindings and uses, computed once from its (magic-blanked) text."""

    __slots__ = ("binds", "imports", "uses", "def_only", "tree")

    def __init__(self, text: str, tree: ast.Module):
        self.tree, self.binds, self.imports, self.uses = tree, set(), set(), set()
        self.def_only = all(isinstance(s, _DEF_ONLY) or (isinstance(s, ast.Expr) and isinstance(
            s.value, ast.Constant)) for s in tree.body)
        try:
            table = symtable.symtable(text, "<cell>", "exec")
        except (SyntaxError, ValueError):
            return
        for sym in table.get_symbols():
            name = sym.get_name()
            if sym.is_imported():
                self.imports.add(name)
            if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
                self.binds.add(name)
            elif sym.is_referenced():
                self.uses.add(name)
        stack = list(table.get_children())
        while stack:
            child = stack.pop()
            stack.extend(child.get_children())
            for sym in child.get_symbols():
                if sym.is_global() or sym.is_declared_global():
                    if sym.is_declared_global() and sym.is_assigned():
                        self.binds.add(sym.get_name())
                    elif sym.is_referenced():
                        self.uses.add(sym.get_name())
        self.uses -= self.binds


def _word(name: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.]){re.escape(name)}\b")


def needed_cells(handle_cell: int, order: list[int], text_of, cell_of) -> list[int]:
    """``order``: the code cells' indices; ``text_of(i)``: raw text; ``cell_of(i)``: a ``Cell`` or None
    (no tree). Returns the sorted indices: the handle cell and what it needs, transitively."""
    chosen, todo = {handle_cell}, [handle_cell]
    position = {i: n for n, i in enumerate(order)}
    while todo:
        user = todo.pop()
        info = cell_of(user)
        for name in sorted(info.uses if info else ()):
            found = _binder(name, position[user], order, text_of, cell_of)
            if found is not None and found not in chosen:
                chosen.add(found)
                todo.append(found)
    return sorted(chosen)


def _binder(name: str, at: int, order: list[int], text_of, cell_of) -> int | None:
    word, fallback = _word(name), None
    for i in [*reversed(order[:at]), *order[at + 1:]]:
        if not word.search(text_of(i)):
            continue  # cheap: most cells never mention the name
        info = cell_of(i)
        if info is None or name not in info.binds:
            continue
        if name in info.imports and not info.def_only:
            fallback = i if fallback is None else fallback  # also trains: only if no cleaner import
            continue
        if name in info.imports:
            return i
        return i if fallback is None else fallback
    return fallback


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else f"{left}/{right}"
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("join", "Path", "PurePath", "PosixPath"):
            parts = [_literal(a) for a in node.args]
            if all(p is not None for p in parts):
                return "/".join(parts)
    return None


def path_literals(trees: list[ast.AST]) -> list[str]:
    """Every string literal (and literal path expression) in ``trees`` that could be a relative path."""
    out: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Constant, ast.BinOp, ast.Call)):
                text = _literal(node)
                if text and len(text) <= _MAX_LITERAL and "\n" not in text and "\0" not in text:
                    out.add(text)
    return sorted(out)


def existing_files(root: Path | str, folder: str, literals: list[str]) -> list[str]:
    """The literals that name an existing file or folder inside the project, relative to the
    notebook's ``folder`` (project-relative, POSIX); never the folder itself or above, never ``.mo/``."""
    out: set[str] = set()
    base = folder.strip("/")
    for text in literals:
        if os.path.isabs(text) or text.strip() in ("", ".", "./"):
            continue
        rel = os.path.normpath(os.path.join(base, text)) if base else os.path.normpath(text)
        if rel in (".", "..") or rel.startswith("../"):
            continue
        try:
            _real, found = resolve_in_root(root, rel)
        except (MoError, OSError, ValueError):
            continue  # missing, outside the project (also through a symlink), or not a path at all
        if ".mo" in found.split("/") or (base and not (found + "/").startswith(base + "/")) or found == base:
            continue
        out.add(found)
    return sorted(out)
