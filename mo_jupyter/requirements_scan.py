"""What a job's script or notebook, or a deployed handler.py, imports, and whether the Python that will
run it can import that: checked before a job or a deploy starts on the local backends, so that a
missing framework is named at once ("train.py needs keras ...") instead of a ModuleNotFoundError in a
log. The code is only parsed (``ast``), never run; the interpreter is only asked whether it can find
each top-level module (``importlib.util.find_spec``), never made to import one.

What counts as needed: every ``import x`` / ``from x import y`` of the file, also inside functions,
classes and ``if`` blocks, but not those inside a ``try`` that catches ImportError (or
ModuleNotFoundError, Exception, a bare except): those are optional, and the code says what it does
without them. Not needed: relative imports, the standard library, and the project's own modules (a
``.py`` file or a folder of that name next to the file or in the project root: ``modules/``, a helper
``utils.py``). A file that does not parse is not refused here: the job reports its own error.
Docker and swarm backends are not checked (the image decides what can be imported)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterable, Mapping, Optional

import orjson

from .errors import Unavailable
from .process import scrubbed_env

MAX_SCRIPT_BYTES = 4 * 1024 * 1024  # larger sources are not scanned (the job reports its own errors)
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # outputs (images) make notebooks large; only code cells are parsed
CACHE_SECONDS = 60.0
ASK_TIMEOUT = 20.0
# Variables of a job's own env that change where its Python finds modules: the answer then comes from
# an interpreter started with them.
PATH_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH")
OPTIONAL_WHEN_CAUGHT = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
HELP_LINE = re.compile(r"^[\w.]+\?\??\s*$")  # `np.mean?`: IPython's help
PYTHON_CELL_MAGICS = {"%%time", "%%timeit", "%%capture", "%%prun"}  # the rest of the cell is Python
# import name -> what pip installs it as, where the two differ
PIP_NAMES = {
    "sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "pillow", "yaml": "pyyaml",
    "skimage": "scikit-image", "bs4": "beautifulsoup4", "dateutil": "python-dateutil",
    "jieba": "jieba", "docx": "python-docx", "Crypto": "pycryptodome", "attr": "attrs",
}
EXAMPLES_FRAMEWORKS = {"keras", "tensorflow"}  # what the examples (MNIST) need: mo_jupyter[examples]


# ---- what a source imports ---------------------------------------------------------------------
def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for t in types:
        name = t.attr if isinstance(t, ast.Attribute) else t.id if isinstance(t, ast.Name) else None
        if name in OPTIONAL_WHEN_CAUGHT:
            return True
    return False


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Imports(ast.NodeVisitor):
    def __init__(self):
        self.names: set[str] = set()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.names.add(alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not node.level and node.module:  # a relative import is the package's own
            self.names.add(node.module.split(".")[0])

    def visit_Try(self, node: ast.Try) -> None:
        if any(_catches_import_error(h) for h in node.handlers):
            for part in (node.orelse, node.finalbody):  # not guarded by the except
                for stmt in part:
                    self.visit(stmt)
            return  # the body and its fallbacks are optional imports
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def visit_If(self, node: ast.If) -> None:
        if _type_checking(node.test):  # only for type checkers, never run
            for stmt in node.orelse:
                self.visit(stmt)
            return
        self.generic_visit(node)


def imported_names(source: str | bytes) -> set[str]:
    """The top-level module names ``source`` needs ({} when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):  # ValueError: a NUL byte
        return set()
    visitor = _Imports()
    visitor.visit(tree)
    return visitor.names


