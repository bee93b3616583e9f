"""Notebook -> ``.py`` with nbconvert's PythonExporter, in-process; magics made runnable."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import nbformat
from nbconvert import PythonExporter
from nbconvert.preprocessors import Preprocessor

from .errors import BadRequest, Conflict, NotFound, cut
from .atomic import write_atomic
from .magics import IMPORTS, convert_source
from .paths import resolve_in_root


class MagicsToPython(Preprocessor):
    """Rewrites every code cell's magics; remembers whether the imports line is needed."""

    used_magics = False

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "raw":  # not Python: kept, as comments (the template comments markdown)
            cell.cell_type = "markdown"
        elif cell.cell_type == "code":
            cell.source, changed = convert_source(cell.source)
            self.used_magics = self.used_magics or changed
        return cell, resources


def notebook_to_python(nb) -> str:
    pre = MagicsToPython()
    exporter = PythonExporter()
    exporter.register_preprocessor(pre, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    if pre.used_magics:
        lines = body.split("\n")
        at = 0
        while at < len(lines) and lines[at].startswith("#") and at < 2:
            at += 1
        lines.insert(at, IMPORTS)
        body = "\n".join(lines)
    return body


def read_notebook(path: Path):
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises many kinds for a file that is not a notebook
        raise BadRequest(f"'{cut(path.name, 200)}' is not a readable notebook: {cut(exc, 300)}") from None


def export_notebook(root: Path | str, path: str, out: Optional[str] = None, overwrite: bool = False) -> str:
    """Write the notebook at ``path`` (relative to root) as a ``.py``; return the new file's path."""
    source, rel = resolve_in_root(root, path)
    if source.suffix.lower() != ".ipynb" or not source.is_file():
        raise BadRequest(f"'{cut(rel, 200)}' is not a notebook (.ipynb)")
    if out is None:
        target, out_rel = source.with_suffix(".py"), str(Path(rel).with_suffix(".py"))
    else:
        target, out_rel = resolve_in_root(root, out, must_exist=False)
        if target.suffix != ".py":
            raise BadRequest(f"'{cut(out, 200)}' must end in .py")
    folder = Path(out_rel).parent.as_posix()
    if not target.parent.is_dir():  # missing, or a file where the folder should be
        raise NotFound(f"no folder '{cut(folder, 200)}' in the project to export into; create it first")
    if target.is_dir():
        raise Conflict(f"'{cut(out_rel, 200)}' is a folder", reason="exists")
    if target.exists() and not overwrite:
        raise Conflict(f"'{cut(out_rel, 200)}' exists already; export again with overwrite to replace it",
                       reason="exists")
    text = notebook_to_python(read_notebook(source))
    write_atomic(target, text)
    return out_rel