def cell_source(text: str) -> str:
    """A notebook cell's code as Python: IPython lines (``%magic``, ``!shell``, ``?help``) become ``pass``
    at their indentation, so the rest still parses; a cell magic other than timing makes it no Python."""
    lines = text.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        if lines[0].split()[0] not in PYTHON_CELL_MAGICS:
            return ""
        lines = lines[1:]
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!", "?")) or HELP_LINE.match(stripped):
            out.append(line[: len(line) - len(stripped)] + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def notebook_imports(data: bytes) -> set[str]:
    """The modules the code cells of an nbformat-4 notebook need; each cell on its own (one that does
    not parse says nothing, the others still count). Not a notebook: {}."""
    try:
        nb = orjson.loads(data)
    except orjson.JSONDecodeError:
        return set()
    names: set[str] = set()
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        text = "".join(s for s in src if isinstance(s, str)) if isinstance(src, list) else src
        if isinstance(text, str):
            names |= imported_names(cell_source(text))
    return names


def _local_names(folders: Iterable[Path]) -> set[str]:
    """Modules a folder offers by itself: ``x.py`` files, ``x/`` folders (packages or not)."""
    names = set()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            stem, ext = os.path.splitext(entry.name)
            try:
                if entry.is_dir():
                    names.add(entry.name)
                elif ext in (".py", ".pyc", ".so", ".pyd"):
                    names.add(stem.split(".")[0])
            except OSError:
                continue
    return names


def required_modules(path: Path, root: Path) -> list[str]:
    """What the script, notebook or handler at ``path`` imports that is neither the standard library
    nor a module of the project (next to ``path`` or in ``root``), sorted."""
    notebook = path.suffix.lower() == ".ipynb"
    try:
        if path.stat().st_size > (MAX_NOTEBOOK_BYTES if notebook else MAX_SCRIPT_BYTES):
            return []
        data = path.read_bytes()
    except OSError:
        return []
    names = notebook_imports(data) if notebook else imported_names(data)
    names -= set(sys.stdlib_module_names) | {"__main__"}
    names -= _local_names({path.parent, root})
    return sorted(names)


# ---- what an interpreter can import -------------------------------------------------------------
_ASK = ("import importlib.util as u, json, sys\n"
        "sys.path[:] = [p for p in sys.path if p not in ('', '.')]\n"
        "out = {}\n"
        "for n in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        out[n] = u.find_spec(n) is not None\n"
        "    except (ImportError, ValueError):\n"
        "        out[n] = True\n"
        "print(json.dumps(out))\n")
_cache: dict[tuple, tuple[float, dict[str, bool]]] = {}
_cache_lock = threading.Lock()


def _same_python(python: str) -> bool:
    """The same interpreter in the same environment: a virtual environment's python is often a link
    to this very binary, but its site-packages are its own, so its folder must be this one too."""
    try:
        return (os.path.samefile(python, sys.executable)
                and os.path.samefile(os.path.dirname(python), os.path.dirname(sys.executable)))
    except OSError:
        return False


def _find_here(names: list[str]) -> dict[str, bool]:
    importlib.invalidate_caches()  # a package installed since the server started counts
    found = {}
    for name in names:
        try:
            found[name] = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # in sys.modules without a spec: it is there
            found[name] = True
    return found


def _ask(python: str, names: list[str], env: dict[str, str]) -> dict[str, bool]:
    """Ask ``python`` which of ``names`` it can find; on any failure (no such interpreter, a timeout),
    every name counts as found: the job then reports its own error, as it would have."""
    try:
        done = subprocess.run([python, "-c", _ASK, orjson.dumps(names).decode()], capture_output=True,
                              timeout=ASK_TIMEOUT, env=env, cwd="/", stdin=subprocess.DEVNULL)
        answer = orjson.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, orjson.JSONDecodeError, IndexError):
        answer = None
    if not isinstance(answer, dict):
        return {n: True for n in names}
    return {n: answer.get(n) is not False for n in names}


def missing_modules(names: Iterable[str], python: str = sys.executable,
                    env: Optional[Mapping[str, str]] = None) -> list[str]:
    """Which of ``names`` (top-level modules) ``python`` cannot find, with the job's extra ``env``.
    This server's own interpreter answers in-process; another one is asked once per minute at most."""
    names = sorted(set(names))
    if not names:
        return []
    path_env = {k: str(v) for k, v in (env or {}).items() if k in PATH_ENV}
    if not path_env and _same_python(python):
        found = _find_here(names)
    else:
        key = (python, tuple(sorted(path_env.items())))
        with _cache_lock:
            at, known = _cache.get(key, (0.0, {}))
            if time.monotonic() - at > CACHE_SECONDS:
                at, known = time.monotonic(), {}
            ask = [n for n in names if n not in known]
        if ask:
            answer = _ask(python, ask, scrubbed_env(path_env, importable=False))
            with _cache_lock:
                known = {**known, **answer}
                _cache[key] = (at, known)
        found = {n: known[n] for n in names}
    return [n for n in names if not found[n]]


# ---- the check ----------------------------------------------------------------------------------
def install_hint(missing: list[str]) -> str:
    """How to install ``missing`` with pip: pip's names, the examples' extra for their frameworks."""
    others = [PIP_NAMES.get(n, n) for n in missing if n not in EXAMPLES_FRAMEWORKS]
    parts = [f"pip install {' '.join(others)}"] if others else []
    if EXAMPLES_FRAMEWORKS & set(missing):
        parts.append('pip install "mo_jupyter[examples]" for the examples\' Keras/TensorFlow')
    return "; ".join(parts)


def require_importable(path: Path, root: Path, python: str, *, label: str, what: str,
                       env: Optional[Mapping[str, str]] = None) -> None:
    """Raise Unavailable (422) when the file at ``path`` (``label``: its name for the user) imports a
    module that ``python`` cannot find. ``what``: who would run it ("the local backend")."""
    missing = missing_modules(required_modules(path, root), python, env)
    if not missing:
        return
    shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
    raise Unavailable(f"{label} needs {shown}, which {what}'s Python cannot import: install "
                      f"{'it' if len(missing) == 1 else 'them'} ({install_hint(missing)}) "
                      "or choose the docker backend")
